"""notifications: messages, one delivery per channel, preferences, users' phone numbers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 17:00:00

notify() records a notification once (unique dedup_key) and one notification_delivery per
enabled channel (unique per notification and channel); notification_settings holds each user's
channels per kind and quiet hours; user_account.phone the number for SMS and Zalo.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}", ondelete=ondelete)


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("phone", sa.String(15)))
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(),
                  _fk("notification", "user_id", "user_account", "CASCADE"), nullable=False),
        sa.Column("province_id", sa.Integer(),
                  _fk("notification", "province_id", "province", "CASCADE")),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("context", JSON),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("dedup_key", name="uq_notification_dedup_key"),
    )
    op.create_index("ix_notification_user_unread", "notification", ["user_id", "read_at"])
    op.create_table(
        "notification_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("notification_id", sa.Integer(),
                  _fk("notification_delivery", "notification_id", "notification", "CASCADE"),
                  nullable=False),
        sa.Column("province_id", sa.Integer(),
                  _fk("notification_delivery", "province_id", "province", "CASCADE")),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer()),
        sa.Column("last_error", sa.Text()),
        sa.Column("provider_message_id", sa.String(100)),
        sa.Column("not_before", sa.DateTime(timezone=True)),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("notification_id", "channel",
                            name="uq_notification_delivery_channel"),
    )
    op.create_index("ix_notification_delivery_status", "notification_delivery",
                    ["province_id", "status"])
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(),
                  _fk("notification_settings", "user_id", "user_account", "CASCADE"),
                  primary_key=True),
        sa.Column("channels", JSON, nullable=False),
        sa.Column("quiet_start", sa.Time()),
        sa.Column("quiet_end", sa.Time()),
    )


def downgrade() -> None:
    op.drop_table("notification_settings")
    op.drop_index("ix_notification_delivery_status", table_name="notification_delivery")
    op.drop_table("notification_delivery")
    op.drop_index("ix_notification_user_unread", table_name="notification")
    op.drop_table("notification")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("phone")
