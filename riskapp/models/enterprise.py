"""Enterprises, the units that assess themselves."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.db import Base
from riskapp.models.territory import Area
from riskapp.models.types import TZDateTime, utcnow

if TYPE_CHECKING:
    from riskapp.models.assessment import EnterpriseStatus


class Enterprise(Base):
    __tablename__ = "enterprise"
    __table_args__ = (
        Index("ix_enterprise_province_area", "province_id", "area_id"),
        Index("ix_enterprise_province_industry", "province_id", "industry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # province_id is the tenant key: copied from the area so every scoped query filters one column.
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    tax_code: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    industry: Mapped[str] = mapped_column(String(1))  # VSIC 2018 section letter A–U
    industry_division: Mapped[str | None] = mapped_column(String(2))
    address: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    has_canteen: Mapped[bool] = mapped_column(Boolean, default=False)
    has_shuttle: Mapped[bool] = mapped_column(Boolean, default=False)
    has_dormitory: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)

    area: Mapped[Area] = relationship(lazy="joined")
    # The roll-up row (riskapp.province.rollups keeps it); read only, loaded when asked for.
    status: Mapped[EnterpriseStatus | None] = relationship(
        "EnterpriseStatus", viewonly=True, uselist=False, lazy="select")

    def __repr__(self) -> str:
        return f"<Enterprise {self.tax_code}>"
