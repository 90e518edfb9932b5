"""forensic signals: perceptual hashes of photos, answer-set hashes, and the flags

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 20:40:00

Evidence gains its 64-bit perceptual hash (16 hex digits), an assessment the hash of its
normalised answers and how it was submitted; `forensic_flag` holds one signal per (assessment,
kind, key), unique in the database so a re-run of the detectors adds nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _fk(column: str, target: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", name=f"fk_forensic_flag_{column}_{target}",
                         ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "forensic_flag",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_id", sa.Integer(), _fk("province_id", "province", "CASCADE"),
                  nullable=False),
        sa.Column("enterprise_id", sa.Integer(), _fk("enterprise_id", "enterprise", "CASCADE"),
                  nullable=False),
        sa.Column("assessment_id", sa.Integer(), _fk("assessment_id", "assessment", "CASCADE"),
                  nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("reason", sa.JSON().with_variant(JSONB(), "postgresql"),
                  nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dismissed_by_id", sa.Integer(),
                  _fk("dismissed_by_id", "user_account", "SET NULL")),
        sa.Column("dismissed_at", sa.DateTime(timezone=True)),
        sa.Column("dismissal_note", sa.Text()),
    )
    op.create_index("uq_forensic_flag", "forensic_flag", ["assessment_id", "kind", "key"],
                    unique=True)
    op.create_index("ix_forensic_flag_list", "forensic_flag",
                    ["province_id", "status", "kind", "id"])
    op.create_index("ix_forensic_flag_enterprise", "forensic_flag", ["enterprise_id", "status"])
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("phash", sa.String(16)))
    op.create_index("ix_evidence_province_phash", "evidence", ["province_id", "phash"])
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("submitted_via", sa.String(8)))
        batch.add_column(sa.Column("answers_hash", sa.String(64)))
    op.create_index("ix_assessment_answers_hash", "assessment", ["province_id", "answers_hash"])


def downgrade() -> None:
    op.drop_index("ix_assessment_answers_hash", table_name="assessment")
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("answers_hash")
        batch.drop_column("submitted_via")
    op.drop_index("ix_evidence_province_phash", table_name="evidence")
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("phash")
    op.drop_table("forensic_flag")
