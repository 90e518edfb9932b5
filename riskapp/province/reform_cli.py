"""`flask --app wsgi territory reform --province CODE [--dry-run]`: the 2025 reform from a shell."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Province
from riskapp.province.areas import AreaChangeRefused
from riskapp.province.reform import REFORM_DAY, apply_reform, plan_reform

territory_group = AppGroup("territory", help="A province's territory: the 2025 reform.")


@territory_group.command("reform")
@click.option("--province", "code", required=True, help="The province's code in the app.")
@click.option("--official", default=None, help="Its official code, when the app's differs.")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day the new units apply (default 2025-07-01).")
@click.option("--dry-run", is_flag=True, help="List the moves; change nothing.")
@click.option("--close-districts", is_flag=True, help="Close the districts, not keep them "
              "as former groupings.")
@click.option("--lang", default="vi", help="Language of the messages (vi or en).")
def reform_command(code: str, official: str | None, on, dry_run: bool,
                   close_districts: bool, lang: str) -> None:
    """Move a province set up on districts and communes onto the units of 1 July 2025."""
    with force_locale(lang):
        _reform(code, official, on, dry_run, close_districts)


def _reform(code: str, official: str | None, on, dry_run: bool, close_districts: bool) -> None:
    province = db.session.scalar(select(Province).where(Province.code == code))
    if province is None:
        raise click.ClickException(f"no province {code!r}")
    day: date = on.date() if on else REFORM_DAY
    try:
        plan = plan_reform(province, day, official)
        for move in plan.placements:
            click.echo(f"{move.tax_code}\t{move.name}\t{move.old_area}\t→ {move.new_area} "
                       f"({move.new_code}, {move.matched_by})")
        for miss in plan.unplaced:
            click.echo(f"UNMATCHED {miss.tax_code}\t{miss.name}\t{miss.old_area}\t{miss.reason}")
        click.echo(f"{len(plan.placements)} to move, {len(plan.unplaced)} unmatched")
        if dry_run:
            return
        result = apply_reform(province, None, day, official, not close_districts)
    except AreaChangeRefused as refused:
        raise click.ClickException(str(refused)) from refused
    db.session.commit()
    for flag in result.flags:
        click.echo(f"FLAG {flag}")
    click.echo(f"{result.created} units created, {result.moved} enterprises moved, "
               f"{result.closed} areas closed")
