"""province dashboard roll-ups: weekly grade counts and covering indexes on enterprise_status

Revision ID: 0002_province
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_province"
down_revision = "0001"
branch_labels = None
depends_on = None

GRADES = ("very_low", "low", "medium", "high", "very_high")


def upgrade() -> None:
    op.create_table(
        "weekly_grade_count",
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "grade",
            sa.Enum(*GRADES, name="grade", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("assessments", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["province_id"], ["province.id"],
            name=op.f("fk_weekly_grade_count_province_id_province"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"],
            name=op.f("fk_weekly_grade_count_area_id_area"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "province_id", "week_start", "area_id", "grade", name=op.f("pk_weekly_grade_count")
        ),
    )
    with op.batch_alter_table("enterprise_status") as batch_op:
        # Covering indexes: the dashboard groups by area or industry and grade without the table.
        batch_op.create_index(
            "ix_enterprise_status_area_grade", ["province_id", "area_id", "effective_grade"]
        )
        batch_op.create_index(
            "ix_enterprise_status_industry_grade", ["province_id", "industry", "effective_grade"]
        )
        batch_op.create_index(
            "ix_enterprise_status_province_audited", ["province_id", "audited_grade"]
        )
        batch_op.create_index(
            "ix_enterprise_status_province_assessed", ["province_id", "assessed_on"]
        )


def downgrade() -> None:
    with op.batch_alter_table("enterprise_status") as batch_op:
        batch_op.drop_index("ix_enterprise_status_province_assessed")
        batch_op.drop_index("ix_enterprise_status_province_audited")
        batch_op.drop_index("ix_enterprise_status_industry_grade")
        batch_op.drop_index("ix_enterprise_status_area_grade")
    op.drop_table("weekly_grade_count")
