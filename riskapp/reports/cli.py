"""`flask verify-report FILE.pdf`: check a report offline against the signing key."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from riskapp.reports import signing


@click.command("verify-report")
@click.argument("pdf_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    "public_key_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Published public key (PEM) to check against; default: this server's signing key.",
)
@with_appcontext
def verify_report(pdf_file: Path, public_key_file: Path | None) -> None:
    """Check a report PDF's signature offline; exit 0 when genuine, 1 when not."""
    if public_key_file is not None:
        try:
            key = signing.load_public_key(public_key_file.read_bytes())
        except ValueError as error:
            raise click.ClickException(f"{public_key_file}: {error}") from error
    else:
        key_path = Path(current_app.config["REPORT_SIGNING_KEY"])
        if not key_path.exists():
            raise click.ClickException(f"no signing key at {key_path}; pass --public-key")
        key = signing.load_or_create_private_key(key_path)
    result = signing.verify_report_file(pdf_file, key)
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
