"""levels proposed by commune/ward administrators, decided by the province

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 14:00:00

An area admin proposes an epidemic level for an area of their own; a province admin approves it
(which sets the level, riskapp.province.regrade) or rejects it with a note, once: the decision is a
conditional UPDATE on status = 'pending'.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _user(column: str) -> sa.Column:
    return sa.Column(column, sa.Integer(), sa.ForeignKey(
        "user_account.id", name=f"fk_level_proposal_{column}_user_account", ondelete="SET NULL"))


def upgrade() -> None:
    op.create_table(
        "level_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_id", sa.Integer(), sa.ForeignKey(
            "province.id", name="fk_level_proposal_province_id_province", ondelete="CASCADE"),
            nullable=False),
        sa.Column("area_id", sa.Integer(), sa.ForeignKey(
            "area.id", name="fk_level_proposal_area_id_area", ondelete="CASCADE"),
            nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        _user("proposed_by_id"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Enum("pending", "approved", "rejected", name="proposalstatus",
                                    native_enum=False, length=20), nullable=False),
        _user("decided_by_id"),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_note", sa.String(500)),
        sa.Column("area_level_id", sa.Integer(), sa.ForeignKey(
            "area_level.id", name="fk_level_proposal_area_level_id_area_level",
            ondelete="SET NULL")),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name=op.f("ck_level_proposal_level_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_level_proposal")),
    )
    op.create_index("ix_level_proposal_province_status", "level_proposal",
                    ["province_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_level_proposal_province_status", table_name="level_proposal")
    op.drop_table("level_proposal")
