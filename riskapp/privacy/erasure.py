"""Erasing a person: pseudonymise the account, delete what only served them, keep the records
the law requires (assessments, review decisions, signed reports) under the pseudonym."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from riskapp.auditlog import pseudonymise_user, record
from riskapp.clock import now
from riskapp.db import db
from riskapp.models import (
    ApiToken,
    AuditorArea,
    ErasureRequest,
    Notification,
    NotificationDelivery,
    NotificationSettings,
    OneTimeToken,
    RemediationAction,
    Role,
    User,
)

ERASED = "erased"
DECLINED = "declined"


class ErasureRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def pseudonym_email(user_id: int) -> str:
    return f"erased-{user_id}@invalid"


def pseudonym_name(user_id: int) -> str:
    # Stored once, in both languages: pages, exports and the audit log show it as it is.
    return f"Người dùng đã xoá / Erased user #{user_id}"


def is_erased(user: User) -> bool:
    return user.email == pseudonym_email(user.id)


def _other_active_admins(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.province_id == user.province_id, User.role == Role.PROVINCE_ADMIN,
        User.is_active_account.is_(True), User.password_hash.is_not(None), User.id != user.id))


def check_erasable(user: User, actor: User) -> None:
    """Raise ErasureRefused when the user may not be erased by `actor`."""
    if is_erased(user):
        raise ErasureRefused(_("This account is already erased."))
    if user.id == actor.id:
        raise ErasureRefused(_("You cannot erase your own account: ask another province "
                               "administrator."))
    if user.role == Role.PROVINCE_ADMIN and user.is_active and not _other_active_admins(user):
        raise ErasureRefused(_("This is the province's last active administrator: invite "
                               "another administrator before erasing this account."))


def pseudonymise(user: User) -> None:
    """Remove the person from the account and everything that only served them (flush only)."""
    user_id = user.id
    pseudonymise_user(user_id, pseudonym_email(user_id))
    user.name = pseudonym_name(user_id)
    user.email = pseudonym_email(user_id)
    user.phone = None
    user.password_hash = None
    user.locale = None
    user.is_active_account = False
    user.session_version += 1
    mine = select(Notification.id).where(Notification.user_id == user_id)
    db.session.execute(delete(NotificationDelivery)
                       .where(NotificationDelivery.notification_id.in_(mine)))
    for model, column in ((Notification, Notification.user_id), (ApiToken, ApiToken.user_id),
                          (OneTimeToken, OneTimeToken.user_id),
                          (NotificationSettings, NotificationSettings.user_id),
                          (AuditorArea, AuditorArea.user_id)):
        db.session.execute(delete(model).where(column == user_id)
                           .execution_options(synchronize_session=False))
    db.session.execute(update(RemediationAction).where(RemediationAction.owner_user_id == user_id)
                       .values(owner=pseudonym_name(user_id))
                       .execution_options(synchronize_session=False))
    db.session.execute(update(ErasureRequest).where(
        ErasureRequest.user_id == user_id, ErasureRequest.closed_at.is_(None))
        .values(closed_at=now(), outcome=ERASED).execution_options(synchronize_session=False))
    db.session.flush()


def erase(user: User, actor: User) -> None:
    """Erase `user` at the request of a province admin: irreversible; logged without the data."""
    check_erasable(user, actor)
    pseudonymise(user)
    record("user_erased", user, details={"user_id": user.id}, user=actor)


def open_request(user: User) -> ErasureRequest | None:
    return db.session.scalar(select(ErasureRequest).where(
        ErasureRequest.user_id == user.id, ErasureRequest.closed_at.is_(None)))


def request_erasure(user: User) -> ErasureRequest:
    """The user's own request (one open at a time), for their province admin to act on."""
    if user.province_id is None:
        raise ErasureRefused(_("Your account belongs to no province: write to the platform's "
                               "operator to be erased."))
    existing = open_request(user)
    if existing is not None:
        return existing
    made = ErasureRequest(province_id=user.province_id, user_id=user.id)
    db.session.add(made)
    db.session.flush()
    record("erasure_requested", made, user=user)
    return made


def decline(request_row: ErasureRequest, actor: User) -> None:
    """Close a request without erasing (the province must keep this account, say)."""
    if request_row.closed_at is None:
        request_row.closed_at = now()
        request_row.outcome = DECLINED
        db.session.flush()
        record("erasure_declined", request_row, user=actor)
