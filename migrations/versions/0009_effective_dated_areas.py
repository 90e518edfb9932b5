"""effective-dated areas, their successions, and the area an assessment was made in

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 09:00:00

Since 1 July 2025 Vietnam's communes were merged and its districts abolished: a province's areas
now open, close, merge and split on a date. An area records when it is in force, a succession
table records what each old area became, and a submitted assessment keeps the area it was made
in (backfilled from its enterprise's area, which no area has changed yet).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OPEN_DRAFT = sa.text("status = 'draft'")
OPEN_AREA = sa.text("valid_to IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("area") as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date()))
        batch_op.add_column(sa.Column("valid_to", sa.Date()))
        batch_op.add_column(sa.Column("former", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.drop_constraint("uq_area_sibling_name", type_="unique")
    op.create_index("uq_area_open_sibling_name", "area", ["province_id", "parent_id", "name"],
                    unique=True, sqlite_where=OPEN_AREA, postgresql_where=OPEN_AREA)
    op.create_table(
        "area_succession",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_id", sa.Integer(), sa.ForeignKey(
            "province.id", name="fk_area_succession_province_id_province", ondelete="CASCADE"),
            nullable=False),
        sa.Column("old_area_id", sa.Integer(), sa.ForeignKey(
            "area.id", name="fk_area_succession_old_area_id_area", ondelete="CASCADE"),
            nullable=False),
        sa.Column("new_area_id", sa.Integer(), sa.ForeignKey(
            "area.id", name="fk_area_succession_new_area_id_area", ondelete="CASCADE"),
            nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("old_name", sa.String(255), nullable=False),
        sa.Column("note", sa.String(500)),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey(
            "user_account.id", name="fk_area_succession_created_by_id_user_account",
            ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_area_succession_old", "area_succession", ["old_area_id", "effective_from"])
    op.create_index("ix_area_succession_new", "area_succession", ["new_area_id"])
    with op.batch_alter_table("assessment") as batch_op:
        batch_op.add_column(sa.Column("area_id", sa.Integer()))
        batch_op.create_foreign_key("fk_assessment_area_id_area", "area", ["area_id"], ["id"],
                                    ondelete="SET NULL")
    _restore_partial_index()
    op.execute("UPDATE assessment SET area_id = (SELECT enterprise.area_id FROM enterprise "
               "WHERE enterprise.id = assessment.enterprise_id) WHERE status <> 'draft'")


def _restore_partial_index() -> None:
    """SQLite's batch copy re-creates the table and may drop the draft index's WHERE clause."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP INDEX IF EXISTS uq_assessment_one_draft")
    op.create_index("uq_assessment_one_draft", "assessment", ["enterprise_id"], unique=True,
                    sqlite_where=OPEN_DRAFT)


def downgrade() -> None:
    with op.batch_alter_table("assessment") as batch_op:
        batch_op.drop_constraint("fk_assessment_area_id_area", type_="foreignkey")
        batch_op.drop_column("area_id")
    _restore_partial_index()
    op.drop_index("ix_area_succession_new", table_name="area_succession")
    op.drop_index("ix_area_succession_old", table_name="area_succession")
    op.drop_table("area_succession")
    op.drop_index("uq_area_open_sibling_name", table_name="area")
    with op.batch_alter_table("area") as batch_op:
        batch_op.create_unique_constraint("uq_area_sibling_name",
                                          ["province_id", "parent_id", "name"])
        batch_op.drop_column("former")
        batch_op.drop_column("valid_to")
        batch_op.drop_column("valid_from")
