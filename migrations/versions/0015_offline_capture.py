"""offline capture: the phone finding's client id, place and time; finding photos

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 17:00:00

A finding kept on the auditor's phone while offline is sent with an id the browser made; the same
id sent twice is one finding (unique per province and auditor). The browser's position and the
time of the observation are stored when the auditor allowed them. Evidence photos can belong to a
finding.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finding") as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(40)))
        batch_op.add_column(sa.Column("latitude", sa.Float()))
        batch_op.add_column(sa.Column("longitude", sa.Float()))
        batch_op.add_column(sa.Column("accuracy_m", sa.Float()))
        batch_op.add_column(sa.Column("observed_at", sa.DateTime(timezone=True)))
    op.create_index("uq_finding_client", "finding", ["province_id", "auditor_id", "client_id"],
                    unique=True)
    with op.batch_alter_table("evidence") as batch_op:
        batch_op.add_column(sa.Column("finding_id", sa.Integer()))
        batch_op.create_foreign_key("fk_evidence_finding_id_finding", "finding", ["finding_id"],
                                    ["id"], ondelete="CASCADE")
    op.create_index("ix_evidence_finding_id", "evidence", ["finding_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_finding_id", table_name="evidence")
    with op.batch_alter_table("evidence") as batch_op:
        batch_op.drop_constraint("fk_evidence_finding_id_finding", type_="foreignkey")
        batch_op.drop_column("finding_id")
    op.drop_index("uq_finding_client", table_name="finding")
    with op.batch_alter_table("finding") as batch_op:
        batch_op.drop_column("observed_at")
        batch_op.drop_column("accuracy_m")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
        batch_op.drop_column("client_id")
