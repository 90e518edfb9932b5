"""Submitted assessments for the report, verification, audit and job tests."""

from __future__ import annotations

from datetime import date

from riskapp.assessments import services
from riskapp.models import Assessment

# A complete set of answers for the default checklist: mostly good practice, with a few failing
# items so the grade is above the lowest and remediation actions exist.
ANSWERS = {
    "ORG-1": "yes", "ORG-2": "no", "ORG-3": "yes", "ORG-4": "yes",
    "CTX-1": "250", "CTX-2": "3000", "CTX-3": "coworkers", "CTX-4": "no",
    "SCR-1": "all", "SCR-2": "partial", "SCR-3": "no", "SCR-4": "yes", "SCR-5": "na",
    "HYG-1": "yes", "HYG-2": "95", "HYG-3": "all", "HYG-4": "every_sitting",
    "MSK-1": "yes", "MSK-2": "yes", "MSK-3": "all", "MSK-4": "yes", "MSK-5": "yes",
    "VEN-1": "all", "CAN-1": "distanced", "CAN-2": "yes",
    "TRN-1": "0", "TRN-2": "0", "TRN-3": "all", "DRM-1": "2", "DRM-2": "all",
    "VAC-1": "90", "COM-1": "yes",
}  # fmt: skip


def submit_assessment(enterprise, officer, on: date = date(2026, 1, 15), **changes) -> Assessment:
    """Fill and submit an assessment for the enterprise (the caller commits)."""
    draft = services.start_draft(enterprise, officer, on)
    answers = {**ANSWERS, **{key.replace("_", "-"): value for key, value in changes.items()}}
    services.save_draft(draft, answers, {}, draft.lock_version, officer)
    return services.submit(draft, officer, on=on)
