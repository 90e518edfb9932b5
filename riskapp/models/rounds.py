"""Reporting rounds: a province asks a set of enterprises to re-assess by a date, and counts who
did (DHIS2-style reporting rates)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from riskapp.db import Base, JSONType
from riskapp.models.enums import RoundStatus
from riskapp.models.types import TZDateTime, enum_column, utcnow


class ReportingRound(Base):
    __tablename__ = "reporting_round"
    __table_args__ = (Index("ix_reporting_round_province_status", "province_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    # After this day a submission no longer counts (None: until the round is closed).
    closes_on: Mapped[date | None] = mapped_column(Date)
    # What was asked for: {"area_ids": [...], "levels": [...], "industries": [...],
    # "size_bands": [...]}; the targets themselves are frozen in round_target.
    criteria: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[RoundStatus] = mapped_column(enum_column(RoundStatus),
                                                default=RoundStatus.OPEN)
    expected: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # The figures at closing (never recomputed) and the summary files made from them.
    snapshot: Mapped[dict | None] = mapped_column(JSONType)
    xlsx_file: Mapped[str | None] = mapped_column(String(120))
    pdf_file: Mapped[str | None] = mapped_column(String(120))

    def __repr__(self) -> str:
        return f"<ReportingRound {self.id} {self.status}>"


class RoundTarget(Base):
    """One enterprise a round expects, frozen at opening with its area then; the receipt columns
    are set by the first submission in the round's window (riskapp.rounds.receipts)."""

    __tablename__ = "round_target"
    __table_args__ = (
        UniqueConstraint("round_id", "enterprise_id", name="uq_round_target_enterprise"),
        # The progress page is one GROUP BY over these columns (an index-only scan).
        Index("ix_round_target_progress", "round_id", "province_id", "area_id", "received_on",
              "on_time", "accepted_on"),
        # The targets not reported yet, a page at a time in area order, counted from the index.
        Index("ix_round_target_missing", "round_id", "province_id", "received_on", "area_id",
              "enterprise_id"),
        # A submission finds its enterprise's open targets; an officer's home page too.
        Index("ix_round_target_enterprise", "enterprise_id", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_round.id", ondelete="CASCADE"))
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL"))
    received_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # The province's day of the submission (Assessment.assessed_on).
    received_on: Mapped[date | None] = mapped_column(Date)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    # The province's day a submission made in the window was accepted (by review or because its
    # grade is not reviewed): riskapp.rounds.receipts.record_acceptance.
    accepted_on: Mapped[date | None] = mapped_column(Date)
