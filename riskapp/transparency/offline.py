"""Offline checks of saved tree heads and proof bundles (no database): each fault its own exit code.

| code | fault |
|---|---|
| 3 | the tree head's signature does not verify (a tampered head) |
| 4 | the tree head names a key id this verifier does not know |
| 5 | the proof is for another tree (its size or head differs from the saved head) |
| 6 | the inclusion proof does not verify (a changed byte in the proof or its leaf) |
| 7 | the proof's leaf is not this PDF (another SHA-256 or verification code) |
| 8 | the log holds fewer leaves than a head says (a truncated log) |
| 9 | two heads are not consistent (the log was rewritten between them) |
| 10 | a file cannot be read or is not a tree head / proof |
| 11 | the log's root at a head's size differs from the head's (the log was rewritten) |

1 stays the report signature's own failure (``flask verify-report``), 2 click's usage errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from riskapp.transparency import heads, leaves, merkle
from riskapp.transparency.heads import TreeHead

BAD_HEAD_SIGNATURE, UNKNOWN_KEY, OTHER_TREE, BAD_PROOF, NOT_THIS_PDF = 3, 4, 5, 6, 7
TRUNCATED, INCONSISTENT, UNREADABLE, REWRITTEN = 8, 9, 10, 11


class Fault(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def read_json(path: Path) -> dict:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise Fault(UNREADABLE, f"{path}: cannot read JSON ({error})") from None
    if not isinstance(document, dict):
        raise Fault(UNREADABLE, f"{path}: expected a JSON object")
    return document


def checked_head(document: dict, key_for: Callable[[str], object | None],
                 name: str = "tree head") -> TreeHead:
    """The head, when it parses, names a known key and its signature verifies."""
    try:
        head = heads.head_from_json(document)
    except ValueError as error:
        raise Fault(UNREADABLE, f"{name}: not a tree head ({error})") from None
    key = key_for(head.key_id)
    if key is None:
        raise Fault(UNKNOWN_KEY, f"{name}: signed by unknown key id {head.key_id}")
    if not heads.signature_valid(head, key):
        raise Fault(BAD_HEAD_SIGNATURE,
                    f"{name}: signature does not verify: the tree head was changed")
    return head


def _proof_path(proof: dict) -> tuple[bytes, ...]:
    try:
        path = tuple(bytes.fromhex(node) for node in proof["audit_path"])
    except (KeyError, TypeError, ValueError):
        raise Fault(BAD_PROOF, "proof: audit_path is not a list of hex hashes") from None
    return path


def _report_leaf(proof: dict) -> dict:
    try:
        leaf = json.loads(proof["leaf_input"])
    except (KeyError, TypeError, ValueError):
        raise Fault(BAD_PROOF, "proof: leaf_input is not the JSON of a leaf") from None
    if not isinstance(leaf, dict) or leaf.get("kind") != leaves.REPORT:
        raise Fault(BAD_PROOF, "proof: the leaf is not a report's")
    return leaf


def check_report_inclusion(pdf_sha256: str, verification_code: str, proof: dict,
                           head: TreeHead) -> int:
    """The PDF (its SHA-256 and signed code) is leaf N of the tree the saved head signs; N."""
    if proof.get("tree_size") != head.tree_size:
        raise Fault(OTHER_TREE, f"proof is for a tree of size {proof.get('tree_size')}, "
                                f"the tree head is of size {head.tree_size}")
    bundled = proof.get("tree_head")
    if isinstance(bundled, dict) and bundled.get("root_hash") != head.root_hash.hex():
        raise Fault(OTHER_TREE, "proof was made for another tree head (root hash differs)")
    leaf = _report_leaf(proof)
    if leaf.get("sha256") != pdf_sha256:
        raise Fault(NOT_THIS_PDF, f"the logged report has SHA-256 {leaf.get('sha256')}, "
                                  f"this PDF {pdf_sha256}")
    if leaf.get("verification_code") != verification_code:
        raise Fault(NOT_THIS_PDF, f"the logged report has code {leaf.get('verification_code')}, "
                                  f"this PDF {verification_code}")
    # The leaf hash is recomputed from the PDF's digest and the proof's other fields: nothing
    # the proof states about its own hash is trusted.
    leaf_input = leaves.encode(leaves.REPORT,
                               {k: v for k, v in leaf.items() if k not in ("kind", "v")})
    index = proof.get("leaf_index")
    if not isinstance(index, int) or isinstance(index, bool):
        raise Fault(BAD_PROOF, "proof: leaf_index is not a whole number")
    inclusion = merkle.InclusionProof(index, head.tree_size, _proof_path(proof))
    if leaf_input != str(proof["leaf_input"]).encode() or not merkle.verify_inclusion(
            merkle.leaf_hash(leaf_input), inclusion, head.root_hash):
        raise Fault(BAD_PROOF, "inclusion proof does not verify against the tree head's root")
    return index
