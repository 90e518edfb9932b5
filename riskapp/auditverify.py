"""`flask audit-verify`: walk the audit log's hash chain and say exactly where it breaks.

Read in id order, BATCH rows at a time by key (id > the last one read), as plain rows: each
entry's hash is recomputed (a changed entry), its prev_hash compared with the entry before
(a removed or reordered one; where ids skip too, the missing ids), and the last entry
must be the head's (a cut-off tail, or entries added behind the chain's back).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import click
from flask.cli import with_appcontext
from sqlalchemy import Connection, select

from riskapp.auditchain import GENESIS, HEAD, HEAD_ID, row_hash
from riskapp.db import db
from riskapp.models import AuditLog, LogLeaf
from riskapp.transparency.leaves import AUDIT_CHECKPOINT

BATCH = 10_000
LOG = AuditLog.__table__
LEAVES = LogLeaf.__table__
COLUMNS = [LOG.c[name] for name in (
    "id", "at", "user_id", "province_id", "enterprise_id", "action", "object_type", "object_id",
    "details", "personal_digest", "prev_hash", "row_hash")]


@dataclass
class Verdict:
    entries: int = 0
    last_id: int = 0
    last_hash: str = GENESIS
    faults: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.faults


def _check_row(verdict: Verdict, row) -> None:
    expected_id = verdict.last_id + 1
    if row.id < expected_id:
        verdict.faults.append(f"entry {row.id} is out of order")
    if row.prev_hash != verdict.last_hash:
        # Ids before revision 0021 came from a sequence and may skip (rolled-back inserts): a gap
        # is a deletion only where the link breaks too.
        if row.id > expected_id:
            verdict.faults.append(
                f"entries {expected_id}–{row.id - 1} are missing (deleted from the middle)")
        verdict.faults.append(f"entry {row.id}: prev_hash does not match the hash of entry "
                              f"{verdict.last_id or 'none (start)'}")
    recomputed = row_hash(*row[:10], row.prev_hash)
    if recomputed != row.row_hash:
        verdict.faults.append(f"entry {row.id} was changed (row_hash does not match its content)")
    verdict.entries += 1
    # Go on from what is stored, so one fault is reported once, not at every later entry.
    verdict.last_id, verdict.last_hash = row.id, row.row_hash


def _check_head(connection: Connection, verdict: Verdict) -> None:
    head = connection.execute(select(HEAD.c.last_id, HEAD.c.last_hash)
                              .where(HEAD.c.id == HEAD_ID)).one_or_none()
    last_id, last_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
    if last_id > verdict.last_id:
        verdict.faults.append(f"the tail is cut off: the chain's head says the last entry is "
                              f"{last_id}, the table ends at {verdict.last_id or 'nothing'}")
    elif last_id < verdict.last_id:
        verdict.faults.append(f"entries {last_id + 1}–{verdict.last_id} are past the chain's "
                              f"head (added outside the chain)")
    elif last_hash != verdict.last_hash:
        verdict.faults.append(f"entry {last_id}: its hash is not the one the chain's head holds")


def _check_checkpoints(connection: Connection, verdict: Verdict) -> None:
    """Each checkpoint the transparency log published (riskapp.transparency.services) names an
    entry and its hash: the chain must still hold it, or it was rewritten after publication."""
    published = connection.execute(
        select(LEAVES.c.leaf_index, LEAVES.c.leaf_input)
        .where(LEAVES.c.kind == AUDIT_CHECKPOINT).order_by(LEAVES.c.leaf_index)).all()
    for leaf_index, leaf_input in published:
        point = json.loads(bytes(leaf_input))
        stored = connection.scalar(select(LOG.c.row_hash).where(LOG.c.id == point["last_id"]))
        if stored != point["last_hash"]:
            state = "is missing" if stored is None else "has another hash"
            verdict.faults.append(
                f"entry {point['last_id']} {state}: the transparency log published it as "
                f"{point['last_hash']} (checkpoint leaf {leaf_index}), so the chain was "
                f"rewritten after that publication")


def verify(connection: Connection, batch: int = BATCH) -> Verdict:
    verdict = Verdict()
    while True:
        rows = connection.execute(select(*COLUMNS).where(LOG.c.id > verdict.last_id)
                                  .order_by(LOG.c.id).limit(batch)).all()
        for row in rows:
            _check_row(verdict, row)
        if len(rows) < batch:
            break
    _check_head(connection, verdict)
    _check_checkpoints(connection, verdict)
    return verdict


@click.command("audit-verify")
@click.option("--max-faults", default=100, show_default=True, help="Faults listed at most.")
@with_appcontext
def audit_verify_command(max_faults: int) -> None:
    """Check the audit log's hash chain; exit status 1 on any fault."""
    with db.engine.connect() as connection:
        verdict = verify(connection)
    if verdict.intact:
        click.echo(f"intact: {verdict.entries} entries, last hash {verdict.last_hash}")
        return
    for fault in verdict.faults[:max_faults]:
        click.echo(fault, err=True)
    more = len(verdict.faults) - max_faults
    if more > 0:
        click.echo(f"… and {more} more", err=True)
    raise click.ClickException(f"the audit log's chain is broken: {len(verdict.faults)} faults "
                               f"in {verdict.entries} entries")
