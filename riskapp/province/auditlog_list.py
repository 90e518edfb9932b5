"""The province's audit log as a list: who did what, when, on which object; filtered, newest
first, a page at a time by keyset (entries older than the last one shown), and as a file.

Reach comes from riskapp.tenancy: a province admin reads the province's entries, an area admin
only the entries about enterprises in their areas (entries about no enterprise are the
province's business and stay hidden from them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, select

from riskapp import clock, territory
from riskapp.auditlog import shown_user
from riskapp.db import db
from riskapp.models import AuditLog, AuditLogPersonal, Enterprise
from riskapp.tenancy import Scope, current_scope, may_open, scoped

PAGE_SIZE = 50
EXPORT_ROWS = 50_000


@dataclass(frozen=True)
class LogFilters:
    user: str | None = None  # part of the acting user's e-mail
    action: str | None = None
    object_type: str | None = None
    date_from: date | None = None  # the province's days
    date_to: date | None = None

    @classmethod
    def from_args(cls, args) -> LogFilters:
        def text(name: str, limit: int = 255) -> str | None:
            return (args.get(name) or "").strip()[:limit] or None

        return cls(user=text("user"), action=text("action", 60),
                   object_type=text("object_type", 40), date_from=_day(args.get("date_from")),
                   date_to=_day(args.get("date_to")))

    def args(self) -> dict[str, str]:
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in vars(self).items() if value}


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _start_of(day: date, zone) -> datetime:
    """The UTC moment the province's day starts."""
    return datetime.combine(day, time.min, tzinfo=clock.zone(zone)).astimezone(UTC)


def entries(filters: LogFilters, scope: Scope | None = None) -> Select:
    """The entries in reach and within the filters, newest first."""
    scope = scope or current_scope()
    zone = territory.province_zone(scope.province_id)
    statement = scoped(select(AuditLog), AuditLog, scope)
    if filters.user:
        statement = statement.join(AuditLog.personal).where(
            AuditLogPersonal.user_email.icontains(filters.user, autoescape=True))
    if filters.action:
        statement = statement.where(AuditLog.action == filters.action)
    if filters.object_type:
        statement = statement.where(AuditLog.object_type == filters.object_type)
    if filters.date_from:
        statement = statement.where(AuditLog.at >= _start_of(filters.date_from, zone))
    if filters.date_to:
        statement = statement.where(
            AuditLog.at < _start_of(filters.date_to + timedelta(days=1), zone))
    return statement.order_by(AuditLog.id.desc())


@dataclass
class LogPage:
    items: list[AuditLog]
    older: int | None  # the keyset of the next (older) page, if there is one


def log_page(filters: LogFilters, before: int | None = None,
             scope: Scope | None = None) -> LogPage:
    """One page of entries older than `before` (an entry id; ids grow with time)."""
    statement = entries(filters, scope)
    if before:
        statement = statement.where(AuditLog.id < before)
    rows = list(db.session.scalars(statement.limit(PAGE_SIZE + 1)))
    older = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return LogPage(rows[:PAGE_SIZE], older)


def choices(scope: Scope | None = None) -> tuple[list[str], list[str]]:
    """The actions and object types found in reach, for the filter's pickers."""
    base = scoped(select(AuditLog), AuditLog, scope or current_scope())
    actions = db.session.scalars(base.with_only_columns(AuditLog.action).distinct()
                                 .order_by(AuditLog.action)).all()
    kinds = db.session.scalars(base.with_only_columns(AuditLog.object_type).distinct()
                               .where(AuditLog.object_type.is_not(None))
                               .order_by(AuditLog.object_type)).all()
    return list(actions), list(kinds)


def enterprise_names(items: list[AuditLog]) -> dict[int, str]:
    ids = {entry.enterprise_id for entry in items if entry.enterprise_id}
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))).all())


def object_link(entry: AuditLog) -> str | None:
    """Where the object of an entry can be seen by this user, if anywhere."""
    if entry.object_type == "user" and entry.object_id and may_open("admin.user"):
        return url_for("admin.user", user_id=int(entry.object_id))
    if entry.object_type == "assessment" and entry.object_id and may_open("audit.assessment"):
        return url_for("audit.assessment", assessment_id=int(entry.object_id))
    if entry.enterprise_id and may_open("province.enterprise"):
        return url_for("province.enterprise", enterprise_id=entry.enterprise_id)
    return None


def log_frame(filters: LogFilters, scope: Scope | None = None) -> pd.DataFrame:
    """The filtered entries (newest first, at most EXPORT_ROWS) with local times."""
    scope = scope or current_scope()
    tz = clock.zone(territory.province_zone(scope.province_id))
    rows = list(db.session.scalars(entries(filters, scope).limit(EXPORT_ROWS)))
    names = enterprise_names(rows)
    return pd.DataFrame(
        [[entry.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if entry.at else "",
          shown_user(entry), entry.action, entry.object_type or "", entry.object_id or "",
          names.get(entry.enterprise_id, ""), entry.ip or ""] for entry in rows],
        columns=[_("When (local time)"), _("User"), _("Action"), _("Object type"),
                 _("Object"), _("Enterprise"), _("IP address")],
    )
