"""`flask --app wsgi province …`: daily re-grading of levels that came into force, and repairs."""

from __future__ import annotations

import json

import click
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Province
from riskapp.province import bp, rollups
from riskapp.province.regrade import regrade_pending


@bp.cli.command("regrade-pending")
def regrade_pending_command() -> None:
    """Re-grade for area levels whose effective date has come (run daily, e.g. from cron)."""
    click.echo(f"{regrade_pending()} level changes re-graded")


@bp.cli.command("recount")
@click.option("--check", is_flag=True, help="Only compare the roll-ups with a recount.")
def recount_command(check: bool) -> None:
    """Rebuild every province's dashboard roll-ups from history (or check them)."""
    for province in db.session.scalars(select(Province)):
        if check:
            same = (rollups.maintained_rows(province.id) == rollups.recount_rows(province.id)
                    and rollups.maintained_weekly(province.id)
                    == rollups.recount_weekly(province.id))
            click.echo(f"{province.code}: {'equal' if same else 'DIFFERENT'}")
        else:
            click.echo(f"{province.code}: {json.dumps(rollups.recount_all(province.id))}")
    if not check:
        db.session.commit()
