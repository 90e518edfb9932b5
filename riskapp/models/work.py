"""The background-work outbox: each item is written in the transaction of the data it serves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from riskapp.db import Base, JSONType
from riskapp.models.enums import JobStatus
from riskapp.models.types import TZDateTime, enum_column, utcnow

# An item is "live" until it is done or has failed for good: one live item per key.
LIVE = text("status IN ('queued', 'running')")


class WorkItem(Base):
    """One task to run in the background ("module:function" and its arguments), its attempts and
    the lease of the worker running it; the dispatcher re-queues an item whose lease ran out."""

    __tablename__ = "work_item"
    __table_args__ = (
        Index("ix_work_item_status_available", "status", "available_at"),
        Index("uq_work_item_live_key", "key", unique=True,
              sqlite_where=LIVE, postgresql_where=LIVE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(120))
    args: Mapped[list] = mapped_column(JSONType)
    # e.g. "report:42": two clicks or two requests never queue the same work twice.
    key: Mapped[str | None] = mapped_column(String(120))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    budget_seconds: Mapped[int] = mapped_column(Integer)
    available_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # Last hand-over to RQ or the pool; a queued item not picked up soon after is handed again.
    handed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    started_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(TZDateTime)
    worker: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    def __repr__(self) -> str:
        return (f"<WorkItem {self.id} {self.task} {self.status.value} "
                f"{self.attempts}/{self.max_attempts}>")
