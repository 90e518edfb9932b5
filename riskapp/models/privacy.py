"""Personal data: each province's retention periods and the erasure requests of its users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.db import Base
from riskapp.models.types import TZDateTime, utcnow
from riskapp.models.user import User


class RetentionSetting(Base):
    """How long one kind of personal data is kept in one province (riskapp/privacy/kinds.py
    names the kinds, their unit and bounds); a kind without a row keeps its default."""

    __tablename__ = "retention_setting"
    __table_args__ = (UniqueConstraint("province_id", "kind", name="uq_retention_setting_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    # In the kind's unit (days or months).
    period: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)


class ErasureRequest(Base):
    """A user's request to be erased; the province admin erases (or declines) and closes it."""

    __tablename__ = "erasure_request"
    __table_args__ = (Index("ix_erasure_request_open", "province_id", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # "erased" or "declined".
    outcome: Mapped[str | None] = mapped_column(String(12))

    user: Mapped[User] = relationship(lazy="joined")
