"""province.timezone

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:30:00

Each province's day starts at its own midnight: "today", due dates and shown times use its IANA
zone (Vietnam's by default), not the server's UTC clock.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("province", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=False,
                                      server_default="Asia/Ho_Chi_Minh"))


def downgrade() -> None:
    with op.batch_alter_table("province", schema=None) as batch_op:
        batch_op.drop_column("timezone")
