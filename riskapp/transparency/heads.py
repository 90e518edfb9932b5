"""Signed tree heads: what is signed, the JSON form, signing and checking (no Flask, no database).

The signed input follows RFC 9162's TreeHeadDataToSign, behind a context string so a tree-head
signature can never be replayed as a report signature (same key)::

    b"riskapp transparency tree head v1\\n" || version (uint8 = 1) || timestamp (uint64, ms)
      || tree_size (uint64) || root hash length (uint8 = 32) || root hash

all integers big-endian.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from riskapp.reports.signing import key_id
from riskapp.transparency.merkle import HASH_SIZE

VERSION = 1
CONTEXT = b"riskapp transparency tree head v1\n"
_MAX_UINT64 = 2**64 - 1


@dataclass(frozen=True)
class TreeHead:
    tree_size: int
    timestamp_ms: int
    root_hash: bytes
    key_id: str
    signature: bytes

    def to_json(self) -> dict:
        return {
            "version": VERSION,
            "tree_size": self.tree_size,
            "timestamp": self.timestamp_ms,
            "root_hash": self.root_hash.hex(),
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode(),
        }


def signing_input(tree_size: int, timestamp_ms: int, root: bytes) -> bytes:
    if len(root) != HASH_SIZE:
        raise ValueError("root hash must be 32 bytes")
    return CONTEXT + struct.pack(">BQQB", VERSION, timestamp_ms, tree_size, HASH_SIZE) + root


def sign_head(private_key: Ed25519PrivateKey, tree_size: int, timestamp_ms: int,
              root: bytes) -> TreeHead:
    signature = private_key.sign(signing_input(tree_size, timestamp_ms, root))
    return TreeHead(tree_size, timestamp_ms, root, key_id(private_key), signature)


def signature_valid(head: TreeHead, public_key: Ed25519PublicKey) -> bool:
    try:
        public_key.verify(head.signature,
                          signing_input(head.tree_size, head.timestamp_ms, head.root_hash))
    except (InvalidSignature, ValueError):
        return False
    return True


def _uint64(document: dict, name: str) -> int:
    value = document.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_UINT64:
        raise ValueError(f"{name} must be a whole number from 0")
    return value


def head_from_json(document: object) -> TreeHead:
    """A tree head read from its JSON form; ValueError saying which field is wrong."""
    if not isinstance(document, dict):
        raise ValueError("a tree head is a JSON object")
    if document.get("version") != VERSION:
        raise ValueError(f"unsupported tree head version {document.get('version')!r}")
    try:
        root = bytes.fromhex(str(document.get("root_hash", "")))
        signature = base64.b64decode(str(document.get("signature", "")), validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("root_hash must be hex and signature base64") from None
    if len(root) != HASH_SIZE or len(signature) != 64:
        raise ValueError("root_hash must be 32 bytes and signature 64 bytes")
    key = document.get("key_id")
    if not isinstance(key, str) or not key:
        raise ValueError("key_id is missing")
    return TreeHead(_uint64(document, "tree_size"), _uint64(document, "timestamp"), root, key,
                    signature)
