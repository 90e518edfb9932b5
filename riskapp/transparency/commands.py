"""`flask transparency-publish` (cron, daily) and `flask transparency-audit HEAD.json …`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from riskapp.db import db
from riskapp.reports import keys
from riskapp.transparency import merkle, offline, services
from riskapp.transparency.heads import TreeHead


@click.command("transparency-publish")
@with_appcontext
def publish_command() -> None:
    """Sign and publish a tree head of the log (idempotent: one per size and day)."""
    head, created = services.publish()
    db.session.commit()
    state = "published" if created else "already published today"
    click.echo(f"tree head of size {head.tree_size} {state}: root {bytes(head.root_hash).hex()} "
               f"key {head.key_id}")


def _consistent(older: TreeHead, newer: TreeHead, store: services.DbStore) -> None:
    proof = merkle.consistency_proof(store, older.tree_size, newer.tree_size)
    if not merkle.verify_consistency(proof, older.root_hash, newer.root_hash):
        raise offline.Fault(offline.INCONSISTENT,
                            f"heads of size {older.tree_size} and {newer.tree_size} are not "
                            "consistent: the log was rewritten between them")


def audit(paths: tuple[Path, ...]) -> list[TreeHead]:
    """Every head's signature, the log still holding each head's size with its root, and each
    consecutive pair (by size) consistent; raises offline.Fault."""
    found = [offline.checked_head(offline.read_json(path), keys.public_key_for, str(path))
             for path in paths]
    found.sort(key=lambda head: (head.tree_size, head.timestamp_ms))
    log_size, store = services.size(), services.DbStore()
    for head in found:
        if head.tree_size > log_size:
            raise offline.Fault(offline.TRUNCATED, f"a head says the log held {head.tree_size} "
                                                   f"leaves; it holds {log_size}: truncated")
    for older, newer in zip(found, found[1:], strict=False):
        _consistent(older, newer, store)
    for head in found:
        if merkle.root_hash(store, head.tree_size) != head.root_hash:
            raise offline.Fault(offline.REWRITTEN, f"the log's root at size {head.tree_size} "
                                                   "is not the head's: the log was rewritten")
    return found


@click.command("transparency-audit")
@click.argument("head_files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def audit_command(head_files: tuple[Path, ...]) -> None:
    """Check saved tree heads against the log; exit 0 when all hold (codes: riskapp.transparency
    .offline: 3 tampered head, 4 unknown key, 8 truncated, 9 inconsistent, 10 unreadable,
    11 rewritten)."""
    try:
        found = audit(head_files)
    except offline.Fault as fault:
        click.echo(f"FAILED: {fault.message}")
        sys.exit(fault.code)
    sizes = ", ".join(str(head.tree_size) for head in found)
    click.echo(f"OK: {len(found)} tree heads (sizes {sizes}) signed, consistent, in the log")
