"""The audit log's hash chain: each entry's `row_hash` covers its content and the hash before it.

Canonical encoding (docs/ARCHITECTURE.md, "The audit trail"): the UTF-8 bytes of the JSON array
    [id, at, user_id, province_id, enterprise_id, action, object_type, object_id, details,
     personal_digest, prev_hash]
with `at` in UTC as "YYYY-MM-DDTHH:MM:SS.ffffffZ", `details` as its JSON document (null when
none; a whole-number float written as an integer), keys sorted at every depth, separators ","
and ":" and no ASCII escaping;
`row_hash` = SHA-256 of it in lower-case hex. The first entry's `prev_hash` is GENESIS.
`personal_digest` = SHA-256(salt bytes || the UTF-8 JSON object {"ip", "subject_email",
"user_email"} in the same encoding), or null when the entry holds no personal data.

Entries are chained when their session flushes them (a session event), under the lock of the
one `audit_chain_head` row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the database's write lock,
taken by the INSERT that makes sure the row exists), so concurrent writers chain one after
another. record() stages its entries until the commit (riskapp.auditlog), so the lock is held
from that last flush to the commit, not for the whole request.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime

from sqlalchemy import event, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from riskapp.models import AuditChainHead, AuditLog, AuditLogPersonal
from riskapp.models.types import utcnow

GENESIS = "0" * 64
HEAD_ID = 1
HEAD = AuditChainHead.__table__


def _plain_numbers(value):
    """Whole floats as integers: PostgreSQL's jsonb gives 1e20 back as 100000000000000000000."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_numbers(item) for item in value]
    return value


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def utc_text(moment: datetime) -> str:
    # SQLite hands back naive datetimes; they were stored as UTC.
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(id_, at, user_id, province_id, enterprise_id, action, object_type, object_id,
             details, personal_digest, prev_hash) -> str:
    return hashlib.sha256(_canonical([
        id_, utc_text(at), user_id, province_id, enterprise_id, action, object_type, object_id,
        _plain_numbers(details), personal_digest, prev_hash,
    ])).hexdigest()


def personal_digest(salt: str, user_email: str | None, subject_email: str | None,
                    ip: str | None) -> str:
    fields = {"ip": ip, "subject_email": subject_email, "user_email": user_email}
    return hashlib.sha256(bytes.fromhex(salt) + _canonical(fields)).hexdigest()


def entry_hash(entry: AuditLog) -> str:
    return row_hash(entry.id, entry.at, entry.user_id, entry.province_id, entry.enterprise_id,
                    entry.action, entry.object_type, entry.object_id, entry.details,
                    entry.personal_digest, entry.prev_hash)


def _lock_head(session: Session) -> tuple[int, str]:
    """The head's (last id, last hash), locked until the transaction ends."""
    connection = session.connection()
    maker = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(maker(HEAD).values(id=HEAD_ID, last_id=0, last_hash=GENESIS)
                       .on_conflict_do_nothing(index_elements=[HEAD.c.id]))
    row = connection.execute(select(HEAD.c.last_id, HEAD.c.last_hash)
                             .where(HEAD.c.id == HEAD_ID).with_for_update()).one()
    return row.last_id, row.last_hash


def _seal_personal(personal: AuditLogPersonal) -> str:
    personal.salt = secrets.token_hex(16)
    return personal_digest(personal.salt, personal.user_email, personal.subject_email,
                           personal.ip)


def chain(session: Session, entries: list[AuditLog]) -> None:
    """Give `entries` (new, in order) their ids and hashes after the head, and move the head."""
    last_id, last_hash = _lock_head(session)
    for entry in entries:
        entry.id = last_id = last_id + 1
        entry.at = (entry.at or utcnow()).astimezone(UTC)
        entry.personal_digest = _seal_personal(entry.personal) if entry.personal else None
        entry.prev_hash = last_hash
        entry.row_hash = last_hash = entry_hash(entry)
    session.connection().execute(update(HEAD).where(HEAD.c.id == HEAD_ID)
                                 .values(last_id=last_id, last_hash=last_hash))


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, _context, _instances) -> None:
    entries = [obj for obj in session.new if isinstance(obj, AuditLog)]
    if entries:
        entries.sort(key=lambda obj: obj._sa_instance_state.insert_order)
        chain(session, entries)
