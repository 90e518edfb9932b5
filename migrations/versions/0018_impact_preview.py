"""impact previews: a level change or checklist activation replayed before it is made

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 21:00:00

impact_preview holds the proposed change, its background run's progress and the figures (JSON);
area_level.impact_preview_id and checklist_activation.impact_preview_id (unique) name the
preview a decision was applied from.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _fk(table: str, column: str, target: str, ondelete: str | None) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "impact_preview",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_id", sa.Integer(),
                  _fk("impact_preview", "province_id", "province", "CASCADE"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("area_id", sa.Integer(), _fk("impact_preview", "area_id", "area", "CASCADE")),
        sa.Column("level", sa.Integer()),
        sa.Column("effective_from", sa.Date()),
        sa.Column("checklist_version_id", sa.Integer(),
                  _fk("impact_preview", "checklist_version_id", "checklist_version", None)),
        sa.Column("active_from", sa.Date()),
        sa.Column("proposal_id", sa.Integer()),
        sa.Column("note", sa.String(500)),
        sa.Column("level_before", sa.Integer()),
        sa.Column("requested_by_id", sa.Integer(),
                  _fk("impact_preview", "requested_by_id", "user_account", "SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("result", JSON),
        sa.Column("error", sa.Text()),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("applied_at", sa.DateTime(timezone=True)),
        sa.Column("applied_by_id", sa.Integer(),
                  _fk("impact_preview", "applied_by_id", "user_account", "SET NULL")),
    )
    op.create_index("ix_impact_preview_province_created", "impact_preview",
                    ["province_id", "created_at"])
    with op.batch_alter_table("area_level") as batch:
        batch.add_column(sa.Column("impact_preview_id", sa.Integer(), _fk(
            "area_level", "impact_preview_id", "impact_preview", "SET NULL")))
        batch.create_index("ix_area_level_impact_preview", ["impact_preview_id"])
    with op.batch_alter_table("checklist_activation") as batch:
        batch.add_column(sa.Column("impact_preview_id", sa.Integer(), _fk(
            "checklist_activation", "impact_preview_id", "impact_preview", "SET NULL")))
        batch.create_index("uq_checklist_activation_impact_preview", ["impact_preview_id"],
                           unique=True)


def downgrade() -> None:
    with op.batch_alter_table("checklist_activation") as batch:
        batch.drop_index("uq_checklist_activation_impact_preview")
        batch.drop_column("impact_preview_id")
    with op.batch_alter_table("area_level") as batch:
        batch.drop_index("ix_area_level_impact_preview")
        batch.drop_column("impact_preview_id")
    op.drop_index("ix_impact_preview_province_created", table_name="impact_preview")
    op.drop_table("impact_preview")
