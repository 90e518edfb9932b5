"""Ed25519 signing and offline verification of report PDFs.

Design — two layers, both with the same key:

1. The canonical payload (``canonical_payload``: who, when, which checklist, score, grade) is
   serialised as canonical JSON (sorted keys, no spaces, UTF-8), signed, and embedded in the PDF
   as the attachment ``riskapp-report.json`` through an incremental update: the rendered bytes stay
   untouched and anyone can read the payload in a PDF viewer's attachment pane.
2. The complete PDF bytes (rendered file + update) are then signed and the signature appended after
   the final ``%%EOF`` as one PDF comment line::

       %riskapp-signature:v1:<key id>:<base64 Ed25519 signature>

   PDF readers ignore bytes after ``%%EOF``; ``verify_report`` splits the file at that line and
   checks the signature over everything before it, so a changed byte anywhere fails.

The key id (first 16 hex digits of the SHA-256 of the raw public key) names the key that signed,
so verifiers can tell "another key" from "changed file" and a key can be rotated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pypdf import PdfReader, PdfWriter

from riskapp.charts import grade_key
from riskapp.reports.keyset import KeyRecord, KeySet, utc_text

if TYPE_CHECKING:
    from riskapp.reports.data import ReportData

# Verification.outcome: the different failures a verifier words differently.
VALID = "valid"
CHANGED = "changed"  # the signature does not match: the file (or its payload) was changed
UNKNOWN_KEY = "unknown_key"  # signed by a key the key set does not hold
REVOKED_KEY = "revoked_key"  # signed after the key's revocation time
OUTSIDE_VALIDITY = "outside_validity"  # signed after the key was rotated out
INVALID = "invalid"  # not a signed riskapp report at all

PAYLOAD_FORMAT = "riskapp-report/1"
ATTACHMENT_NAME = "riskapp-report.json"
SIGNATURE_PREFIX = b"%riskapp-signature:v1:"
# Domain separation: a signature over a report can never be replayed as another kind of message.
_FILE_CONTEXT = b"riskapp report pdf v1\n"
_PAYLOAD_CONTEXT = b"riskapp report payload v1\n"
_SIGNATURE_LINE = re.compile(rb"%riskapp-signature:v1:([0-9a-f]{16}):([A-Za-z0-9+/]{86}==)\r?\n?")

# No 0/O, 1/I/L look-alikes: codes are read aloud and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


@dataclass(frozen=True)
class Verification:
    valid: bool
    payload: dict | None
    reason: str  # short English sentence for logs, the CLI and the verification page
    sha256: str  # hex SHA-256 of the bytes checked (the whole file as given)
    # Which failure (or VALID), for pages that word it themselves: see the constants below.
    outcome: str = ""
    key: KeyRecord | None = None  # the registry's key that signed, when a key set was used
    note: str = ""  # said beside a valid result (a key revoked after this report was signed)


def make_verification_code() -> str:
    """A random code such as '7KQ2-9XHD' (8 symbols of 31, about 40 bits)."""
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{symbols[:4]}-{symbols[4:]}"


def normalise_verification_code(text: str) -> str | None:
    """'7kq2 9xhd' → '7KQ2-9XHD'; None when it cannot be a code (for the /verify/<code> page)."""
    symbols = re.sub(r"[\s\-]", "", text or "").upper()
    if len(symbols) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in symbols):
        return None
    return f"{symbols[:4]}-{symbols[4:]}"


def write_private_key(path: Path, key: Ed25519PrivateKey) -> Ed25519PrivateKey:
    """Write ``key`` at ``path`` (PEM, mode 0600) unless a key is already there; the key the file
    holds afterwards."""
    path = Path(path)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write a private temp file, then link it into place: another process starting at the
    # same time either wins the link (we then load its key) or finds a complete file.
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(temp_name, path)
            return key
        except FileExistsError:
            pass
    finally:
        os.unlink(temp_name)
    return _read_private_key(path)


def _read_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    """Load the PEM signing key at ``path``, creating it (mode 0600) when missing."""
    path = Path(path)
    if not path.exists():
        return write_private_key(path, Ed25519PrivateKey.generate())
    return _read_private_key(path)


def _public(key: Ed25519PrivateKey | Ed25519PublicKey | bytes | str) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, Ed25519PublicKey):
        return key
    return load_public_key(key.encode() if isinstance(key, str) else key)


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """Read a published public key (PEM); ValueError when it is not Ed25519."""
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def public_key_pem(private_key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The public key to publish, as SubjectPublicKeyInfo PEM."""
    return _public(private_key).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey | bytes | str) -> str:
    """First 16 hex digits of the SHA-256 of the raw public key."""
    raw = _public(key).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def canonical_json(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_payload(data: ReportData) -> dict:
    """The facts a signature vouches for, as plain JSON values."""
    result = data.result
    generated_at = data.generated_at
    if generated_at.tzinfo is not None:
        generated_at = generated_at.astimezone(UTC)
    return {
        "format": PAYLOAD_FORMAT,
        "report_id": data.report_id,
        "verification_code": data.verification_code,
        "enterprise": {"tax_code": data.enterprise.tax_code, "name": data.enterprise.name},
        "assessed_on": data.assessed_on.isoformat(),
        "checklist": {"id": result.checklist_id, "version": result.checklist_version},
        "area_level": data.area_level,
        "score": float(result.score),
        "grade": grade_key(result.grade),
        "engine_version": str(result.engine_version),
        "generated_at": generated_at.isoformat(),
        "lang": data.lang,
    }


def _embed_payload(pdf: bytes, document: dict) -> bytes:
    """Append an incremental update that attaches the signed payload JSON."""
    writer = PdfWriter(PdfReader(io.BytesIO(pdf)), incremental=True)
    attachment = json.dumps(document, ensure_ascii=False, indent=1).encode()
    writer.add_attachment(ATTACHMENT_NAME, attachment)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_report(pdf: bytes, payload: dict, private_key: Ed25519PrivateKey) -> bytes:
    """The signed PDF: payload attached and signed, then the whole file signed (see module doc)."""
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("not a PDF")
    document = {
        "payload": payload,
        "alg": "Ed25519",
        "key_id": key_id(private_key),
        "signature": base64.b64encode(
            private_key.sign(_PAYLOAD_CONTEXT + canonical_json(payload))
        ).decode(),
    }
    body = _embed_payload(pdf, document)
    if not body.endswith(b"\n"):
        body += b"\n"
    signature = base64.b64encode(private_key.sign(_FILE_CONTEXT + body))
    return body + SIGNATURE_PREFIX + key_id(private_key).encode() + b":" + signature + b"\n"


def _read_attachment(body: bytes) -> dict:
    attachments = PdfReader(io.BytesIO(body)).attachments
    contents = attachments.get(ATTACHMENT_NAME) or []
    if len(contents) != 1:
        raise ValueError("expected exactly one payload attachment")
    return json.loads(contents[0])


class _Refused(Exception):
    """A check failed; the message says which, in words for the verification page."""

    def __init__(self, message: str, outcome: str = INVALID, key: KeyRecord | None = None):
        super().__init__(message)
        self.outcome = outcome
        self.key = key


def _signature_line(pdf: bytes) -> tuple[bytes, re.Match]:
    """The signed body and the signature line at the end of the file."""
    if not pdf.startswith(b"%PDF-"):
        raise _Refused("not a PDF file")
    start = pdf.rfind(SIGNATURE_PREFIX)
    if start < 0:
        raise _Refused("no riskapp signature found")
    match = _SIGNATURE_LINE.fullmatch(pdf, start)
    if match is None:
        raise _Refused("malformed signature line or data after the signature")
    return pdf[:start], match


def signer_key_id(pdf: bytes) -> str | None:
    """The key id on a signed report's signature line (None when it has none)."""
    try:
        return _signature_line(pdf)[1][1].decode()
    except _Refused:
        return None


def _checked_key(public_key, match: re.Match) -> Ed25519PublicKey:
    try:
        key = _public(public_key)
    except (ValueError, TypeError):
        raise _Refused("the public key is not a valid Ed25519 key") from None
    if match[1].decode() != key_id(key):
        raise _Refused("signed by another key", UNKNOWN_KEY)
    return key


def _signed_payload(body: bytes, key: Ed25519PublicKey) -> dict:
    """The attached payload, whose own signature checks."""
    try:
        document = _read_attachment(body)
        payload = document["payload"]
        key.verify(base64.b64decode(document["signature"], validate=True),
                   _PAYLOAD_CONTEXT + canonical_json(payload))
    except InvalidSignature:
        raise _Refused("embedded payload signature does not match") from None
    except Exception:  # any malformed attachment is a failed verification, not a crash
        raise _Refused("signed payload missing or unreadable") from None
    if not isinstance(payload, dict):
        raise _Refused("signed payload missing or unreadable")
    return payload


def verify_report(
    pdf: bytes, public_key: Ed25519PublicKey | Ed25519PrivateKey | bytes | str
) -> Verification:
    """Check a signed report against the published key; never raises on bad input."""
    if not isinstance(pdf, bytes | bytearray | memoryview):
        return Verification(False, None, "input is not bytes", "")
    pdf = bytes(pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    try:
        body, match = _signature_line(pdf)
        key = _checked_key(public_key, match)
        try:
            key.verify(base64.b64decode(match[2], validate=True), _FILE_CONTEXT + body)
        except (InvalidSignature, binascii.Error):
            raise _Refused("signature does not match: the file was changed", CHANGED) from None
        payload = _signed_payload(body, key)
    except _Refused as refused:
        return Verification(False, None, str(refused), digest, refused.outcome, refused.key)
    return Verification(True, payload, "valid signature", digest, VALID)


def _signed_at(payload: dict) -> datetime:
    try:
        moment = datetime.fromisoformat(str(payload["generated_at"]))
    except (KeyError, ValueError):
        raise _Refused("signed payload has no valid signing time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _key_in_force(record: KeyRecord, signed_at: datetime) -> str:
    """Refuse a report the key could no longer sign; the note for one signed in time."""
    if record.revoked_before(signed_at):
        raise _Refused(f"signed by key {record.key_id} after it was revoked on "
                       f"{utc_text(record.revoked_at)}: {record.revocation_reason}",
                       REVOKED_KEY, record)
    if record.retired_before(signed_at):
        raise _Refused(f"signed by key {record.key_id} on {utc_text(signed_at)}, after it was "
                       f"retired on {utc_text(record.valid_until)}", OUTSIDE_VALIDITY, record)
    if record.revoked_at is not None:
        return (f"key {record.key_id} was revoked on {utc_text(record.revoked_at)} "
                f"({record.revocation_reason}); this report was signed before, on "
                f"{utc_text(signed_at)}")
    return ""


def verify_report_with_keys(pdf: bytes, keys: KeySet) -> Verification:
    """Check a signed report against a key set: the key that signed must be known, the file
    unchanged, and the key in force at the signed time (not revoked, not yet rotated out)."""
    if not isinstance(pdf, bytes | bytearray | memoryview):
        return Verification(False, None, "input is not bytes", "", INVALID)
    pdf = bytes(pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    record = None
    try:
        _body, match = _signature_line(pdf)
        record = keys.get(match[1].decode())
        if record is None:
            raise _Refused(f"signed by an unknown key {match[1].decode()}", UNKNOWN_KEY)
        checked = verify_report(pdf, record.public_key)
        if not checked.valid:
            raise _Refused(checked.reason, checked.outcome, record)
        note = _key_in_force(record, _signed_at(checked.payload))
    except _Refused as refused:
        return Verification(False, None, str(refused), digest, refused.outcome, refused.key)
    return Verification(True, checked.payload, "valid signature", digest, VALID, record, note)


def verify_report_file(path: Path, public_key: Any) -> Verification:
    """``verify_report`` (or, given a KeySet, ``verify_report_with_keys``) on a file on disk
    (for ``flask verify-report FILE.pdf``)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return Verification(False, None, f"cannot read file: {error.strerror}", "", INVALID)
    if isinstance(public_key, KeySet):
        return verify_report_with_keys(data, public_key)
    return verify_report(data, public_key)
