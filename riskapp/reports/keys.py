"""The report-signing key registry: which key signs now, every key ever used, their revocations.

The public halves and dates are rows of `signing_key` (one `current`, a unique column); the
private halves are PEM files (mode 0600) next to REPORT_SIGNING_KEY: the first key is that file
itself, each rotated-in key `<stem>.<key id>.pem` beside it. Every process reads the current key
id from the database, so a rotation reaches all workers at their next signature.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import func, select

from riskapp.auditlog import record
from riskapp.db import db
from riskapp.jobs.outbox import dialect_insert
from riskapp.models import Report, SigningKey
from riskapp.models.types import utcnow
from riskapp.reports import signing
from riskapp.reports.keyset import KeyRecord, KeySet, _utc


class KeyRefused(Exception):
    """A refused key operation; the message is for the operator (CLI)."""


def _base_path() -> Path:
    return Path(current_app.config["REPORT_SIGNING_KEY"])


def key_path(key_id: str) -> Path:
    """Where a rotated-in key's private half lives: beside REPORT_SIGNING_KEY."""
    base = _base_path()
    return base.with_name(f"{base.stem}.{key_id}.pem")


@lru_cache(maxsize=16)
def _load(path: str) -> Ed25519PrivateKey:
    # Key files never change once written (a rotation writes a new one): cached per path.
    return signing.load_or_create_private_key(Path(path))


def _register_first_key() -> None:
    """Register the REPORT_SIGNING_KEY file as the current key when the registry is empty.

    Two processes starting at once may both get here: the unique key_id and `current` columns
    let one INSERT land and the other do nothing (ON CONFLICT DO NOTHING)."""
    private = _load(str(_base_path()))
    # Reports signed before the registry existed count as signed within this key's validity.
    first_report = _utc(db.session.scalar(select(func.min(Report.generated_at))))
    now = utcnow()
    insert = dialect_insert(db.session.get_bind().dialect.name)
    db.session.execute(insert(SigningKey).values(
        key_id=signing.key_id(private), public_key_pem=signing.public_key_pem(private).decode(),
        valid_from=min(first_report or now, now), current=True, created_at=now,
    ).on_conflict_do_nothing())


def current_row() -> SigningKey:
    """The registry's current key, registering the first one on first use (flushed, not
    committed: the caller's commit keeps it; a rollback only means it is registered again)."""
    row = db.session.scalar(select(SigningKey).where(SigningKey.current.is_(True)))
    if row is None:
        _register_first_key()
        row = db.session.scalar(select(SigningKey).where(SigningKey.current.is_(True)))
    return row


def private_key(key_id: str) -> Ed25519PrivateKey:
    """The private half of a registered key, from its file; KeyRefused when it is missing."""
    for path in (key_path(key_id), _base_path()):
        if path.exists() and signing.key_id(_load(str(path))) == key_id:
            return _load(str(path))
    raise KeyRefused(f"the private key {key_id} is not in {_base_path().parent} "
                    "(restore the keys directory from its backup)")


def current_private_key() -> Ed25519PrivateKey:
    return private_key(current_row().key_id)


def _record_of(row: SigningKey) -> KeyRecord:
    return KeyRecord(key_id=row.key_id,
                     public_key=signing.load_public_key(row.public_key_pem.encode()),
                     valid_from=_utc(row.valid_from), valid_until=_utc(row.valid_until),
                     revoked_at=_utc(row.revoked_at), revocation_reason=row.revocation_reason)


def key_set() -> KeySet:
    """Every registered key, for verifiers and the published key set."""
    current_row()
    return KeySet.of(_record_of(row) for row in db.session.scalars(
        select(SigningKey).order_by(SigningKey.valid_from, SigningKey.id)))


def public_key_for(key_id: str) -> Ed25519PublicKey | None:
    row = db.session.scalar(select(SigningKey).where(SigningKey.key_id == key_id))
    return None if row is None else signing.load_public_key(row.public_key_pem.encode())


def _write_new_key() -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    # Generated first so that its id names the file.
    return signing.write_private_key(key_path(signing.key_id(key)), key)


def rotate(user=None) -> SigningKey:
    """A new current key: the old one stops signing (valid_until now) and stays published."""
    old = current_row()
    now = utcnow()
    old.current = None
    old.valid_until = now
    db.session.flush()  # the unique `current`: the old flag goes before the new one comes
    key = _write_new_key()
    row = SigningKey(key_id=signing.key_id(key), valid_from=now, current=True, created_at=now,
                     public_key_pem=signing.public_key_pem(key).decode())
    db.session.add(row)
    db.session.flush()
    record("signing_key_rotated", row, user=user, details={"retired": old.key_id})
    return row


def revoke(key_id: str, at: datetime, reason: str, user=None) -> tuple[SigningKey,
                                                                        SigningKey | None]:
    """Revoke a key from `at` (when it is believed compromised); for good. Revoking the current
    key rotates first. Returns the revoked row and the new current one (when rotated)."""
    reason = (reason or "").strip()
    if not reason:
        raise KeyRefused("give the reason for the revocation")
    if _utc(at) > utcnow():
        raise KeyRefused("the revocation time is in the future")
    current_row()
    row = db.session.scalar(select(SigningKey).where(SigningKey.key_id == key_id))
    if row is None:
        raise KeyRefused(f"no signing key {key_id}")
    if row.revoked_at is not None:
        raise KeyRefused(f"key {key_id} was already revoked on {row.revoked_at.isoformat()}")
    rotated = rotate(user) if row.current else None
    row.revoked_at = _utc(at)
    row.revocation_reason = reason
    db.session.flush()
    record("signing_key_revoked", row, user=user,
           details={"revoked_at": row.revoked_at.isoformat(), "reason": reason})
    return row, rotated
