"""transparency log: leaves, complete-subtree hashes, signed tree heads, the size row

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 09:00:00

RFC 9162-style log (riskapp/transparency). Leaves, nodes and heads are append-only; the size row
is updated by every append first, so concurrent appends queue on its lock and never share an index
or leave a gap (the leaf index is also the primary key).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from riskapp import immutable

# Append-only from here on: the database refuses UPDATE, DELETE and TRUNCATE (riskapp/immutable.py).
PROTECTED_HERE = ("transparency_leaf", "transparency_node", "transparency_tree_head")

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transparency_leaf",
        sa.Column("leaf_index", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("leaf_input", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("province_id", sa.Integer()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_transparency_leaf_hash", "transparency_leaf", ["leaf_hash"])
    op.create_index("ix_transparency_leaf_object", "transparency_leaf", ["kind", "object_id"])
    op.create_table(
        "transparency_node",
        sa.Column("level", sa.SmallInteger(), primary_key=True, autoincrement=False),
        sa.Column("node_index", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "transparency_tree_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("uq_transparency_tree_head_day", "transparency_tree_head",
                    ["tree_size", "published_on"], unique=True)
    op.create_table(
        "transparency_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
    )
    immutable.install(op.get_bind(), immutable.rules(*PROTECTED_HERE))


def downgrade() -> None:
    immutable.uninstall(op.get_bind(), immutable.rules(*PROTECTED_HERE))
    op.drop_table("transparency_state")
    op.drop_index("uq_transparency_tree_head_day", table_name="transparency_tree_head")
    op.drop_table("transparency_tree_head")
    op.drop_table("transparency_node")
    op.drop_index("ix_transparency_leaf_object", table_name="transparency_leaf")
    op.drop_index("ix_transparency_leaf_hash", table_name="transparency_leaf")
    op.drop_table("transparency_leaf")
