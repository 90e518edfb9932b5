"""The demo's second, smaller province: created through the onboarding of any province, with a
few enterprises, their recent assessments, its own admin and officer."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from riskapp import checklists, gazetteer, onboarding
from riskapp.auth.consent import NOTICE_VERSION
from riskapp.auth.services import hash_password
from riskapp.db import db
from riskapp.demo.data import (
    DEMO_PASSWORD,
    INDUSTRIES,
    SECOND_ENTERPRISES,
    SECOND_OFFICER_ENTERPRISE,
    SECOND_PROVINCE_CODE,
    SECOND_TAX_PREFIX,
    SECOND_USERS,
    STREETS,
)
from riskapp.models import Area, Enterprise, Role, User

if TYPE_CHECKING:  # the seeder imports this module
    from riskapp.demo import _Seeder


def seed_second(seeder: _Seeder) -> str:
    """Create the second province with the seeder's random draws and checklist; a summary line."""
    rng = seeder.rng
    province = onboarding.create_province(SECOND_PROVINCE_CODE)
    checklists.activate(checklists.default_version(), province.id,
                        seeder.start - timedelta(days=20))
    users = _users(province.id)
    units = db.session.scalars(select(Area).where(Area.province_id == province.id)
                               .order_by(Area.code)).all()
    made = []
    for number, (kind, name) in enumerate(SECOND_ENTERPRISES):
        industry = INDUSTRIES[kind]
        area = rng.choice(units)
        low, high = industry.headcount
        enterprise = Enterprise(
            province_id=province.id, area_id=area.id, name=name,
            tax_code=f"{SECOND_TAX_PREFIX}{number + 1:02d}{rng.randrange(10**6):06d}",
            industry=industry.section, industry_division=industry.division,
            address=f"Số {rng.randint(1, 300)} đường {rng.choice(STREETS)}, {area.name}, "
                    f"tỉnh {province.name}",
            latitude=round(area.latitude + rng.gauss(0, 0.006), 5),
            longitude=round(area.longitude + rng.gauss(0, 0.006), 5),
            headcount=int(round(low * (high / low) ** rng.random())),
            has_canteen=rng.random() < industry.canteen,
            has_shuttle=rng.random() < industry.shuttle,
            has_dormitory=rng.random() < industry.dormitory,
        )
        db.session.add(enterprise)
        made.append(enterprise)
    db.session.flush()
    for enterprise in made:
        _history(seeder, enterprise, users[Role.PROVINCE_ADMIN])
    users[Role.OFFICER].enterprise_id = next(e.id for e in made
                                             if e.name == SECOND_OFFICER_ENTERPRISE)
    official = len(gazetteer.units(SECOND_PROVINCE_CODE))
    return (f"Second province {province.name} ({province.code}): {official} official "
            f"communes/wards, {len(made)} enterprises.")


def _users(province_id: int) -> dict[Role, User]:
    password = hash_password(DEMO_PASSWORD)
    users = {}
    for email, role, name in SECOND_USERS:
        users[role] = User(email=email, name=name, role=role, password_hash=password,
                           province_id=province_id, privacy_notice_version=NOTICE_VERSION)
        db.session.add(users[role])
    db.session.flush()
    return users


def _history(seeder: _Seeder, enterprise: Enterprise, admin: User) -> None:
    """Two or three assessments over the last months, the latest within the last fortnight."""
    rng = seeder.rng
    quality = rng.betavariate(2.6, 1.5)
    offsets = sorted(rng.sample(range(20, 170, 7), rng.choice((1, 2))), reverse=True)
    days = [seeder.today - timedelta(days=o) for o in [*offsets, rng.randint(1, 13)]]
    for number, day in enumerate(days, start=1):
        latest = number == len(days)
        done = seeder._submit(enterprise, day, quality)
        until = seeder.today if latest else days[number]
        seeder.behaviour.work_on_actions(done, until, latest, False, admin)
        quality = min(0.99, max(0.05, quality + rng.gauss(0.07, 0.09)))
