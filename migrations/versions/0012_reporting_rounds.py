"""reporting rounds and their frozen targets

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:00:00

A province opens a round asking a set of enterprises to re-assess by a date; the targets are
frozen at opening (so "expected" does not drift) and carry their receipt, set on submission, so
the progress page is one GROUP BY over an index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _user_fk(table: str, column: str) -> sa.Column:
    return sa.Column(column, sa.Integer(), sa.ForeignKey(
        "user_account.id", name=f"fk_{table}_{column}_user_account", ondelete="SET NULL"))


def upgrade() -> None:
    op.create_table(
        "reporting_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_id", sa.Integer(), sa.ForeignKey(
            "province.id", name="fk_reporting_round_province_id_province", ondelete="CASCADE"),
            nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date()),
        sa.Column("criteria", _json(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        _user_fk("reporting_round", "created_by_id"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("reporting_round", "closed_by_id"),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("snapshot", _json()),
        sa.Column("xlsx_file", sa.String(120)),
        sa.Column("pdf_file", sa.String(120)),
    )
    op.create_index("ix_reporting_round_province_status", "reporting_round",
                    ["province_id", "status"])
    op.create_table(
        "round_target",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey(
            "reporting_round.id", name="fk_round_target_round_id_reporting_round",
            ondelete="CASCADE"), nullable=False),
        sa.Column("province_id", sa.Integer(), sa.ForeignKey(
            "province.id", name="fk_round_target_province_id_province", ondelete="CASCADE"),
            nullable=False),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey(
            "enterprise.id", name="fk_round_target_enterprise_id_enterprise",
            ondelete="CASCADE"), nullable=False),
        sa.Column("area_id", sa.Integer(), sa.ForeignKey(
            "area.id", name="fk_round_target_area_id_area"), nullable=False),
        sa.Column("assessment_id", sa.Integer(), sa.ForeignKey(
            "assessment.id", name="fk_round_target_assessment_id_assessment",
            ondelete="SET NULL")),
        sa.Column("received_at", sa.DateTime(timezone=True)),
        sa.Column("received_on", sa.Date()),
        sa.Column("on_time", sa.Boolean()),
        sa.Column("accepted_on", sa.Date()),
        sa.UniqueConstraint("round_id", "enterprise_id", name="uq_round_target_enterprise"),
    )
    op.create_index("ix_round_target_progress", "round_target",
                    ["round_id", "province_id", "area_id", "received_on", "on_time",
                     "accepted_on"])
    op.create_index("ix_round_target_missing", "round_target",
                    ["round_id", "province_id", "received_on", "area_id", "enterprise_id"])
    op.create_index("ix_round_target_enterprise", "round_target", ["enterprise_id", "received_on"])


def downgrade() -> None:
    op.drop_index("ix_round_target_enterprise", table_name="round_target")
    op.drop_index("ix_round_target_missing", table_name="round_target")
    op.drop_index("ix_round_target_progress", table_name="round_target")
    op.drop_table("round_target")
    op.drop_index("ix_reporting_round_province_status", table_name="reporting_round")
    op.drop_table("reporting_round")
