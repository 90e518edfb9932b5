"""checklist versions belong to their province; one open draft per enterprise

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:50:00

Checklist versions. An uploaded version was listed to every province, which could activate it
and let its officers read it. `checklist_version.province_id` now names the uploading province;
NULL means shipped (shared). Existing rows: a version whose key, version and fingerprint match a
checklist shipped with the application stays shared; any other row is an upload and belongs to
the province of the account that uploaded it, else (that account gone) to the province of its
earliest activation; a row with neither is left shared (no province is known to own it; it is
only listed, nothing uses it). A province that already activated another province's version keeps
that activation (its assessments were made on it); new activations are limited to the shipped
versions and the province's own. Uniqueness of (key, version) becomes: once among shipped
versions, once per province among uploads, so two provinces may each have their own "version 2"
without one learning of the other's.

One open draft. Parallel "new assessment" requests made several drafts for one enterprise; a
partial unique index on assessment(enterprise_id) WHERE status = 'draft' makes it impossible.
Existing duplicates are merged, losing nothing typed: the most recently updated draft stays
open, takes the answers of the older drafts for items it has no answer to (its own answers win)
and their evidence files, and the older drafts are deleted. Downgrade drops the index and the
column (the merged drafts are not split again).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN_DRAFT = sa.text("status = 'draft'")
SHIPPED = sa.text("province_id IS NULL")
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    _own_checklist_versions()
    _merge_duplicate_drafts()
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index("uq_assessment_one_draft", ["enterprise_id"], unique=True,
                              sqlite_where=OPEN_DRAFT, postgresql_where=OPEN_DRAFT)


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("uq_assessment_one_draft")
    with op.batch_alter_table("checklist_version", schema=None) as batch_op:
        batch_op.drop_constraint("uq_checklist_version_province", type_="unique")
        batch_op.drop_index("uq_checklist_version_shipped")
        batch_op.drop_constraint("fk_checklist_version_province_id_province", type_="foreignkey")
        batch_op.drop_column("province_id")
        batch_op.create_unique_constraint("uq_checklist_key_version",
                                          ["checklist_key", "version"])


# ----------------------------------------------------------------------------- checklist versions


def _shipped_fingerprints() -> set[tuple[str, int, str]]:
    from riskapp.scoring.loader import shipped_checklists  # noqa: PLC0415 (migration only)

    return {(c.id, c.version, c.fingerprint) for c in shipped_checklists()}


def _owner_province(connection, version_id: int, created_by_id: int | None) -> int | None:
    if created_by_id is not None:
        province_id = connection.execute(sa.text(
            "SELECT COALESCE(u.province_id, e.province_id) FROM user_account u "
            "LEFT JOIN enterprise e ON e.id = u.enterprise_id WHERE u.id = :id"),
            {"id": created_by_id}).scalar()
        if province_id is not None:
            return province_id
    return connection.execute(sa.text(
        "SELECT province_id FROM checklist_activation WHERE checklist_version_id = :id "
        "ORDER BY created_at, id LIMIT 1"), {"id": version_id}).scalar()


def _own_checklist_versions() -> None:
    with op.batch_alter_table("checklist_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_checklist_version_province_id_province", "province",
                                    ["province_id"], ["id"], ondelete="CASCADE")
        batch_op.drop_constraint("uq_checklist_key_version", type_="unique")
    connection = op.get_bind()
    shipped = _shipped_fingerprints()
    rows = connection.execute(sa.text(
        "SELECT id, checklist_key, version, fingerprint, created_by_id FROM checklist_version"))
    for version_id, key, version, fingerprint, created_by_id in rows.all():
        if (key, version, fingerprint) in shipped:
            continue
        owner = _owner_province(connection, version_id, created_by_id)
        if owner is not None:
            connection.execute(sa.text(
                "UPDATE checklist_version SET province_id = :p WHERE id = :id"),
                {"p": owner, "id": version_id})
    with op.batch_alter_table("checklist_version", schema=None) as batch_op:
        batch_op.create_index("uq_checklist_version_shipped", ["checklist_key", "version"],
                              unique=True, sqlite_where=SHIPPED, postgresql_where=SHIPPED)
        batch_op.create_unique_constraint("uq_checklist_version_province",
                                          ["province_id", "checklist_key", "version"])


# ----------------------------------------------------------------------------- one open draft


def _merge_duplicate_drafts() -> None:
    connection = op.get_bind()
    assessment = sa.table("assessment", sa.column("id", sa.Integer),
                          sa.column("enterprise_id", sa.Integer), sa.column("status", sa.String),
                          sa.column("answers", JSON), sa.column("updated_at", sa.DateTime),
                          sa.column("lock_version", sa.Integer))
    crowded = connection.execute(
        sa.select(assessment.c.enterprise_id).where(assessment.c.status == "draft")
        .group_by(assessment.c.enterprise_id).having(sa.func.count() > 1)).scalars().all()
    for enterprise_id in crowded:
        drafts = connection.execute(
            sa.select(assessment.c.id, assessment.c.answers, assessment.c.lock_version)
            .where(assessment.c.enterprise_id == enterprise_id, assessment.c.status == "draft")
            .order_by(assessment.c.updated_at.desc(), assessment.c.id.desc())).all()
        kept, older = drafts[0], drafts[1:]
        answers = {}
        for draft in reversed(older):  # oldest first: a newer draft's answer wins
            answers.update(draft.answers or {})
        answers.update(kept.answers or {})
        older_ids = [draft.id for draft in older]
        connection.execute(sa.update(assessment).where(assessment.c.id == kept.id).values(
            answers=answers, lock_version=(kept.lock_version or 1) + 1))
        evidence = sa.table("evidence", sa.column("assessment_id", sa.Integer))
        connection.execute(sa.update(evidence).where(evidence.c.assessment_id.in_(older_ids))
                           .values(assessment_id=kept.id))
        connection.execute(sa.delete(assessment).where(assessment.c.id.in_(older_ids)))
