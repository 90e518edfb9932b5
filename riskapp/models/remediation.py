"""Remediation actions born from the failing items of a submitted assessment."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.db import Base
from riskapp.models.enums import ActionStatus, Priority
from riskapp.models.types import TZDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from riskapp.models.user import User


class RemediationAction(Base):
    __tablename__ = "remediation_action"
    __table_args__ = (
        Index("ix_action_enterprise_status", "enterprise_id", "status"),
        Index("ix_action_province_due", "province_id", "status", "due_on"),
        # Added by revision 0004: failing items of current assessments, read from the index.
        Index("ix_action_assessment_item", "assessment_id", "item_id", "critical"),
        Index("ix_action_item_assessment", "item_id", "assessment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(40))
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, length=2))
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    points: Mapped[float] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    action_vi: Mapped[str] = mapped_column(Text)
    action_en: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus), default=ActionStatus.OPEN
    )
    owner: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Revision 0013: what the authority wrote when it verified or sent the action back; the
    # version a verification or an edit must still see (a conditional UPDATE compares it); an
    # owner chosen among the enterprise's users (`owner` keeps the name shown).
    review_note: Mapped[str | None] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    # Who verified it, for the officer's page (read only; loaded when asked for).
    verified_by: Mapped[User | None] = relationship(
        "User", foreign_keys=[verified_by_id], viewonly=True, lazy="select")
    owner_user: Mapped[User | None] = relationship(
        "User", foreign_keys=[owner_user_id], viewonly=True, lazy="select")

    def action_text(self, lang: str) -> str:
        return self.action_en if lang == "en" else self.action_vi

    def is_overdue(self, today: date) -> bool:
        return not self.status.is_closed and self.due_on < today
