"""The log in the database: appending leaves, publishing signed tree heads, proofs.

Appends are dense and sequential: every append first bumps the one `transparency_state` row
(UPDATE … RETURNING), which takes its row lock on PostgreSQL and the write lock on SQLite, so a
second append waits until the first commits or rolls back; the leaf index is the primary key.
Leaves, nodes and heads are only ever inserted. Services flush, never commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from riskapp import clock
from riskapp.db import db
from riskapp.jobs.outbox import dialect_insert
from riskapp.models import (
    AuditChainHead,
    LogLeaf,
    LogNode,
    LogState,
    LogTreeHead,
    Report,
    ReportStatus,
)
from riskapp.models.types import utcnow
from riskapp.reports import keys, signing
from riskapp.transparency import heads, leaves, merkle

LEAVES_PAGE_LIMIT = 100
RECENT_HEADS = 10


class Refused(Exception):
    """Bad or unknown parameters of a proof request: the message says which (HTTP status)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class DbStore:
    """merkle.Store over the tables; hashes never change, so each is read at most once."""

    def __init__(self) -> None:
        self._read: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._read:
            if level == 0:
                query = select(LogLeaf.leaf_hash).where(LogLeaf.leaf_index == index)
            else:
                query = select(LogNode.hash).where(LogNode.level == level,
                                                   LogNode.node_index == index)
            found = db.session.scalar(query)
            if found is None:
                raise LookupError(f"no stored hash at level {level}, index {index}")
            self._read[key] = bytes(found)
        return self._read[key]


# --------------------------------------------------------------------------- appending


def size() -> int:
    return db.session.scalar(select(LogState.size).where(LogState.id == 1)) or 0


def _claim_index() -> int:
    bump = (update(LogState).where(LogState.id == 1).values(size=LogState.size + 1)
            .returning(LogState.size).execution_options(synchronize_session=False))
    claimed = db.session.execute(bump).scalar()
    if claimed is None:
        # First append (or an emptied database): the row starts at the leaves already stored.
        insert = dialect_insert(db.session.get_bind().dialect.name)
        leaves_stored = select(func.count()).select_from(LogLeaf).scalar_subquery()
        db.session.execute(insert(LogState).values(id=1, size=leaves_stored)
                           .on_conflict_do_nothing(index_elements=["id"]))
        claimed = db.session.execute(bump).scalar()
    return claimed - 1


def append(kind: str, fields: dict, *, object_id: int, province_id: int | None) -> LogLeaf:
    """One leaf at the next index, with the subtree hashes it completes."""
    leaf_input = leaves.encode(kind, fields)
    index = _claim_index()
    hashed = merkle.leaf_hash(leaf_input)
    leaf = LogLeaf(leaf_index=index, kind=kind, leaf_input=leaf_input, leaf_hash=hashed,
                   object_id=object_id, province_id=province_id, created_at=utcnow())
    db.session.add(leaf)
    db.session.flush()
    nodes = merkle.nodes_after_append(DbStore(), index, hashed)[1:]
    db.session.add_all(LogNode(level=n.level, node_index=n.index, hash=n.hash) for n in nodes)
    db.session.flush()
    return leaf


def log_report(report) -> LogLeaf:
    fields = leaves.report_fields(
        report_id=report.public_id, verification_code=report.verification_code,
        sha256=report.sha256, key_id=signing.signer_key_id(report.pdf),
        generated_at=report.generated_at, lang=report.lang)
    return append(leaves.REPORT, fields, object_id=report.id, province_id=report.province_id)


def log_area_level(row, area) -> LogLeaf:
    fields = leaves.area_level_fields(
        area_level_id=row.id, area_id=area.id, area_code=area.code, province_id=area.province_id,
        level=row.level, effective_from=row.effective_from, decided_at=utcnow())
    return append(leaves.AREA_LEVEL, fields, object_id=row.id, province_id=area.province_id)


def log_activation(activation, version) -> LogLeaf:
    fields = leaves.activation_fields(
        activation_id=activation.id, province_id=activation.province_id,
        checklist_key=version.checklist_key, checklist_version=version.version,
        fingerprint=version.fingerprint, active_from=activation.active_from,
        decided_at=utcnow())
    return append(leaves.CHECKLIST_ACTIVATION, fields, object_id=activation.id,
                  province_id=activation.province_id)


