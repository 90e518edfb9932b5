"""The append-only audit log and background job records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.db import Base, JSONType
from riskapp.models.enums import JobStatus
from riskapp.models.types import TZDateTime, enum_column, utcnow


class AuditLog(Base):
    """One entry of the audit log: immutable in the database (riskapp.immutable) and hash-chained
    (riskapp.auditchain). It keeps no e-mail, name or address: those are in AuditLogPersonal,
    which can be erased; the entry keeps only their salted digest."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_enterprise_action", "enterprise_id", "action"),
        Index("ix_audit_province_at", "province_id", "at"),
        # Revision 0013: the audit log viewer reads a province's entries newest first by id.
        Index("ix_audit_province_id", "province_id", "id"),
    )

    # Ids are given by the chain (riskapp.auditchain), one after the other, never by a sequence.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # Plain ids, no foreign keys (revision 0021): the log outlives the users, enterprises and
    # provinces it names, and an ON DELETE SET NULL would be an UPDATE the database refuses.
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    province_id: Mapped[int | None] = mapped_column(Integer)
    enterprise_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[dict | None] = mapped_column(JSONType)
    personal_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))

    personal: Mapped[AuditLogPersonal | None] = relationship(lazy="joined", uselist=False)

    @property
    def user_email(self) -> str | None:
        return self.personal.user_email if self.personal else None

    @property
    def ip(self) -> str | None:
        return self.personal.ip if self.personal else None


class AuditLogPersonal(Base):
    """The personal data of an audit entry (who, whom, from where): erasable and changeable, as
    data protection asks, without touching the chained entry (its `personal_digest` is
    SHA-256 over `salt` and these fields as recorded; without the salt it links to nobody)."""

    __tablename__ = "audit_log_personal"

    audit_id: Mapped[int] = mapped_column(
        ForeignKey("audit_log.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    user_email: Mapped[str | None] = mapped_column(String(255))
    subject_email: Mapped[str | None] = mapped_column(String(255))
    ip: Mapped[str | None] = mapped_column(String(45))
    salt: Mapped[str | None] = mapped_column(String(32))


class AuditChainHead(Base):
    """The chain's one row (id 1): the last chained entry and its hash. Writers lock it while
    they chain, so entries are chained one after another; `flask audit-verify` reads it to see a
    cut-off tail."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit log entry."""


@event.listens_for(AuditLog, "before_update")
def _refuse_update(_mapper, _connection, _target):
    raise AuditLogIsAppendOnly("audit log entries cannot be changed")


@event.listens_for(AuditLog, "before_delete")
def _refuse_delete(_mapper, _connection, _target):
    raise AuditLogIsAppendOnly("audit log entries cannot be deleted")


class Job(Base):
    """Background work a user waits for (ZIP exports, re-grading), with its progress."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict | None] = mapped_column(JSONType)
    result_path: Mapped[str | None] = mapped_column(String(500))
    result_name: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    province_id: Mapped[int | None] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(TZDateTime)
