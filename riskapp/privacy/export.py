"""A person's data as one JSON document (the right of access and portability): their profile,
roles and areas, what the audit log says they did, their submissions, the messages sent to them,
their API tokens (never a secret or a hash). Nothing about anyone else."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import (
    ApiToken,
    Area,
    Assessment,
    AuditLog,
    AuditorArea,
    ErasureRequest,
    Evidence,
    Notification,
    NotificationDelivery,
    NotificationSettings,
    Province,
    User,
)
from riskapp.tenancy import OWNER_COLUMNS


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return getattr(value, "value", value)


def _rows(statement, *fields: str) -> list[dict]:
    return [{name: _value(getattr(row, name)) for name in fields}
            for row in db.session.scalars(statement)]


def _profile(user: User) -> dict:
    province = db.session.get(Province, user.province_id) if user.province_id else None
    enterprise = user.enterprise
    return {
        "id": user.id, "email": user.email, "name": user.name, "phone": user.phone,
        "role": user.role.value, "locale": user.locale,
        "active": user.is_active_account, "created_at": _value(user.created_at),
        "last_login_at": _value(user.last_login_at),
        "province": province and {"code": province.code, "name": province.name},
        "enterprise": enterprise and {"name": enterprise.name, "tax_code": enterprise.tax_code},
        "areas": list(db.session.scalars(select(Area.name).join(
            AuditorArea, AuditorArea.area_id == Area.id).where(AuditorArea.user_id == user.id)
            .order_by(Area.name))),
    }


def _notifications(user_id: int) -> list[dict]:
    found = _rows(select(Notification).where(Notification.user_id == user_id)
                  .order_by(Notification.id),
                  "id", "kind", "subject", "body", "created_at", "read_at")
    deliveries = db.session.execute(select(
        NotificationDelivery.notification_id, NotificationDelivery.channel,
        NotificationDelivery.status, NotificationDelivery.delivered_at).where(
        NotificationDelivery.notification_id.in_([row["id"] for row in found]))).all()
    for row in found:
        row["deliveries"] = [{"channel": channel, "status": status, "delivered_at": _value(at)}
                             for notification_id, channel, status, at in deliveries
                             if notification_id == row["id"]]
    return found


def _preferences(user_id: int) -> dict | None:
    settings = db.session.get(NotificationSettings, user_id)
    if settings is None:
        return None
    return {"channels": settings.channels, "quiet_start": _value(settings.quiet_start),
            "quiet_end": _value(settings.quiet_end)}


def personal_data(user: User) -> dict:
    """Everything the app holds about `user`, as plain JSON values."""
    uid = user.id
    return {
        "profile": _profile(user),
        # What they did; details are left out: they may name other people.
        "audit_entries": _rows(select(AuditLog).where(AuditLog.user_id == uid)
                               .order_by(AuditLog.id),
                               "at", "action", "object_type", "object_id", "ip"),
        "submissions": _rows(select(Assessment).where(Assessment.submitted_by_id == uid)
                             .order_by(Assessment.id),
                             "id", "enterprise_id", "assessed_on", "submitted_at", "status",
                             "grade"),
        "uploaded_evidence": _rows(select(Evidence).where(Evidence.uploaded_by_id == uid)
                                   .order_by(Evidence.id),
                                   "id", "assessment_id", "item_id", "original_name",
                                   "content_type", "size_bytes", "created_at"),
        "notifications": _notifications(uid),
        "notification_preferences": _preferences(uid),
        "api_tokens": _rows(select(ApiToken).where(OWNER_COLUMNS[ApiToken] == uid)
                            .order_by(ApiToken.id),
                            "name", "prefix", "scopes", "created_at", "expires_at",
                            "last_used_at", "revoked_at"),
        "erasure_requests": _rows(select(ErasureRequest).where(ErasureRequest.user_id == uid)
                                  .order_by(ErasureRequest.id),
                                  "created_at", "closed_at", "outcome"),
    }


def as_json(user: User) -> bytes:
    return json.dumps(personal_data(user), ensure_ascii=False, indent=2).encode("utf-8")


def filename(user: User) -> str:
    return f"my-data-{user.id}.json"
