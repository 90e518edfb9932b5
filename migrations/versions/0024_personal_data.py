"""personal data: retention periods per province and kind, erasure requests

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 00:30:00

`retention_setting` holds one province's period for one kind of personal data (a kind without a
row keeps its default, riskapp/privacy/kinds.py); `erasure_request` a user's request to be erased,
open until the province admin erases or declines.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}",
                         ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "retention_setting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_id", sa.Integer(),
                  _fk("retention_setting", "province_id", "province"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("province_id", "kind", name="uq_retention_setting_kind"),
    )
    op.create_table(
        "erasure_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_id", sa.Integer(),
                  _fk("erasure_request", "province_id", "province"), nullable=False),
        sa.Column("user_id", sa.Integer(),
                  _fk("erasure_request", "user_id", "user_account"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.String(12)),
    )
    op.create_index("ix_erasure_request_open", "erasure_request", ["province_id", "closed_at"])


def downgrade() -> None:
    op.drop_index("ix_erasure_request_open", table_name="erasure_request")
    op.drop_table("erasure_request")
    op.drop_table("retention_setting")