def log_review(review, assessment) -> LogLeaf:
    grade = assessment.grade.value if assessment.grade is not None else None
    fields = leaves.review_fields(
        review_id=review.id, assessment_id=assessment.id, province_id=assessment.province_id,
        decision=review.decision.value, automatic=bool(review.automatic), grade=grade,
        decided_at=review.decided_at)
    return append(leaves.REVIEW, fields, object_id=review.id, province_id=assessment.province_id)


# --------------------------------------------------------------------------- tree heads


def as_head(row: LogTreeHead) -> heads.TreeHead:
    return heads.TreeHead(row.tree_size, row.timestamp_ms, bytes(row.root_hash), row.key_id,
                          bytes(row.signature))


def latest_head() -> LogTreeHead | None:
    return db.session.scalar(select(LogTreeHead)
                             .order_by(LogTreeHead.tree_size.desc(), LogTreeHead.id.desc()))


def head_of_size(tree_size: int) -> LogTreeHead | None:
    return db.session.scalar(select(LogTreeHead).where(LogTreeHead.tree_size == tree_size)
                             .order_by(LogTreeHead.id.desc()))


def recent_heads(limit: int = RECENT_HEADS) -> list[LogTreeHead]:
    return list(db.session.scalars(select(LogTreeHead).order_by(LogTreeHead.id.desc())
                                   .limit(limit)))


def checkpoint_audit_chain() -> LogLeaf | None:
    """Log where the audit log's hash chain stands, when it moved since the last checkpoint: a
    superuser who cuts the chain's tail and rewrites its head row still disagrees with a published
    leaf (`flask audit-verify` compares them)."""
    head = db.session.execute(select(AuditChainHead.last_id, AuditChainHead.last_hash)
                              .where(AuditChainHead.id == 1)).one_or_none()
    if head is None or not head.last_id:
        return None
    last = db.session.scalar(select(LogLeaf.leaf_input).where(
        LogLeaf.kind == leaves.AUDIT_CHECKPOINT).order_by(LogLeaf.leaf_index.desc()).limit(1))
    if last is not None and json.loads(bytes(last))["last_hash"] == head.last_hash:
        return None
    fields = leaves.audit_checkpoint_fields(last_id=head.last_id, last_hash=head.last_hash)
    return append(leaves.AUDIT_CHECKPOINT, fields, object_id=head.last_id, province_id=None)


def publish(now: datetime | None = None) -> tuple[LogTreeHead, bool]:
    """Sign the current tree; (head, True), or (today's head of this size, False): a second
    publication of the same size on the same day adds nothing."""
    moment = now or clock.now()
    checkpoint_audit_chain()
    tree_size = size()
    day = clock.local_date(moment, clock.DEFAULT_TIMEZONE)
    same = select(LogTreeHead).where(LogTreeHead.tree_size == tree_size,
                                     LogTreeHead.published_on == day)
    existing = db.session.scalar(same)
    if existing is not None:
        return existing, False
    signed = heads.sign_head(keys.current_private_key(), tree_size, int(moment.timestamp() * 1000),
                             merkle.root_hash(DbStore(), tree_size))
    insert = dialect_insert(db.session.get_bind().dialect.name)
    inserted = db.session.execute(
        insert(LogTreeHead).values(
            tree_size=tree_size, timestamp_ms=signed.timestamp_ms, root_hash=signed.root_hash,
            key_id=signed.key_id, signature=signed.signature, published_on=day,
            created_at=moment)
        .on_conflict_do_nothing(index_elements=["tree_size", "published_on"])
        .returning(LogTreeHead.id)
    ).scalar()
    if inserted is None:  # a parallel publication got in first
        return db.session.scalar(same), False
    return db.session.get(LogTreeHead, inserted), True


def head_verifies(row: LogTreeHead) -> bool:
    key = keys.public_key_for(row.key_id)
    return key is not None and heads.signature_valid(as_head(row), key)


# --------------------------------------------------------------------------- proofs


def _checked_size(tree_size: int) -> int:
    if tree_size < 0 or tree_size > size():
        raise Refused(_("The log holds %(size)s leaves: tree size %(asked)s is not in it.",
                        size=size(), asked=tree_size))
    return tree_size


