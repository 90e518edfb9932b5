"""Writing to the append-only audit log, and erasing the personal data kept beside it."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from riskapp import auditchain  # noqa: F401 - chains new entries at flush (a session event)
from riskapp.db import db
from riskapp.models import AuditLog, AuditLogPersonal, Enterprise, Province

# Where a session keeps the entries record() made until its commit.
STAGED = "riskapp.audit_staged"

# How the log names a row's kind where its table name says it less plainly.
OBJECT_TYPES = {"user_account": "user"}


def _object_type(obj) -> str:
    table = obj.__tablename__
    return OBJECT_TYPES.get(table, table)


def _tenant_of(obj, user) -> tuple[int | None, int | None]:
    """(province, enterprise) an entry belongs to: the object's, else the acting user's."""
    if isinstance(obj, Province):
        return obj.id, None
    if isinstance(obj, Enterprise):
        return obj.province_id, obj.id
    province_id = getattr(obj, "province_id", None)
    if province_id is not None:
        return province_id, getattr(obj, "enterprise_id", None)
    # Nothing of a tenant's (a login, an export, the user's own API token): the user's place.
    return getattr(user, "province_id", None), getattr(user, "enterprise_id", None)


def record(action: str, obj=None, *, details: dict | None = None, user=None,
           object_type: str | None = None, subject_email: str | None = None) -> AuditLog:
    """Add one audit entry about `obj` (a row: its kind, id, province and enterprise are read from
    it) by the current (or given) user; the request's commit stores it.

    `object_type` names what was acted on when it is not a row (an export, an import).
    `subject_email`: the e-mail of the person acted on (an invitation), kept with the acting
    user's e-mail and IP in the erasable side table, never in `details`. The entry joins the
    session at the commit (it is chained then, under the chain's lock: riskapp.auditchain); no
    caller needs its id before."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    province_id, enterprise_id = _tenant_of(obj, user)
    entry = AuditLog(
        action=action,
        user_id=getattr(user, "id", None),
        province_id=province_id,
        enterprise_id=enterprise_id,
        object_type=object_type or (_object_type(obj) if obj is not None else None),
        object_id=None if obj is None else str(obj.id),
        details=details,
    )
    email = getattr(user, "email", None)
    ip = request.remote_addr if has_request_context() else None
    if email or subject_email or ip:
        entry.personal = AuditLogPersonal(user_email=email, subject_email=subject_email, ip=ip)
    if not db.session.in_transaction():
        db.session.begin()  # so that a rollback before the commit drops the staged entry too
    db.session.info.setdefault(STAGED, []).append(entry)
    return entry


@event.listens_for(Session, "before_commit")
def _add_staged(session: Session) -> None:
    staged = session.info.pop(STAGED, None)
    if staged:
        # The request's other changes first: the chain's lock is then taken last, held only for
        # these inserts and the commit, and never while waiting for another row's lock (a
        # writer holding that row would wait for the chain's lock: a deadlock).
        session.flush()
        session.add_all(staged)
        session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _drop_staged(session: Session, previous_transaction) -> None:
    # Only the whole transaction's end drops them (a savepoint's rollback keeps the rest).
    if previous_transaction.parent is None:
        session.info.pop(STAGED, None)


def _about_user(user_id: int):
    return select(AuditLog.id).where(AuditLog.object_type == "user",
                                     AuditLog.object_id == str(user_id))


def pseudonymise_user(user_id: int, pseudonym: str) -> int:
    """Every entry by or about the user shows `pseudonym` instead of their e-mail, and the entries
    they made lose their IP address (the salt goes too: the entry's digest then links to no one).
    Returns the entries changed; flushes only."""
    by_user = select(AuditLog.id).where(AuditLog.user_id == user_id)
    changed = set(db.session.scalars(select(AuditLogPersonal.audit_id).where(
        AuditLogPersonal.audit_id.in_(by_user) | AuditLogPersonal.audit_id.in_(
            _about_user(user_id)))))
    db.session.execute(update(AuditLogPersonal).where(AuditLogPersonal.audit_id.in_(by_user))
                       .values(user_email=pseudonym, ip=None, salt=None)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(AuditLogPersonal)
                       .where(AuditLogPersonal.audit_id.in_(_about_user(user_id)))
                       .values(subject_email=pseudonym, salt=None)
                       .execution_options(synchronize_session=False))
    db.session.expire_all()
    db.session.flush()
    return len(changed)


def forget_addresses(before: datetime) -> int:
    """Remove the IP addresses of entries recorded before `before`. Returns the entries changed;
    flushes only."""
    older = select(AuditLog.id).where(AuditLog.at < before)
    result = db.session.execute(
        update(AuditLogPersonal)
        .where(AuditLogPersonal.audit_id.in_(older), AuditLogPersonal.ip.is_not(None))
        .values(ip=None, salt=None).execution_options(synchronize_session=False))
    db.session.expire_all()
    db.session.flush()
    return result.rowcount


def shown_user(entry: AuditLog) -> str:
    """Who acted, as the viewers show it: the e-mail, else (personal data erased) a pseudonym."""
    if entry.user_email:
        return entry.user_email
    if entry.user_id is not None and entry.personal_digest is not None:
        return _("Erased user #%(id)s", id=entry.user_id)
    return "—"
