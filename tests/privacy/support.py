"""Rows dated in the past, and readers, for the personal-data tests."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import AuditLog, OneTimeToken, RetentionSetting, TokenPurpose


def travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def set_period(province_id: int, kind: str, period: int) -> None:
    db.session.add(RetentionSetting(province_id=province_id, kind=kind, period=period))
    db.session.flush()


def token(user_id: int, expires_at: datetime, used_at: datetime | None = None) -> int:
    row = OneTimeToken(user_id=user_id, purpose=TokenPurpose.RESET,
                       token_hash=secrets.token_hex(32), expires_at=expires_at, used_at=used_at)
    db.session.add(row)
    db.session.flush()
    return row.id


def retention_entries() -> list[tuple[int | None, str, int]]:
    """(province, kind, count) of every retention audit entry, in order."""
    rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "privacy_retention")
                              .order_by(AuditLog.id))
    return [(row.province_id, row.details["kind"], row.details["count"]) for row in rows]
