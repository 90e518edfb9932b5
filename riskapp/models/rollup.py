"""Province roll-ups that the dashboards read instead of scanning assessment history."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from riskapp.db import Base
from riskapp.models.enums import Grade
from riskapp.models.types import enum_column


class WeeklyGradeCount(Base):
    """Submitted assessments per ISO week (Monday), area and submitted grade: the trend chart."""

    __tablename__ = "weekly_grade_count"

    province_id: Mapped[int] = mapped_column(
        ForeignKey("province.id", ondelete="CASCADE"), primary_key=True
    )
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    area_id: Mapped[int] = mapped_column(
        ForeignKey("area.id", ondelete="CASCADE"), primary_key=True
    )
    grade: Mapped[Grade] = mapped_column(enum_column(Grade), primary_key=True)
    assessments: Mapped[int] = mapped_column(Integer, default=0)
