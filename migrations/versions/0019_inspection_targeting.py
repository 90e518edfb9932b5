"""inspection targeting: the province's random share of visits; a visit picked at random

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 20:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("province") as batch:
        batch.add_column(sa.Column("random_share", sa.Float(), nullable=False,
                                   server_default="0.1"))
    with op.batch_alter_table("inspection_visit") as batch:
        batch.add_column(sa.Column("at_random", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("inspection_visit") as batch:
        batch.drop_column("at_random")
    with op.batch_alter_table("province") as batch:
        batch.drop_column("random_share")
