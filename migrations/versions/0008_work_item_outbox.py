"""background work is recorded with the data it serves (the work_item outbox)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 11:00:00

Reports stayed pending for good when their render job was lost with a killed worker, a restarted
Redis or a database outage: the job lived only in the queue. Each task is now a work_item row,
written in the transaction of the data it serves; a dispatcher hands it to RQ or the pool and
re-queues it when its worker's lease runs out. Reports left pending by the old design get an item
here, so the first dispatcher period after the upgrade renders them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
LIVE = sa.text("status IN ('queued', 'running')")
RENDER_TASK = "riskapp.reports.services:render_report_task"


def upgrade() -> None:
    op.create_table(
        "work_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task", sa.String(120), nullable=False),
        sa.Column("args", JSON, nullable=False),
        sa.Column("key", sa.String(120)),
        sa.Column("province_id", sa.Integer(),
                  sa.ForeignKey("province.id", name="fk_work_item_province_id_province",
                                ondelete="CASCADE")),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("budget_seconds", sa.Integer(), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handed_at", sa.DateTime(timezone=True)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("worker", sa.String(120)),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_work_item_status_available", "work_item", ["status", "available_at"])
    op.create_index("uq_work_item_live_key", "work_item", ["key"], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)
    _queue_pending_reports()


def _queue_pending_reports() -> None:
    """One item per report still pending: the old design may have lost its job."""
    report = sa.table("report", sa.column("id"), sa.column("province_id"), sa.column("status"))
    item = sa.table(
        "work_item", sa.column("args", JSON), *(sa.column(name) for name in (
            "task", "key", "province_id", "status", "attempts", "max_attempts",
            "budget_seconds", "available_at", "created_at")),
    )
    connection = op.get_bind()
    pending = connection.execute(
        sa.select(report.c.id, report.c.province_id).where(report.c.status == "pending")
    ).all()
    now = sa.func.current_timestamp()
    for report_id, province_id in pending:
        connection.execute(sa.insert(item).values(
            task=RENDER_TASK, args=[report_id],
            key=f"report:{report_id}", province_id=province_id, status="queued", attempts=0,
            max_attempts=3, budget_seconds=120, available_at=now, created_at=now,
        ))


def downgrade() -> None:
    op.drop_index("uq_work_item_live_key", table_name="work_item")
    op.drop_index("ix_work_item_status_available", table_name="work_item")
    op.drop_table("work_item")
