"""reviews of submitted assessments: decisions, pinned comments, the queue's columns

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:45:00

The province (and commune/ward admins) review submissions of the grades the province chooses
(Province.review_grades, high and very high by default): pending → accepted, or returned for
correction; a correction links to the assessment it corrects. Assessments submitted before this
revision count as accepted automatically.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

OPEN_DRAFT = sa.text("status = 'draft'")
DEFAULT_REVIEW_GRADES = "high,very_high"


def upgrade() -> None:
    with op.batch_alter_table("province") as batch_op:
        batch_op.add_column(sa.Column("review_grades", sa.String(80), nullable=False,
                                      server_default=DEFAULT_REVIEW_GRADES))
    with op.batch_alter_table("assessment") as batch_op:
        batch_op.add_column(sa.Column("review_status", sa.String(20)))
        batch_op.add_column(sa.Column("corrects_id", sa.Integer()))
        batch_op.create_foreign_key("fk_assessment_corrects_id_assessment", "assessment",
                                    ["corrects_id"], ["id"], ondelete="SET NULL")
    _restore_partial_index()
    op.create_index("ix_assessment_review_queue", "assessment",
                    ["province_id", "review_status", "status", "submitted_at", "id"])
    op.create_index("ix_assessment_corrects", "assessment", ["corrects_id"])
    op.execute("UPDATE assessment SET review_status = 'auto_accepted' WHERE status <> 'draft'")
    _create_review_tables()


def _create_review_tables() -> None:
    op.create_table(
        "assessment_review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("assessment_id", sa.Integer(), sa.ForeignKey(
            "assessment.id", name="fk_assessment_review_assessment_id_assessment",
            ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey(
            "enterprise.id", name="fk_assessment_review_enterprise_id_enterprise",
            ondelete="CASCADE"), nullable=False),
        sa.Column("province_id", sa.Integer(), sa.ForeignKey(
            "province.id", name="fk_assessment_review_province_id_province",
            ondelete="CASCADE"), nullable=False),
        sa.Column("area_id", sa.Integer(), sa.ForeignKey(
            "area.id", name="fk_assessment_review_area_id_area", ondelete="SET NULL")),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey(
            "user_account.id", name="fk_assessment_review_reviewer_id_user_account",
            ondelete="SET NULL")),
        sa.Column("comment", sa.Text()),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_assessment_review_province_decided", "assessment_review",
                    ["province_id", "decided_at"])
    op.create_table(
        "review_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("review_id", sa.Integer(), sa.ForeignKey(
            "assessment_review.id", name="fk_review_comment_review_id_assessment_review",
            ondelete="CASCADE"), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey(
            "enterprise.id", name="fk_review_comment_enterprise_id_enterprise",
            ondelete="CASCADE"), nullable=False),
        sa.Column("province_id", sa.Integer(), sa.ForeignKey(
            "province.id", name="fk_review_comment_province_id_province", ondelete="CASCADE"),
            nullable=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("needs_evidence", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_review_comment_review", "review_comment", ["review_id"])


def _restore_partial_index() -> None:
    """SQLite's batch copy re-creates the table and may drop the draft index's WHERE clause."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP INDEX IF EXISTS uq_assessment_one_draft")
    op.create_index("uq_assessment_one_draft", "assessment", ["enterprise_id"], unique=True,
                    sqlite_where=OPEN_DRAFT)


def downgrade() -> None:
    op.drop_index("ix_review_comment_review", table_name="review_comment")
    op.drop_table("review_comment")
    op.drop_index("ix_assessment_review_province_decided", table_name="assessment_review")
    op.drop_table("assessment_review")
    op.drop_index("ix_assessment_corrects", table_name="assessment")
    op.drop_index("ix_assessment_review_queue", table_name="assessment")
    with op.batch_alter_table("assessment") as batch_op:
        batch_op.drop_constraint("fk_assessment_corrects_id_assessment", type_="foreignkey")
        batch_op.drop_column("corrects_id")
        batch_op.drop_column("review_status")
    _restore_partial_index()
    with op.batch_alter_table("province") as batch_op:
        batch_op.drop_column("review_grades")
