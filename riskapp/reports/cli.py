"""`flask verify-report FILE.pdf`: check a report offline against the published keys (and, given a
saved tree head and proof, that the public log holds it);
`flask keys-rotate`, `flask keys-revoke`, `flask keys-list`: manage the signing keys."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from riskapp.db import db
from riskapp.models.types import utcnow
from riskapp.reports import keys, signing
from riskapp.reports.keyset import KeySet, utc_text
from riskapp.transparency import offline

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _chosen_keys(public_key_file: Path | None, keys_file: Path | None):
    """The key(s) to check against: a saved key set, one public key, or this server's registry."""
    if public_key_file is not None and keys_file is not None:
        raise click.UsageError("give either --keys or --public-key, not both")
    if keys_file is not None:
        try:
            return KeySet.from_json(keys_file.read_bytes())
        except ValueError as error:
            raise click.ClickException(f"{keys_file}: {error}") from error
    if public_key_file is not None:
        try:
            return signing.load_public_key(public_key_file.read_bytes())
        except ValueError as error:
            raise click.ClickException(f"{public_key_file}: {error}") from error
    return keys.key_set()


@click.command("verify-report")
@click.argument("pdf_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--keys", "keys_file", type=_FILE,
              help="Published key set (/verify/keys.json, saved earlier) to check against.")
@click.option("--public-key", "public_key_file", type=_FILE,
              help="One published public key (PEM) to check against.")
@click.option("--tree-head", "tree_head_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A saved signed tree head (sth.json) of the public log.")
@click.option("--proof", "proof_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The report's inclusion proof (proof JSON from its verification page).")
@with_appcontext
def verify_report(pdf_file: Path, keys_file: Path | None, public_key_file: Path | None,
                  tree_head_file: Path | None, proof_file: Path | None) -> None:
    """Check a report PDF's signature offline, and with --tree-head and --proof that the public
    log holds it; exit 0 when genuine, 1 when the signature fails, 3–10 for a log fault
    (riskapp/transparency/offline.py).

    Without --keys or --public-key: this server's key registry."""
    if (tree_head_file is None) != (proof_file is None):
        raise click.UsageError("--tree-head and --proof go together")
    chosen = _chosen_keys(public_key_file, keys_file)
    result = signing.verify_report_file(pdf_file, chosen)
    _show(pdf_file, result)
    if tree_head_file is not None and proof_file is not None:
        _check_logged(result, _resolver(chosen), tree_head_file, proof_file)


def _resolver(chosen):
    """Key id → public key, for the tree head's signature: from the key set, or the one key."""
    if isinstance(chosen, KeySet):
        return lambda kid: chosen[kid].public_key if kid in chosen else None
    return lambda kid: chosen if kid == signing.key_id(chosen) else None


def _check_logged(result: signing.Verification, resolve, head_file: Path,
                  proof_file: Path) -> None:
    """The signed report is leaf N of the tree the saved head signs (no database needed)."""
    try:
        head = offline.checked_head(offline.read_json(head_file), resolve)
        code = str((result.payload or {}).get("verification_code", ""))
        index = offline.check_report_inclusion(result.sha256, code,
                                               offline.read_json(proof_file), head)
    except offline.Fault as fault:
        click.echo(f"NOT IN THE LOG: {fault.message}")
        sys.exit(fault.code)
    click.echo(f"LOGGED: leaf {index} of the signed tree of size {head.tree_size} "
               f"(root {head.root_hash.hex()})")


def _show(pdf_file: Path, result: signing.Verification) -> None:
    click.echo(f"file:    {pdf_file}")
    click.echo(f"sha256:  {result.sha256 or '-'}")
    if not result.valid:
        click.echo(f"NOT GENUINE: {result.reason}")
        sys.exit(1)
    payload = result.payload or {}
    enterprise = payload.get("enterprise") or {}
    click.echo("GENUINE: valid signature")
    if result.note:
        click.echo(f"note:    {result.note}")
    click.echo(f"report:  {payload.get('report_id')} (code {payload.get('verification_code')})")
    click.echo(f"enterprise: {enterprise.get('name')} ({enterprise.get('tax_code')})")
    click.echo(f"assessed on: {payload.get('assessed_on')}  grade: {payload.get('grade')}  "
               f"score: {payload.get('score')}")


@click.command("keys-rotate")
@with_appcontext
def keys_rotate() -> None:
    """Make a new current signing key; the old one stops signing and stays published."""
    row = keys.rotate()
    db.session.commit()
    click.echo(f"current signing key: {row.key_id} ({keys.key_path(row.key_id)})")


def _moment(text: str | None) -> datetime:
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"not an ISO time: {text}", param_hint="--at") from None
    if moment.tzinfo is None:
        raise click.BadParameter("give the time zone, e.g. 2026-12-01T08:30+07:00",
                                 param_hint="--at")
    return moment


@click.command("keys-revoke")
@click.argument("key_id")
@click.option("--at", "at_text", help="When the key is believed compromised (ISO time with its "
              "zone); default: now. Reports signed from then on fail verification.")
@click.option("--reason", required=True, help="Why the key is revoked (published).")
@with_appcontext
def keys_revoke(key_id: str, at_text: str | None, reason: str) -> None:
    """Revoke a signing key for good (rotating first when it is the current one)."""
    try:
        row, rotated = keys.revoke(key_id, _moment(at_text), reason)
    except keys.KeyRefused as refused:
        raise click.ClickException(str(refused)) from None
    db.session.commit()
    click.echo(f"revoked {row.key_id} from {utc_text(row.revoked_at)}: {row.revocation_reason}")
    if rotated is not None:
        click.echo(f"current signing key: {rotated.key_id}")


@click.command("keys-list")
@with_appcontext
def keys_list() -> None:
    """Every signing key with its status and dates (UTC)."""
    key_set = keys.key_set()
    db.session.commit()  # the first key, registered on first use
    for record in key_set.values():
        click.echo(f"{record.key_id}  {record.status:8}  from {utc_text(record.valid_from)}  "
                   f"until {utc_text(record.valid_until) or '-'}  "
                   f"revoked {utc_text(record.revoked_at) or '-'} {record.revocation_reason or ''}")
