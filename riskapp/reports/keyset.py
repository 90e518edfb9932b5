"""The set of report-signing keys as a verifier sees it: each key's validity and revocation.

Pure (no Flask, no database): the server builds it from the `signing_key` table
(riskapp/reports/keys.py), `flask verify-report --keys` from a saved /verify/keys.json. The JSON
format (FORMAT) is documented in docs/API.md and stays stable: fields are only ever added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "riskapp-signing-keys/1"
CURRENT, RETIRED, REVOKED = "current", "retired", "revoked"


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    # SQLite hands timestamps back naive; they were stored in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_text(moment: datetime | None) -> str | None:
    """'2026-12-01T08:30:00Z': what the key set and the CLI write."""
    moment = _utc(moment)
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _parse(text) -> datetime | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError("a date is not a string")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"date without a time zone: {text}")
    return moment.astimezone(UTC)


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """The full SHA-256 of the raw public key (its first 16 hex digits are the key id)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def pem_of(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    public_key: Ed25519PublicKey
    valid_from: datetime
    valid_until: datetime | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return REVOKED
        return RETIRED if self.valid_until is not None else CURRENT

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def revoked_before(self, signed_at: datetime) -> bool:
        """Was the key already revoked when a report says it was signed?"""
        return self.revoked_at is not None and _utc(signed_at) >= _utc(self.revoked_at)

    def retired_before(self, signed_at: datetime) -> bool:
        """Was the key already rotated out when a report says it was signed?"""
        return self.valid_until is not None and _utc(signed_at) > _utc(self.valid_until)

    def as_json(self) -> dict:
        return {
            "key_id": self.key_id,
            "alg": "Ed25519",
            "fingerprint_sha256": self.fingerprint,
            "public_key_pem": pem_of(self.public_key),
            "status": self.status,
            "valid_from": utc_text(self.valid_from),
            "valid_until": utc_text(self.valid_until),
            "revoked_at": utc_text(self.revoked_at),
            "revocation_reason": self.revocation_reason,
        }


class KeySet(dict[str, KeyRecord]):
    """Key id → KeyRecord."""

    @classmethod
    def of(cls, records: Iterable[KeyRecord]) -> KeySet:
        return cls((record.key_id, record) for record in records)

    def as_json(self, issuer: str | None = None) -> dict:
        records = sorted(self.values(), key=lambda r: _utc(r.valid_from))
        current = [r.key_id for r in records if r.status == CURRENT]
        return {"format": FORMAT, "issuer": issuer, "current_key_id": current[-1] if current
                else None, "keys": [r.as_json() for r in records]}

    @classmethod
    def from_json(cls, data: bytes | str) -> KeySet:
        """Read a saved /verify/keys.json; ValueError naming what is wrong."""
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError) as error:
            raise ValueError(f"not JSON: {error}") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError(f"not a riskapp key set (expected format {FORMAT})")
        try:
            return cls.of(_record(entry) for entry in document["keys"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"malformed key entry: {error}") from None


def _record(entry: dict) -> KeyRecord:
    key = serialization.load_pem_public_key(entry["public_key_pem"].encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    record = KeyRecord(
        key_id=entry["key_id"], public_key=key, valid_from=_parse(entry["valid_from"]),
        valid_until=_parse(entry.get("valid_until")), revoked_at=_parse(entry.get("revoked_at")),
        revocation_reason=entry.get("revocation_reason"))
    # The id is derived from the key: a set that names a key wrongly is refused, not trusted.
    if record.fingerprint[:16] != record.key_id:
        raise ValueError(f"key id {record.key_id} does not match its public key")
    return record
