"""audit trail: immutable in the database, hash-chained, personal data in an erasable side table

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 00:30:00

The audit log's e-mail and IP columns (and the e-mail invitations kept in `details`) move to
`audit_log_personal`; each entry gets `personal_digest`, `prev_hash` and `row_hash`, chained in
id order, and `audit_chain_head` holds the last one. The log's foreign keys go (plain ids: the log
outlives what it names). Triggers then refuse UPDATE/DELETE/TRUNCATE of audit_log and of issued
reports (riskapp/immutable.py). Downgrade puts e-mail and IP back in the log (the e-mails of
invitations stay in the side table's copy only until it is dropped).
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from riskapp import immutable
from riskapp.auditchain import GENESIS, personal_digest, row_hash

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BATCH = 5000
FKS = (("user_id", "user_account"), ("province_id", "province"),
       ("enterprise_id", "enterprise"))

log = sa.table(
    "audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer), sa.column("user_email", sa.String),
    sa.column("province_id", sa.Integer), sa.column("enterprise_id", sa.Integer),
    sa.column("action", sa.String), sa.column("object_type", sa.String),
    sa.column("object_id", sa.String), sa.column("ip", sa.String),
    sa.column("details", sa.JSON().with_variant(JSONB(), "postgresql")),
    sa.column("personal_digest", sa.String), sa.column("prev_hash", sa.String),
    sa.column("row_hash", sa.String),
)
personal = sa.table("audit_log_personal", sa.column("audit_id", sa.Integer),
                    sa.column("user_email", sa.String), sa.column("subject_email", sa.String),
                    sa.column("ip", sa.String), sa.column("salt", sa.String))
head = sa.table("audit_chain_head", sa.column("id", sa.Integer), sa.column("last_id", sa.Integer),
                sa.column("last_hash", sa.String))


def _create_tables() -> None:
    op.create_table(
        "audit_log_personal",
        sa.Column("audit_id", sa.Integer(), sa.ForeignKey(
            "audit_log.id", name="fk_audit_log_personal_audit_id_audit_log", ondelete="CASCADE"),
            autoincrement=False, nullable=False),
        sa.Column("user_email", sa.String(255), nullable=True),
        sa.Column("subject_email", sa.String(255), nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.Column("salt", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("audit_id", name="pk_audit_log_personal"),
    )
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain_head"),
    )
    with op.batch_alter_table("audit_log") as batch:
        for name in ("personal_digest", "prev_hash", "row_hash"):
            batch.add_column(sa.Column(name, sa.String(64), nullable=True))


def _chain_row(bind, row, last_hash: str) -> str:
    details = row.details
    subject = None
    if isinstance(details, dict) and "email" in details:  # invitations kept the invitee's
        details = {k: v for k, v in details.items() if k != "email"}
        subject = row.details["email"]
    digest = None
    if row.user_email or subject or row.ip:
        salt = secrets.token_hex(16)
        digest = personal_digest(salt, row.user_email, subject, row.ip)
        bind.execute(personal.insert().values(audit_id=row.id, user_email=row.user_email,
                                              subject_email=subject, ip=row.ip, salt=salt))
    new_hash = row_hash(row.id, row.at, row.user_id, row.province_id, row.enterprise_id,
                        row.action, row.object_type, row.object_id, details, digest, last_hash)
    values = {"personal_digest": digest, "prev_hash": last_hash, "row_hash": new_hash}
    if details is not row.details:
        values["details"] = details
    bind.execute(log.update().where(log.c.id == row.id).values(values))
    return new_hash


def _chain_existing(bind) -> None:
    last_id, last_hash = 0, GENESIS
    while True:
        rows = bind.execute(sa.select(log).where(log.c.id > last_id)
                            .order_by(log.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            last_hash = _chain_row(bind, row, last_hash)
            last_id = row.id
    if last_id:
        bind.execute(head.insert().values(id=1, last_id=last_id, last_hash=last_hash))


# The tables this revision protects (later revisions protect their own).
PROTECTED_HERE = ("audit_log", "report")


def upgrade() -> None:
    _create_tables()
    bind = op.get_bind()
    _chain_existing(bind)
    with op.batch_alter_table("audit_log") as batch:
        for column, target in FKS:
            batch.drop_constraint(f"fk_audit_log_{column}_{target}", type_="foreignkey")
        batch.drop_column("user_email")
        batch.drop_column("ip")
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("row_hash", existing_type=sa.String(64), nullable=False)
        batch.create_index("ix_audit_log_user_id", ["user_id"])
    immutable.install(bind, immutable.rules(*PROTECTED_HERE))


def downgrade() -> None:
    bind = op.get_bind()
    immutable.uninstall(bind, immutable.rules(*PROTECTED_HERE))
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("user_email", sa.String(255), nullable=True))
        batch.add_column(sa.Column("ip", sa.String(45), nullable=True))
        batch.drop_index("ix_audit_log_user_id")
    for column in ("user_email", "ip"):
        bind.execute(log.update().values({column: sa.select(getattr(personal.c, column))
                                          .where(personal.c.audit_id == log.c.id)
                                          .scalar_subquery()}))
    for column, target in FKS:  # ids of rows gone since would break the foreign key
        bind.execute(log.update().where(log.c[column].is_not(None), ~sa.exists().where(
            sa.table(target, sa.column("id")).c.id == log.c[column])).values({column: None}))
    with op.batch_alter_table("audit_log") as batch:
        for column, target in FKS:
            batch.create_foreign_key(f"fk_audit_log_{column}_{target}", target, [column], ["id"],
                                     ondelete="SET NULL")
        for name in ("personal_digest", "prev_hash", "row_hash"):
            batch.drop_column(name)
    op.drop_table("audit_chain_head")
    op.drop_table("audit_log_personal")
