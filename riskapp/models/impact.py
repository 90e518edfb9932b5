"""Impact previews: what a level change or a checklist activation would do, before it is made."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from riskapp.db import Base, JSONType
from riskapp.models.enums import JobStatus
from riskapp.models.types import TZDateTime, enum_column, utcnow

# What a preview proposes (the `kind` column).
AREA_LEVEL = "area_level"
PROVINCE_LEVEL = "province_level"
CHECKLIST_ACTIVATION = "checklist_activation"
KINDS = (AREA_LEVEL, PROVINCE_LEVEL, CHECKLIST_ACTIVATION)


class ImpactPreview(Base):
    """A proposed change replayed over the current assessments in the background; its figures
    are stored as JSON, and the decision it led to (if applied) points back at it."""

    __tablename__ = "impact_preview"
    __table_args__ = (Index("ix_impact_preview_province_created", "province_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    level: Mapped[int | None] = mapped_column(Integer)
    effective_from: Mapped[date | None] = mapped_column(Date)
    checklist_version_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_version.id"))
    active_from: Mapped[date | None] = mapped_column(Date)
    # The proposal whose approval is previewed (applying it approves the proposal). No foreign
    # key: level_proposal already points at area_level, which points here (a cycle would leave
    # the backup's table order undefined).
    proposal_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    # The level in force for the area when the preview was asked (a later change makes it stale).
    level_before: Mapped[int | None] = mapped_column(Integer)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # Claimed by one conditional UPDATE: two clicks on "Apply" make one decision.
    applied_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
