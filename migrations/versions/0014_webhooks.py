"""outbound webhooks: endpoints, the change-event log, deliveries

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 15:10:00

A province registers webhook endpoints; every event is appended to change_event (the pull feed
reads it too) and one delivery per subscribed endpoint is recorded, unique per (endpoint, event).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_id", sa.Integer(),
                  _fk("webhook_endpoint", "province_id", "province", "CASCADE"), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("description", sa.String(200)),
        sa.Column("events", JSON, nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(200)),
        sa.Column("created_by_id", sa.Integer(),
                  _fk("webhook_endpoint", "created_by_id", "user_account", "SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_webhook_endpoint_province", "webhook_endpoint", ["province_id", "active"])
    op.create_table(
        "change_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_id", sa.Integer(),
                  _fk("change_event", "province_id", "province", "CASCADE"), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enterprise_id", sa.Integer()),
        sa.Column("area_id", sa.Integer()),
        sa.Column("payload", JSON, nullable=False),
    )
    op.create_index("ix_change_event_province", "change_event", ["province_id", "id"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("endpoint_id", sa.Integer(),
                  _fk("webhook_delivery", "endpoint_id", "webhook_endpoint", "CASCADE"),
                  nullable=False),
        sa.Column("event_id", sa.Integer(),
                  _fk("webhook_delivery", "event_id", "change_event", "CASCADE"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer()),
        sa.Column("last_error", sa.Text()),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_delivery_endpoint_event"),
    )
    op.create_index("ix_webhook_delivery_status", "webhook_delivery", ["endpoint_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_status", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_change_event_province", table_name="change_event")
    op.drop_table("change_event")
    op.drop_index("ix_webhook_endpoint_province", table_name="webhook_endpoint")
    op.drop_table("webhook_endpoint")
