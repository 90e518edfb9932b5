"""Starting a province from Vietnam's official list: the province and its communes, wards and
special zones (since 1 July 2025) as areas with their official codes.

Services flush, never commit: the caller commits once.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from riskapp import clock, gazetteer
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import Area, AreaKind, Province, User
from riskapp.territory import reading_order


class OnboardingError(ValueError):
    """A province that cannot be created; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def available_provinces() -> list[gazetteer.OfficialProvince]:
    """The official provinces not on the platform yet, in reading order."""
    taken = _taken()
    return [p for p in gazetteer.provinces()
            if p.code not in taken[0] and reading_order(p.name) not in taken[1]]


def _taken() -> tuple[set[str], set[str]]:
    """Codes and folded names of the provinces already on the platform."""
    rows = db.session.execute(select(Province.code, Province.name)).all()
    return {code for code, _name in rows}, {reading_order(name) for _code, name in rows}


def official_province(official_code: str | None) -> gazetteer.OfficialProvince:
    """The official province of this code, or a message saying there is none."""
    found = gazetteer.province(official_code or "")
    if found is None:
        raise OnboardingError(
            _("“%(code)s” is not a province of the official list: choose one from the list.",
              code=(official_code or "").strip()), "code")
    return found


def create_province(official_code: str, timezone: str | None = None,
                    actor: User | None = None) -> Province:
    """Create the official province of this code with its communes, wards and special zones
    as top-level areas (official codes, names, kinds, coordinates); flushes."""
    official = official_province(official_code)
    timezone = (timezone or "").strip() or clock.DEFAULT_TIMEZONE
    if not clock.is_valid_zone(timezone):
        raise OnboardingError(_("Not a time zone this server knows: write an IANA name such as "
                                "Asia/Ho_Chi_Minh or Asia/Bangkok."), "timezone")
    codes, names = _taken()
    if official.code in codes or reading_order(official.name) in names:
        raise _already_there(official)
    province = Province(code=official.code, name=official.name, timezone=timezone)
    try:
        # A savepoint: another admin creating the same province at once meets the unique code.
        with db.session.begin_nested():
            db.session.add(province)
            db.session.flush()
    except IntegrityError as race:
        raise _already_there(official) from race
    _add_units(province, official.code)
    record("province_created", province, user=actor, details={
        "code": official.code, "name": official.name, "timezone": timezone,
        "areas": len(gazetteer.units(official.code)), "data": gazetteer.DATA_VERSION})
    return province


def _already_there(official: gazetteer.OfficialProvince) -> OnboardingError:
    return OnboardingError(_("%(name)s (code %(code)s) is already on the platform.",
                             name=official.name, code=official.code), "code")


def _add_units(province: Province, official_code: str) -> list[Area]:
    areas = [Area(province_id=province.id, parent_id=None, code=unit.code, name=unit.name,
                  kind=AreaKind(unit.kind), latitude=unit.latitude, longitude=unit.longitude)
             for unit in gazetteer.units(official_code)]
    db.session.add_all(areas)
    db.session.flush()
    return areas
