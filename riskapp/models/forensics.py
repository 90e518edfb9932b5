"""Forensic signals: why a self-assessment is unlikely to be true, for the province to look at."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from riskapp.db import Base, JSONType
from riskapp.models.types import TZDateTime, utcnow

FLAG_KINDS = ("photo_reuse", "identical_answers", "implausible", "too_fast")
OPEN, DISMISSED = "open", "dismissed"


class ForensicFlag(Base):
    __tablename__ = "forensic_flag"
    __table_args__ = (
        # Re-running a detector finds the same (assessment, kind, key) and adds nothing.
        Index("uq_forensic_flag", "assessment_id", "kind", "key", unique=True),
        Index("ix_forensic_flag_list", "province_id", "status", "kind", "id"),
        Index("ix_forensic_flag_enterprise", "enterprise_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    # What makes this flag one of its kind on the assessment (the other evidence, the rule…).
    key: Mapped[str] = mapped_column(String(120))
    reason: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    dismissed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    dismissed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    dismissal_note: Mapped[str | None] = mapped_column(Text)