def _default_size(tree_size: int | None) -> int:
    if tree_size is not None:
        return _checked_size(tree_size)
    head = latest_head()
    if head is None:
        raise Refused(_("No tree head has been published yet."), 404)
    return head.tree_size


def leaf_by_hash(hashed: bytes) -> LogLeaf | None:
    return db.session.scalar(select(LogLeaf).where(LogLeaf.leaf_hash == hashed)
                             .order_by(LogLeaf.leaf_index))


def report_leaf(code: str) -> LogLeaf | None:
    normalised = signing.normalise_verification_code(code)
    if normalised is None:
        return None
    return db.session.scalar(
        select(LogLeaf).join(Report, Report.id == LogLeaf.object_id)
        .where(LogLeaf.kind == leaves.REPORT, Report.verification_code == normalised,
               Report.status == ReportStatus.READY))


def inclusion(leaf: LogLeaf, tree_size: int | None = None) -> dict:
    """The proof bundle: the leaf (its input, hash, index), the audit path, and the signed head
    of that size when there is one (what offline checks need)."""
    tree_size = _default_size(tree_size)
    if leaf.leaf_index >= tree_size:
        raise Refused(_("Leaf %(index)s is not in the tree of size %(size)s yet.",
                        index=leaf.leaf_index, size=tree_size))
    proof = merkle.inclusion_proof(DbStore(), leaf.leaf_index, tree_size)
    head = head_of_size(tree_size)
    return {
        "leaf_index": leaf.leaf_index,
        "tree_size": tree_size,
        "leaf_hash": bytes(leaf.leaf_hash).hex(),
        "leaf_input": bytes(leaf.leaf_input).decode(),
        "audit_path": [node.hex() for node in proof.path],
        "tree_head": as_head(head).to_json() if head is not None else None,
    }


def consistency(first: int, second: int) -> dict:
    if first > second:
        raise Refused(_("The first tree size must not be larger than the second."))
    _checked_size(second)
    _checked_size(first)
    store = DbStore()
    proof = merkle.consistency_proof(store, first, second)
    return {"first": first, "second": second,
            "first_root": merkle.root_hash(store, first).hex(),
            "second_root": merkle.root_hash(store, second).hex(),
            "consistency_path": [node.hex() for node in proof.path]}


def leaf_page(start: int, end: int) -> dict:
    if start < 0 or end <= start:
        raise Refused(_("Ask for leaves from start to end, with end larger than start."))
    end = min(end, start + LEAVES_PAGE_LIMIT)
    rows = db.session.scalars(select(LogLeaf).where(LogLeaf.leaf_index >= start,
                                                    LogLeaf.leaf_index < end)
                              .order_by(LogLeaf.leaf_index))
    return {"start": start, "end": end, "leaves": [
        {"leaf_index": row.leaf_index, "leaf_input": bytes(row.leaf_input).decode(),
         "leaf_hash": bytes(row.leaf_hash).hex()} for row in rows]}


def counts_by_kind() -> dict[str, int]:
    rows = db.session.execute(select(LogLeaf.kind, func.count()).group_by(LogLeaf.kind)).all()
    found = dict(rows)
    return {kind: found.get(kind, 0) for kind in leaves.KINDS}


# --------------------------------------------------------------------------- /verify/<code>


@dataclass(frozen=True)
class ReportEntry:
    """What the report's page shows of the log: state 'logged', 'pending' (not yet in a published
    head) or 'absent' (issued before the log, or not logged)."""

    state: str
    leaf_index: int | None = None
    proof: dict | None = None
    head: LogTreeHead | None = None
    head_signed: bool = False
    verified: bool = False


def report_entry(code: str) -> ReportEntry:
    leaf = report_leaf(code)
    if leaf is None:
        return ReportEntry("absent")
    head = latest_head()
    if head is None or leaf.leaf_index >= head.tree_size:
        return ReportEntry("pending", leaf.leaf_index)
    proof = inclusion(leaf, head.tree_size)
    path = tuple(bytes.fromhex(node) for node in proof["audit_path"])
    verified = merkle.verify_inclusion(
        bytes(leaf.leaf_hash), merkle.InclusionProof(leaf.leaf_index, head.tree_size, path),
        bytes(head.root_hash))
    return ReportEntry("logged", leaf.leaf_index, proof, head, head_verifies(head), verified)
