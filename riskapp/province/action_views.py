"""The authority's review of remediation actions the enterprise marked done."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from riskapp.assessments import verification
from riskapp.db import db
from riskapp.fields import TranslatedForm
from riskapp.models import RemediationAction
from riskapp.province import bp
from riskapp.tenancy import AUDITORS, MANAGERS, get_or_404, route

VERIFY, SEND_BACK = "verify", "send_back"


class ActionReviewForm(TranslatedForm):
    decision = RadioField(_l("Decision"), choices=[
        SelectChoice(VERIFY, _l("Verified: the action is done")),
        SelectChoice(SEND_BACK, _l("Send back to in progress"))],
                          validators=[DataRequired(_l("Choose a decision."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])
    lock_version = HiddenField(validators=[DataRequired()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.decision.data == SEND_BACK and not (self.note.data or "").strip():
            self.note.errors = [*self.note.errors, _l("Say what is still missing.")]
            return False
        return valid


@bp.app_template_global("action_review_form")
def review_form(action: RemediationAction) -> ActionReviewForm:
    """A blank review form of one action, for its page."""
    return ActionReviewForm(formdata=None, prefix=f"review-{action.id}",
                            lock_version=str(action.lock_version))


@route(bp, "/actions/<int:action_id>/review", roles=MANAGERS | AUDITORS, methods=["POST"])
def review_action(action_id: int):
    action = get_or_404(RemediationAction, action_id)
    back = url_for("province.enterprise", enterprise_id=action.enterprise_id) + "#done-actions"
    form = ActionReviewForm(prefix=f"review-{action.id}")
    if not form.validate_on_submit() or not form.lock_version.data.isdigit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(back)
    try:
        verification.review_action(action, current_user, accept=form.decision.data == VERIFY,
                                   note=form.note.data, lock_version=int(form.lock_version.data))
    except verification.ReviewConflict:
        db.session.rollback()
        flash(_("The action changed meanwhile (or was already reviewed): nothing was saved; "
                "check it again."), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Action verified.") if form.decision.data == VERIFY
          else _("Action sent back to the enterprise."), "success")
    return redirect(back)
