"""Command-line tasks: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app

from riskapp import demo, migrate, reminders
from riskapp.auditverify import audit_verify_command
from riskapp.auth.services import find_user_by_email, hash_password, password_problem
from riskapp.backup import backup_command, restore_command
from riskapp.db import db
from riskapp.forensics.commands import backfill_command, scan_command
from riskapp.jobs.supervisor import jobs_command
from riskapp.models import Role, User
from riskapp.privacy.commands import retention_command
from riskapp.province.reform_cli import territory_group
from riskapp.reports.cli import keys_list, keys_revoke, keys_rotate, verify_report
from riskapp.transparency.commands import audit_command, publish_command


def init_app(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(create_platform_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(verify_report)
    app.cli.add_command(keys_rotate)
    app.cli.add_command(keys_revoke)
    app.cli.add_command(keys_list)
    app.cli.add_command(reminders.send_reminders_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(jobs_command)
    app.cli.add_command(territory_group)
    app.cli.add_command(scan_command)
    app.cli.add_command(backfill_command)
    app.cli.add_command(audit_verify_command)
    app.cli.add_command(publish_command)
    app.cli.add_command(audit_command)
    app.cli.add_command(retention_command)


@click.command("db-upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations to the configured database."""
    migrate.upgrade(current_app._get_current_object(), revision)
    click.echo(f"database at {revision}")


@click.command("create-platform-admin")
@click.argument("email")
@click.password_option()
def create_platform_admin(email: str, password: str) -> None:
    """Create (or reset) a platform administrator."""
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    user = find_user_by_email(email) or User(email=email.strip().lower(), role=Role.PLATFORM_ADMIN)
    user.password_hash = hash_password(password)
    user.name = user.name or "Platform admin"
    db.session.add(user)
    db.session.commit()
    click.echo(f"platform admin {user.email} ready")


@click.command("seed-demo")
@click.option("--reset/--no-reset", default=False, help="Delete the demo province first.")
def seed_demo(reset: bool) -> None:
    """Create the deterministic Thanh Hóa demo province (idempotent)."""
    summary = demo.seed(reset=reset)
    for line in summary:
        click.echo(line)
