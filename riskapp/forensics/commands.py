"""`flask forensics-scan --province CODE` and `flask forensics-backfill`."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from riskapp import jobs
from riskapp.db import db
from riskapp.forensics import services
from riskapp.models import Province


@click.command("forensics-scan")
@click.option("--province", "code", required=True, help="The province's code.")
@with_appcontext
def scan_command(code: str) -> None:
    """Run every forensic detector over a province's submitted assessments (idempotent)."""
    province = db.session.scalar(select(Province).where(Province.code == code))
    if province is None:
        raise click.ClickException(f"no province with code {code!r}")
    counts = services.scan_province(province.id)
    db.session.commit()
    click.echo(f"{province.code}: {json.dumps(counts, sort_keys=True)}")


@click.command("forensics-backfill")
@click.option("--background", is_flag=True, help="Queue a background job instead.")
@with_appcontext
def backfill_command(background: bool) -> None:
    """Compute the perceptual hash of photos stored before hashes existed."""
    if background:
        item = jobs.enqueue(services.BACKFILL_TASK, key="forensics:backfill")
        db.session.commit()
        click.echo(f"queued work item {item.id}")
        return
    after_id, total = 0, 0
    while True:
        after_id, done = services.backfill_hashes(after_id)
        db.session.commit()
        total += done
        if after_id == 0:
            break
    click.echo(f"{total} photos hashed")
