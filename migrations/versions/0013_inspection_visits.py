"""inspection visits; the authority's review of remediation actions; an action owner's account

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 14:00:00

The province assigns enterprises to auditors for a visit on a planned date (one open visit per
enterprise and auditor, kept by a partial unique index). A remediation action gains the note of
the authority's review, a lock version that verification compares, and an owner chosen among
the enterprise's users. The audit log gets an index for its viewer (a province, newest first).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OPEN_VISIT = sa.text("status = 'planned'")


def _user_fk(table: str, column: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey("user_account.id", name=f"fk_{table}_{column}_user_account",
                         ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "inspection_visit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_id", sa.Integer(), sa.ForeignKey(
            "province.id", name="fk_inspection_visit_province_id_province", ondelete="CASCADE"),
            nullable=False),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey(
            "enterprise.id", name="fk_inspection_visit_enterprise_id_enterprise",
            ondelete="CASCADE"), nullable=False),
        sa.Column("auditor_id", sa.Integer(), _user_fk("inspection_visit", "auditor_id",
                                                       "CASCADE"), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), _user_fk("inspection_visit", "assigned_by_id",
                                                           "SET NULL")),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True)),
    )
    op.create_index("uq_inspection_visit_open", "inspection_visit",
                    ["enterprise_id", "auditor_id"], unique=True,
                    sqlite_where=OPEN_VISIT, postgresql_where=OPEN_VISIT)
    op.create_index("ix_inspection_visit_auditor", "inspection_visit",
                    ["auditor_id", "status", "planned_on"])
    op.create_index("ix_inspection_visit_province", "inspection_visit", ["province_id", "status"])
    op.create_index("ix_audit_province_id", "audit_log", ["province_id", "id"])
    with op.batch_alter_table("remediation_action") as batch_op:
        batch_op.add_column(sa.Column("review_note", sa.Text()))
        batch_op.add_column(sa.Column("lock_version", sa.Integer(), nullable=False,
                                      server_default="1"))
        batch_op.add_column(sa.Column("owner_user_id", sa.Integer()))
        batch_op.create_foreign_key("fk_remediation_action_owner_user_id_user_account",
                                    "user_account", ["owner_user_id"], ["id"],
                                    ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("remediation_action") as batch_op:
        batch_op.drop_constraint("fk_remediation_action_owner_user_id_user_account",
                                 type_="foreignkey")
        batch_op.drop_column("owner_user_id")
        batch_op.drop_column("lock_version")
        batch_op.drop_column("review_note")
    op.drop_index("ix_audit_province_id", table_name="audit_log")
    op.drop_index("ix_inspection_visit_province", table_name="inspection_visit")
    op.drop_index("ix_inspection_visit_auditor", table_name="inspection_visit")
    op.drop_index("uq_inspection_visit_open", table_name="inspection_visit")
    op.drop_table("inspection_visit")
