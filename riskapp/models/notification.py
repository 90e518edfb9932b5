"""Notifications: one message per (user, dedup key), one delivery per channel, each user's
channel preferences and quiet hours."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.db import Base, JSONType
from riskapp.models.types import TZDateTime, utcnow
from riskapp.models.user import User


class Notification(Base):
    """A message to one user, rendered once in their language; the in-app channel is this row."""

    __tablename__ = "notification"
    __table_args__ = (
        # notify() with the same key records nothing more: a repeated run sends nothing twice.
        UniqueConstraint("dedup_key", name="uq_notification_dedup_key"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    province_id: Mapped[int | None] = mapped_column(
        ForeignKey("province.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    dedup_key: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Plain values for the ZNS template's parameters (strings only).
    context: Mapped[dict | None] = mapped_column(JSONType)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    user: Mapped[User] = relationship()


class NotificationDelivery(Base):
    """One channel's delivery of one notification: the delivery log and the dead-letter list."""

    __tablename__ = "notification_delivery"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="uq_notification_delivery_channel"),
        Index("ix_notification_delivery_status", "province_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"))
    province_id: Mapped[int | None] = mapped_column(
        ForeignKey("province.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(100))
    # Quiet hours: not sent before this moment (None: at once).
    not_before: Mapped[datetime | None] = mapped_column(TZDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    # Loaded on use (not joined): the delivery task locks its row FOR UPDATE, which PostgreSQL
    # refuses on the nullable side of an outer join.
    notification: Mapped[Notification] = relationship()


class NotificationSettings(Base):
    """A user's choices: the channels of each kind, and quiet hours in their province's zone."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    # {kind: [channel, …]}; a kind not listed takes the defaults.
    channels: Mapped[dict] = mapped_column(JSONType, default=dict)
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
