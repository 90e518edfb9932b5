"""`flask privacy-retention [--province CODE] [--dry-run]`: the daily retention job (cron)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from riskapp.privacy import retention


@click.command("privacy-retention")
@click.option("--province", "code", help="Only this province (its code, e.g. TH).")
@click.option("--dry-run", is_flag=True,
              help="Say what would be deleted or anonymised; change nothing.")
@click.option("--batch", default=retention.BATCH, show_default=True, type=click.IntRange(1),
              help="Rows per committed batch.")
@with_appcontext
def retention_command(code: str | None, dry_run: bool, batch: int) -> None:
    """Delete or anonymise personal data past each province's retention periods."""
    try:
        done = retention.run(code, dry_run=dry_run, batch=batch)
    except LookupError:
        raise click.ClickException(f"no province with code {code!r}") from None
    verb = "would delete or anonymise" if dry_run else "deleted or anonymised"
    for province, counts in done.items():
        where = "every province" if province == "*" else province
        for kind, count in counts.items():
            click.echo(f"{where}: {kind}: {verb} {count}")
