"""Provinces (tenants), their area tree and the areas' epidemic levels."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.clock import DEFAULT_TIMEZONE
from riskapp.db import Base
from riskapp.models.enums import AreaChange, AreaKind, ProposalStatus
from riskapp.models.types import TZDateTime, enum_column, utcnow

OPEN_AREA = text("valid_to IS NULL")
DEFAULT_REVIEW_GRADES = "high,very_high"


class Province(Base):
    __tablename__ = "province"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # IANA name: the province's "today", due dates and shown times are in this zone.
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE,
                                          server_default=DEFAULT_TIMEZONE)
    # The grades whose submissions the authority reviews (comma-separated Grade values); the
    # others are accepted on submit.
    review_grades: Mapped[str] = mapped_column(String(80), default=DEFAULT_REVIEW_GRADES,
                                               server_default=DEFAULT_REVIEW_GRADES)
    # Revision 0018: the share of planned inspection visits drawn at random (stratified by
    # area), whose audits give each area's unbiased misdeclaration rate.
    random_share: Mapped[float] = mapped_column(Float, default=0.1, server_default="0.1")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    areas: Mapped[list[Area]] = relationship(back_populates="province", lazy="raise")

    def __repr__(self) -> str:
        return f"<Province {self.code}>"


class Area(Base):
    """A node of a province's territory; depth is free (district → commune, or commune only)."""

    __tablename__ = "area"
    __table_args__ = (
        # Open siblings only: a closed area keeps its name while its successor reuses it.
        Index("uq_area_open_sibling_name", "province_id", "parent_id", "name", unique=True,
              sqlite_where=OPEN_AREA, postgresql_where=OPEN_AREA),
        Index("ix_area_province_parent", "province_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    code: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[AreaKind] = mapped_column(enum_column(AreaKind))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # In force on a day when valid_from <= day < valid_to; NULL: since always / still open.
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # A grouping kept from the territory before a reform (a former district), not a current unit.
    former: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    province: Mapped[Province] = relationship(back_populates="areas", lazy="raise")
    parent: Mapped[Area | None] = relationship(remote_side=[id], lazy="select")

    def is_open(self, on: date) -> bool:
        """Whether the area is in force on a day."""
        return ((self.valid_from is None or self.valid_from <= on)
                and (self.valid_to is None or on < self.valid_to))

    def __repr__(self) -> str:
        return f"<Area {self.name}>"


class AreaSuccession(Base):
    """From a date, what an old area became: renamed, merged, split, moved or reformed."""

    __tablename__ = "area_succession"
    __table_args__ = (
        Index("ix_area_succession_old", "old_area_id", "effective_from"),
        Index("ix_area_succession_new", "new_area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    old_area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    new_area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    effective_from: Mapped[date] = mapped_column(Date)
    kind: Mapped[AreaChange] = mapped_column(enum_column(AreaChange))
    # The old area's name (and path) at the change: a rename keeps the area, not its old name.
    old_name: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class AreaLevel(Base):
    """An epidemic level (Resolution 128/NQ-CP) set for an area from a date."""

    __tablename__ = "area_level"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
        Index("ix_area_level_area_from", "area_id", "effective_from"),
        Index("ix_area_level_impact_preview", "impact_preview_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))
    set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    regraded_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # The impact preview this level was applied from (a whole-province level: one per top area).
    impact_preview_id: Mapped[int | None] = mapped_column(
        ForeignKey("impact_preview.id", ondelete="SET NULL"))

    def is_in_force(self, on: date) -> bool:
        return self.effective_from <= on


class LevelProposal(Base):
    """A level an area admin proposes for an area of their own; a province admin approves it
    (which sets the level) or rejects it, once."""

    __tablename__ = "level_proposal"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
        Index("ix_level_proposal_province_status", "province_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus),
                                                   default=ProposalStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))
    # The level an approval set.
    area_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("area_level.id", ondelete="SET NULL")
    )
