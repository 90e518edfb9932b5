"""`flask verify-report FILE.pdf`: check a report offline against the signing key."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from riskapp.reports import signing
from riskapp.transparency import offline


@click.command("verify-report")
@click.argument("pdf_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    "public_key_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Published public key (PEM) to check against; default: this server's signing key.",
)
@click.option("--tree-head", "tree_head_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A saved signed tree head (sth.json) of the public log.")
@click.option("--proof", "proof_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The report's inclusion proof (proof JSON from its verification page).")
@with_appcontext
def verify_report(pdf_file: Path, public_key_file: Path | None, tree_head_file: Path | None,
                  proof_file: Path | None) -> None:
    """Check a report PDF's signature offline, and with --tree-head and --proof that the public
    log holds it; exit 0 when genuine, 1 when the signature fails, 3–10 for a log fault
    (riskapp/transparency/offline.py)."""
    if (tree_head_file is None) != (proof_file is None):
        raise click.UsageError("--tree-head and --proof go together")
    key = _key(public_key_file)
    result = signing.verify_report_file(pdf_file, key)
    _show(pdf_file, result)
    if tree_head_file is not None and proof_file is not None:
        _check_logged(result, key, tree_head_file, proof_file)


def _check_logged(result: signing.Verification, key, head_file: Path, proof_file: Path) -> None:
    """The signed report is leaf N of the tree the saved head signs (no database needed)."""
    public = key.public_key() if hasattr(key, "public_key") else key
    try:
        head = offline.checked_head(offline.read_json(head_file),
                                    lambda kid: public if kid == signing.key_id(public) else None)
        code = str((result.payload or {}).get("verification_code", ""))
        index = offline.check_report_inclusion(result.sha256, code,
                                               offline.read_json(proof_file), head)
    except offline.Fault as fault:
        click.echo(f"NOT IN THE LOG: {fault.message}")
        sys.exit(fault.code)
    click.echo(f"LOGGED: leaf {index} of the signed tree of size {head.tree_size} "
               f"(root {head.root_hash.hex()})")


def _key(public_key_file: Path | None):
    """The published public key given, else this server's signing key."""
    if public_key_file is not None:
        try:
            return signing.load_public_key(public_key_file.read_bytes())
        except ValueError as error:
            raise click.ClickException(f"{public_key_file}: {error}") from error
    key_path = Path(current_app.config["REPORT_SIGNING_KEY"])
    if not key_path.exists():
        raise click.ClickException(f"no signing key at {key_path}; pass --public-key")
    return signing.load_or_create_private_key(key_path)


def _show(pdf_file: Path, result: signing.Verification) -> None:
    click.echo(f"file:    {pdf_file}")
    click.echo(f"sha256:  {result.sha256 or '-'}")
    if not result.valid:
        click.echo(f"NOT GENUINE: {result.reason}")
        sys.exit(1)
    payload = result.payload or {}
    enterprise = payload.get("enterprise") or {}
    click.echo("GENUINE: valid signature")
    click.echo(f"report:  {payload.get('report_id')} (code {payload.get('verification_code')})")
    click.echo(f"enterprise: {enterprise.get('name')} ({enterprise.get('tax_code')})")
    click.echo(f"assessed on: {payload.get('assessed_on')}  grade: {payload.get('grade')}  "
               f"score: {payload.get('score')}")
