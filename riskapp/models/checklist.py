"""Checklist versions (immutable definitions) and their activation by a province."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.db import Base
from riskapp.models.types import TZDateTime, utcnow

SHIPPED = text("province_id IS NULL")


class ChecklistVersion(Base):
    """The definition text a checklist version was loaded from, stored so it can be rebuilt.

    A shipped checklist (no province) is shared by every province; a version a province uploaded
    is that province's own (riskapp.tenancy decides who reads it). Revision 0007."""

    __tablename__ = "checklist_version"
    __table_args__ = (
        # A key and version names one shipped definition, and one per province for uploads.
        Index("uq_checklist_version_shipped", "checklist_key", "version", unique=True,
              sqlite_where=SHIPPED, postgresql_where=SHIPPED),
        UniqueConstraint("province_id", "checklist_key", "version",
                         name="uq_checklist_version_province"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    checklist_key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    title_vi: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(String(255))
    # Deferred: the whole definition file, read only to parse it once per process.
    source_text: Mapped[str] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<ChecklistVersion {self.checklist_key} v{self.version}>"


class ChecklistActivation(Base):
    """A province uses a checklist version from a date until a later activation replaces it."""

    __tablename__ = "checklist_activation"
    __table_args__ = (
        Index("ix_checklist_activation_province_from", "province_id", "active_from"),
        # Revision 0018: one activation per applied impact preview, kept by the database.
        Index("uq_checklist_activation_impact_preview", "impact_preview_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    checklist_version_id: Mapped[int] = mapped_column(ForeignKey("checklist_version.id"))
    active_from: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # The impact preview it was applied from: one activation per preview.
    impact_preview_id: Mapped[int | None] = mapped_column(
        ForeignKey("impact_preview.id", ondelete="SET NULL"))

    checklist_version: Mapped[ChecklistVersion] = relationship(lazy="joined")
