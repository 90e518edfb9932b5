"""Writing to the append-only audit log."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from riskapp.db import db
from riskapp.models import AuditLog, Enterprise, Province

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
