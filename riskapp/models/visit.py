"""Inspection visits: the province assigns an enterprise to an auditor with a planned date."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.db import Base
from riskapp.models.enterprise import Enterprise
from riskapp.models.types import TZDateTime, enum_column, utcnow


class VisitStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


OPEN_VISIT = text("status = 'planned'")


class InspectionVisit(Base):
    __tablename__ = "inspection_visit"
    __table_args__ = (
        # One open visit per enterprise and auditor, kept by the database: a double click (or two
        # managers at once) cannot plan the same visit twice.
        Index("uq_inspection_visit_open", "enterprise_id", "auditor_id", unique=True,
              sqlite_where=OPEN_VISIT, postgresql_where=OPEN_VISIT),
        Index("ix_inspection_visit_auditor", "auditor_id", "status", "planned_on"),
        Index("ix_inspection_visit_province", "province_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    auditor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    planned_on: Mapped[date] = mapped_column(Date)
    status: Mapped[VisitStatus] = mapped_column(enum_column(VisitStatus),
                                                default=VisitStatus.PLANNED)
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # Revision 0018: drawn by the random share, not targeted; only these audits estimate an
    # area's misdeclaration rate without bias.
    at_random: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
