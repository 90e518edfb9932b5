"""signing-key registry and privacy consent

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 09:00:00

`signing_key` lists every report-signing key (public half, validity, revocation); the private
halves stay files next to REPORT_SIGNING_KEY. The key in use before this revision is registered
on first use (riskapp/reports/keys.py), since only the app knows where its file is. A user
account records when it agreed to which version of the privacy notice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_key",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("current", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_signing_key_key_id")),
        sa.UniqueConstraint("current", name=op.f("uq_signing_key_current")),
    )
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("privacy_consent_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("privacy_notice_version", sa.String(20)))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("privacy_notice_version")
        batch_op.drop_column("privacy_consent_at")
    op.drop_table("signing_key")
