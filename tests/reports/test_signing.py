"""Report signatures: a signed PDF verifies offline; any changed byte, other key or junk fails."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from riskapp.reports.render import render_report
from riskapp.reports.signing import (
    ATTACHMENT_NAME,
    CODE_ALPHABET,
    canonical_payload,
    load_or_create_private_key,
    load_public_key,
    make_verification_code,
    normalise_verification_code,
    public_key_pem,
    sign_report,
    verify_report,
    verify_report_file,
)
from tests.reports.sample import sample_report_data


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def data():
    return sample_report_data("vi")


@pytest.fixture(scope="module")
def unsigned(data):
    return render_report(data)


@pytest.fixture(scope="module")
def signed(unsigned, data, key):
    return sign_report(unsigned, canonical_payload(data), key)


def test_signed_report_verifies_with_the_published_key(signed, data, key):
    result = verify_report(signed, load_public_key(public_key_pem(key)))
    assert result.valid, result.reason
    assert result.payload == canonical_payload(data)
    assert result.sha256 == hashlib.sha256(signed).hexdigest()


def test_payload_names_what_the_signature_vouches_for(data):
    payload = canonical_payload(data)
    assert payload["report_id"] == data.report_id
    assert payload["verification_code"] == data.verification_code
    assert payload["enterprise"] == {"tax_code": data.enterprise.tax_code,
                                     "name": data.enterprise.name}
    assert payload["assessed_on"] == data.assessed_on.isoformat()
    assert payload["checklist"] == {"id": data.result.checklist_id,
                                    "version": data.result.checklist_version}
    assert payload["score"] == data.result.score
    assert payload["grade"] == data.result.grade.value
    assert payload["engine_version"] == str(data.result.engine_version)
    json.dumps(payload)  # plain JSON values only


def test_signed_file_is_still_a_readable_pdf_with_the_payload_attached(signed, unsigned, data):
    assert signed.startswith(unsigned)  # the rendered bytes are kept, the rest is appended
    reader = PdfReader(io.BytesIO(signed))
    assert len(reader.pages) == len(PdfReader(io.BytesIO(unsigned)).pages)
    document = json.loads(reader.attachments[ATTACHMENT_NAME][0])
    assert document["payload"]["enterprise"]["name"] == data.enterprise.name  # UTF-8 kept
    info = subprocess.run(["pdfinfo", "-"], input=signed, capture_output=True, check=True)
    assert b"Pages:" in info.stdout and not info.stderr


@pytest.mark.parametrize("where", [0, 10, 5000, "middle", "attachment", "signature", -1])
def test_a_changed_byte_fails(signed, unsigned, key, where):
    position = {
        "middle": len(signed) // 2,
        "attachment": len(unsigned) + 200,
        "signature": signed.rindex(b":") + 5,
    }.get(where, where)
    tampered = bytearray(signed)
    tampered[position] ^= 0x01
    result = verify_report(bytes(tampered), key.public_key())
    assert not result.valid and result.payload is None
    assert result.sha256 == hashlib.sha256(tampered).hexdigest()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_byte_change_fails(signed, key, data):
    position = data.draw(st.integers(0, len(signed) - 1))
    flip = data.draw(st.integers(1, 255))
    tampered = bytearray(signed)
    tampered[position] ^= flip
    assert not verify_report(bytes(tampered), key.public_key()).valid


@pytest.mark.parametrize("mangle", [
    lambda pdf: b"",
    lambda pdf: b"garbage",
    lambda pdf: b"%PDF-1.7\n%riskapp-signature:v1:zz\n",
    lambda pdf: pdf[: len(pdf) // 2],
    lambda pdf: pdf[:-10],
    lambda pdf: pdf + b"appended",
    lambda pdf: pdf + b"%riskapp-signature:v1:0123456789abcdef:" + b"A" * 86 + b"==\n",
])
def test_junk_truncated_or_extended_input_fails_without_raising(signed, key, mangle):
    result = verify_report(mangle(signed), key.public_key())
    assert not result.valid and result.reason


def test_unsigned_report_fails(unsigned, key):
    result = verify_report(unsigned, key.public_key())
    assert not result.valid and "no riskapp signature" in result.reason


def test_other_key_fails(signed):
    result = verify_report(signed, Ed25519PrivateKey.generate().public_key())
    assert not result.valid and "another key" in result.reason


def test_non_bytes_and_bad_keys_fail_without_raising(signed, key):
    assert not verify_report("not bytes", key.public_key()).valid
    assert not verify_report(signed, b"-----BEGIN PUBLIC KEY-----\nnope\n").valid


def test_key_is_created_private_and_reloaded(tmp_path):
    path = tmp_path / "keys" / "signing.pem"
    created = load_or_create_private_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = load_or_create_private_key(path)
    assert public_key_pem(loaded) == public_key_pem(created)
    assert [p.name for p in path.parent.iterdir()] == ["signing.pem"]  # no temp file left


def test_a_file_that_is_not_an_ed25519_key_is_refused(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path = tmp_path / "ec.pem"
    path.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    with pytest.raises(ValueError):
        load_or_create_private_key(path)


def test_verify_report_file(tmp_path, signed, key):
    path = tmp_path / "report.pdf"
    path.write_bytes(signed)
    assert verify_report_file(path, public_key_pem(key)).valid
    missing = verify_report_file(tmp_path / "missing.pdf", key.public_key())
    assert not missing.valid and "cannot read" in missing.reason


def test_verification_codes_are_short_unambiguous_and_random():
    codes = {make_verification_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_verification_codes_are_normalised_from_what_people_type():
    assert normalise_verification_code(" 7kq2 9xhd ") == "7KQ2-9XHD"
    assert normalise_verification_code("7KQ29XHD") == "7KQ2-9XHD"
    assert normalise_verification_code("7KQ2-9XH0") is None  # 0 is not in the alphabet
    assert normalise_verification_code("7KQ2") is None
    assert normalise_verification_code("") is None
