"""Writing to the append-only audit log."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select, text, update

from riskapp.db import db
from riskapp.models import AuditLog, Enterprise, Province, User

# How the log names a row's kind where its table name says it less plainly.
OBJECT_TYPES = {"user_account": "user"}


def _object_type(obj) -> str:  # a row or a model class
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
           object_type: str | None = None) -> AuditLog:
    """Add one audit entry about `obj` (a row: its kind, id, province and enterprise are read from
    it) by the current (or given) user; the request's commit stores it.

    `object_type` names what was acted on when it is not a row (an export, an import)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    province_id, enterprise_id = _tenant_of(obj, user)
    entry = AuditLog(
        action=action,
        user_id=getattr(user, "id", None),
        user_email=getattr(user, "email", None),
        province_id=province_id,
        enterprise_id=enterprise_id,
        object_type=object_type or (_object_type(obj) if obj is not None else None),
        object_id=None if obj is None else str(obj.id),
        details=details,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


# --- personal data in the log (interim: branch audittrail moves addresses into an erasable side
# table and replaces these two; callers rely only on what the names say) -----------------------

def forget_addresses(before: datetime) -> int:
    """Forget the IP addresses of entries written before `before`; how many entries lost one.
    Flushes only (the caller commits)."""
    result = db.session.execute(
        text("UPDATE audit_log SET ip = NULL WHERE ip IS NOT NULL AND at < :before"),
        {"before": before})
    return result.rowcount or 0


def pseudonymise_user(user_id: int, pseudonym: str) -> int:
    """Replace a user's identity in the log by `pseudonym`: their e-mail (and IP) in the entries
    they made, and their e-mail in the details of entries about them; how many entries changed."""
    email = db.session.scalar(select(User.email).where(User.id == user_id))
    changed = db.session.execute(
        text("UPDATE audit_log SET user_email = :pseudonym, ip = NULL WHERE user_id = :user_id"),
        {"pseudonym": pseudonym, "user_id": user_id}).rowcount or 0
    about = db.session.execute(select(AuditLog.id, AuditLog.details).where(
        AuditLog.object_type == _object_type(User), AuditLog.object_id == str(user_id))).all()
    for entry_id, details in about:
        if email and details and email in details.values():
            cleaned = {key: pseudonym if value == email else value
                       for key, value in details.items()}
            # Core UPDATE: the ORM's append-only guard (models/audit.py) stays for everything else.
            db.session.execute(update(AuditLog.__table__).where(AuditLog.__table__.c.id == entry_id)
                               .values(details=cleaned))
            changed += 1
    return changed
