"""Consent to the privacy notice (/privacy): which version a user agreed to, and when.

An invited user agrees before the account is activated (the invitation form). Users who had an
account before the notice existed, or before its version changed, are asked once after their
next login; "later" lets them in and asks again at the following login, so nobody is locked out.
"""

from __future__ import annotations

from riskapp.auditlog import record
from riskapp.models import User
from riskapp.models.types import utcnow

# Raise this when the notice's substance changes (templates/main/_privacy_notice.html): every
# user is then asked again.
NOTICE_VERSION = "2026-12"


def needs_consent(user: User) -> bool:
    return user.privacy_notice_version != NOTICE_VERSION


def record_consent(user: User) -> None:
    user.privacy_consent_at = utcnow()
    user.privacy_notice_version = NOTICE_VERSION
    record("privacy_notice_accepted", user=user, details={"version": NOTICE_VERSION})
