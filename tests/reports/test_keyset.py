"""Verification against a key set: each failure has its own outcome and words."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfWriter

from riskapp.reports import signing
from riskapp.reports.keyset import KeyRecord, KeySet

SIGNED_AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def signed() -> bytes:
    payload = {"format": signing.PAYLOAD_FORMAT, "report_id": "RA-2026-000001",
               "generated_at": SIGNED_AT.isoformat()}
    return signing.sign_report(_pdf(), payload, KEY)


def _set(**dates) -> KeySet:
    record = KeyRecord(key_id=signing.key_id(KEY), public_key=KEY.public_key(),
                       valid_from=SIGNED_AT - timedelta(days=30), **dates)
    return KeySet.of([record])


def test_a_key_in_force_verifies(signed):
    result = signing.verify_report_with_keys(signed, _set())
    assert (result.valid, result.outcome, result.note) == (True, signing.VALID, "")


def test_revoked_after_signing_still_verifies_with_a_note(signed):
    later = SIGNED_AT + timedelta(hours=1)
    result = signing.verify_report_with_keys(signed, _set(revoked_at=later,
                                                          revocation_reason="laptop stolen"))
    assert result.valid
    assert "revoked on 2026-03-01T09:00:00Z (laptop stolen)" in result.note


def test_revoked_before_signing_fails_with_the_reason(signed):
    earlier = SIGNED_AT - timedelta(hours=1)
    result = signing.verify_report_with_keys(signed, _set(revoked_at=earlier,
                                                          revocation_reason="laptop stolen"))
    assert not result.valid and result.outcome == signing.REVOKED_KEY
    assert result.reason == (f"signed by key {signing.key_id(KEY)} after it was revoked on "
                             "2026-03-01T07:00:00Z: laptop stolen")


def test_signed_after_rotation_fails_as_outside_validity(signed):
    result = signing.verify_report_with_keys(signed, _set(valid_until=SIGNED_AT - timedelta(1)))
    assert not result.valid and result.outcome == signing.OUTSIDE_VALIDITY
    assert "after it was retired on 2026-02-28T08:00:00Z" in result.reason


def test_unknown_key_and_changed_file_have_their_own_outcomes(signed):
    other = Ed25519PrivateKey.generate()
    foreign = KeySet.of([KeyRecord(signing.key_id(other), other.public_key(), SIGNED_AT)])
    unknown = signing.verify_report_with_keys(signed, foreign)
    assert unknown.outcome == signing.UNKNOWN_KEY
    assert unknown.reason == f"signed by an unknown key {signing.key_id(KEY)}"
    middle = len(signed) // 2
    changed = signed[:middle] + bytes([signed[middle] ^ 1]) + signed[middle + 1:]
    result = signing.verify_report_with_keys(changed, _set())
    assert result.outcome == signing.CHANGED and "the file was changed" in result.reason
    assert signing.verify_report_with_keys(b"junk", _set()).outcome == signing.INVALID


def test_key_set_json_round_trips_and_refuses_a_lying_key_id():
    original = _set(revoked_at=SIGNED_AT, revocation_reason="lộ khoá")
    document = original.as_json(issuer="https://riskapp.example")
    assert document["format"] == "riskapp-signing-keys/1"
    assert document["keys"][0]["status"] == "revoked"
    read = KeySet.from_json(json.dumps(document))
    assert read[signing.key_id(KEY)].revoked_at == SIGNED_AT
    document["keys"][0]["key_id"] = "0" * 16
    with pytest.raises(ValueError, match="does not match its public key"):
        KeySet.from_json(json.dumps(document))
    with pytest.raises(ValueError, match="not a riskapp key set"):
        KeySet.from_json(b'{"keys": []}')
    with pytest.raises(ValueError, match="not JSON"):
        KeySet.from_json(b"\xff")
