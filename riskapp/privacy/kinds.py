"""The kinds of personal data a province keeps for a limited time: unit, default and bounds.

Decree 13/2023/NĐ-CP (art. 3) and the Personal Data Protection Law 2025 say data is kept only as
long as its purpose needs; they set no number. The bounds are this app's: the minimum keeps what
an inspection, a complaint or a security investigation still needs, the maximum what a purpose
can still justify (docs/PRIVACY.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

DAYS = "days"
MONTHS = "months"


@dataclass(frozen=True)
class Kind:
    code: str
    unit: str
    default: int
    minimum: int
    maximum: int
    label: object  # a lazy string
    hint: object


EVIDENCE = "evidence_photos"
LOGINS = "login_records"
DELIVERIES = "deliveries"
LINKS = "one_time_tokens"
FILES = "files"
ACCOUNTS = "inactive_accounts"

KINDS: tuple[Kind, ...] = (
    Kind(EVIDENCE, MONTHS, 24, 12, 60, _l("Evidence photos (months)"),
         _l("Photos and PDFs of superseded assessments and on-site findings older than this are "
            "deleted; the evidence of the current assessment's open actions is always kept.")),
    Kind(LOGINS, DAYS, 180, 30, 730, _l("IP addresses of login records (days)"),
         _l("The IP addresses in audit log entries older than this are forgotten; the entries "
            "stay.")),
    Kind(DELIVERIES, DAYS, 90, 30, 365, _l("Notification texts and delivery details (days)"),
         _l("The text of notifications and reminders and the providers' answers about their "
            "delivery are blanked after this; that a message was sent stays.")),
    Kind(LINKS, DAYS, 30, 1, 365, _l("Used or expired invitation and reset links (days)"),
         _l("Invitation and password-reset links are deleted this long after they were used or "
            "expired.")),
    Kind(FILES, DAYS, 30, 1, 180, _l("Finished ZIP exports and import files (days)"),
         _l("ZIP exports and uploaded import files are deleted this long after they were "
            "made.")),
    Kind(ACCOUNTS, MONTHS, 24, 6, 120, _l("Deactivated accounts not used (months)"),
         _l("A deactivated account not used for this long is pseudonymised: name, e-mail and "
            "phone are removed; its submissions and decisions stay under a pseudonym.")),
)
BY_CODE = {kind.code: kind for kind in KINDS}
