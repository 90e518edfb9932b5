"""Each province's retention periods (defaults where it set none) and when each kind is due."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from riskapp import clock, territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import Province, RetentionSetting
from riskapp.privacy.kinds import BY_CODE, KINDS, MONTHS, Kind


def periods(province_id: int) -> dict[str, int]:
    """Every kind's period in the province: its own setting, else the default."""
    own = dict(db.session.execute(select(RetentionSetting.kind, RetentionSetting.period)
                                  .where(RetentionSetting.province_id == province_id)).all())
    return {kind.code: own.get(kind.code, kind.default) for kind in KINDS}


def set_periods(province: Province, wanted: dict[str, int], user) -> bool:
    """Store the periods (already validated against each kind's bounds); False if none changed."""
    before = periods(province.id)
    changes = {code: {"before": before[code], "after": value}
               for code, value in wanted.items() if code in BY_CODE and before[code] != value}
    if not changes:
        return False
    rows = {row.kind: row for row in db.session.scalars(
        select(RetentionSetting).where(RetentionSetting.province_id == province.id))}
    for code, change in changes.items():
        row = rows.get(code) or RetentionSetting(province_id=province.id, kind=code)
        row.period = change["after"]
        db.session.add(row)
    db.session.flush()
    record("retention_set", province, details=changes, user=user)
    return True


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def cutoff(kind: Kind, period: int, province_id: int) -> datetime:
    """The moment before which the kind's data is past its time: the start (local midnight, in
    the province's zone) of the day `period` days or months before the province's today."""
    today = territory.province_today(province_id)
    day = months_before(today, period) if kind.unit == MONTHS else today - timedelta(days=period)
    zone = clock.zone(territory.province_zone(province_id))
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
