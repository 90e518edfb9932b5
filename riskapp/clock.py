"""The one place for "now" and "today": store UTC, show the province's local time.

Servers run in UTC, but a province's day starts at its own midnight (07:00 the day before, UTC,
in Vietnam). Every "today", due date, overdue test, reminder window and displayed date goes
through here with the province's IANA zone (``Province.timezone``); inside a request, the
logged-in user's zone is Flask-Babel's (riskapp.i18n.select_timezone), outside it the default.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import has_request_context
from flask_babel import get_timezone

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def now() -> datetime:
    """The current moment, aware, in UTC: what is stored (models.types.utcnow is this)."""
    return datetime.now(UTC)


def is_valid_zone(name: str | None) -> bool:
    """Is ``name`` an IANA time zone this server knows (e.g. "Asia/Bangkok")?"""
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo:
    """The zone called ``name``; an unknown or missing name gives the default (Vietnam)."""
    return ZoneInfo(name if is_valid_zone(name) else DEFAULT_TIMEZONE)


def current_zone() -> tzinfo:
    """The zone of this request's user (Flask-Babel's selector), else the default."""
    if has_request_context():
        return get_timezone()
    return zone(DEFAULT_TIMEZONE)


def _as_zone(tz: tzinfo | str | None) -> tzinfo:
    if tz is None:
        return current_zone()
    return zone(tz) if isinstance(tz, str) else tz


def local_now(tz: tzinfo | str | None = None) -> datetime:
    """The current moment on the wall clock of ``tz`` (default: the request's zone)."""
    return now().astimezone(_as_zone(tz))


def today(tz: tzinfo | str | None = None) -> date:
    """Today's date where ``tz`` is (default: the request's zone), never the server's UTC day."""
    return local_now(tz).date()


def local_date(moment: datetime | None, tz: tzinfo | str | None = None) -> date | None:
    """The local calendar day of a stored timestamp (naive ones are UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_as_zone(tz)).date()


def utc_offset_label(moment: datetime, tz: tzinfo | str | None = None) -> str:
    """The zone's offset at ``moment`` as people read it: "GMT+7", "GMT-5", "GMT+5:30"."""
    offset = moment.astimezone(_as_zone(tz)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "")
