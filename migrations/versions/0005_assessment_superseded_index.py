"""index assessment.superseded_by_id

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 22:32:00

The roll-up reads the grade of the assessment a submit replaced; without this index that was a full
scan of the assessment history on every submit (186 ms at 1,000,000 assessments on SQLite).
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index("ix_assessment_superseded_by", ["superseded_by_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_superseded_by")
