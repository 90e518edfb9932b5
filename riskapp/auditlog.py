"""Writing to the append-only audit log."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from riskapp.db import db
from riskapp.models import AuditLog


def record(
    action: str,
    *,
    province_id: int | None = None,
    enterprise_id: int | None = None,
    object_type: str | None = None,
    object_id: object = None,
    details: dict | None = None,
    user=None,
) -> AuditLog:
    """Add one audit entry for the current (or given) user; the request's commit stores it."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    entry = AuditLog(
        action=action,
        user_id=getattr(user, "id", None),
        user_email=getattr(user, "email", None),
        province_id=province_id if province_id is not None else getattr(user, "province_id", None),
        enterprise_id=enterprise_id,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
