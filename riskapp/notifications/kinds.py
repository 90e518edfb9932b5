"""What a notification can be about, the channels, and their labels (translated)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

REMINDER = "reminder"  # officers' due and overdue assessments, overdue P1 actions (daily digest)
REVIEW_DECISION = "review_decision"
ROUND_REMINDER = "round_reminder"
ROUND_ESCALATION = "round_escalation"
ACTION_ASSIGNED = "action_assigned"
PROVINCE_NUDGE = "province_nudge"
LEVEL_CHANGE = "level_change"

KINDS = {
    REMINDER: _l("Due and overdue assessments and actions"),
    REVIEW_DECISION: _l("Review decisions on your assessments"),
    ROUND_REMINDER: _l("Reporting round reminders"),
    ROUND_ESCALATION: _l("Enterprises of your areas that did not report"),
    ACTION_ASSIGNED: _l("Remediation actions assigned to you"),
    PROVINCE_NUDGE: _l("Requests from the authority to report"),
    LEVEL_CHANGE: _l("Epidemic level changes that move a due date"),
}

INAPP, EMAIL, SMS, ZNS = "inapp", "email", "sms", "zns"
CHANNELS = {
    INAPP: _l("In the app"),
    EMAIL: _l("E-mail"),
    SMS: _l("SMS"),
    ZNS: _l("Zalo"),
}
# Every kind goes to the app and by e-mail unless the user chose otherwise.
DEFAULT_CHANNELS = (INAPP, EMAIL)
