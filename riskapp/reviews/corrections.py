"""The officer's side of a return: the correction draft, started from the returned assessment."""

from __future__ import annotations

from flask_babel import gettext as _

from riskapp.assessments import services as assessments
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import Assessment, AssessmentStatus, ReviewStatus
from riskapp.reviews.services import ReviewRefused


def start_correction(returned: Assessment, user) -> Assessment:
    """The enterprise's draft correcting a returned assessment: its answers copied (as the form
    would send them), linked by corrects_id. An open draft is reused (and linked)."""
    if returned.status != AssessmentStatus.SUBMITTED \
            or returned.review_status != ReviewStatus.RETURNED:
        raise ReviewRefused(_("This assessment is not returned for correction."))
    draft, _made = assessments.open_draft(returned.enterprise, user)
    if draft.corrects_id != returned.id:
        draft.corrects_id = returned.id
        if not draft.answers:
            draft.answers = {item: _form_value(value)
                             for item, value in (returned.answers or {}).items()}
            declared = returned.context or {}
            draft.context = {key: bool(declared.get(key, False))
                             for key in assessments.DECLARED_CONTEXT_KEYS}
        draft.lock_version += 1
        db.session.flush()
        record("correction_started", draft, user=user, details={"corrects": returned.id})
    return draft


def _form_value(value) -> str:
    """A typed answer as the form sends it (a draft keeps raw form strings)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
