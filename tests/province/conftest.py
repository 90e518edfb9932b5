"""A small generated province on top of the world: areas, enterprises, submitted history,
findings and a closed action, built through the real services (the roll-ups are maintained, not
loaded)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from riskapp import clock
from riskapp.assessments import services as assessment_services
from riskapp.db import db
from riskapp.models import (
    ActionStatus,
    AreaKind,
    Enterprise,
    EnterpriseStatus,
    Finding,
    RemediationAction,
    User,
)
from tests import factories

TODAY = clock.today()
CHOICES = {
    "ORG-1": ["yes", "yes", "no"], "ORG-2": ["yes", "no"], "ORG-3": ["yes", "no"],
    "ORG-4": ["yes", "no"], "CTX-1": ["50", "250", "700", "1500"], "CTX-2": ["5000", "900"],
    "CTX-3": ["none", "coworkers", "public"], "CTX-4": ["yes", "no"],
    "SCR-1": ["all", "all", "partial"], "SCR-2": ["all", "partial", "none"],
    "SCR-3": ["yes", "no"], "SCR-4": ["yes", "yes", "no"], "SCR-5": ["yes", "no"],
    "HYG-1": ["yes", "yes", "no"], "HYG-2": ["100", "95", "50", "5"],
    "HYG-3": ["all", "some", "none"], "HYG-4": ["every_sitting", "incomplete"],
    "MSK-1": ["yes", "yes", "no"], "MSK-2": ["yes", "no"], "MSK-3": ["all", "partial"],
    "MSK-4": ["yes", "no"], "MSK-5": ["yes", "no"], "VEN-1": ["all", "partial", "none"],
    "CAN-1": ["distanced", "one_to_two"], "CAN-2": ["yes", "no"], "TRN-1": ["0", "30"],
    "TRN-2": ["0", "2"], "TRN-3": ["all", "partial"], "DRM-1": ["2", "6"],
    "DRM-2": ["all", "none"], "VAC-1": ["90", "60", "30"], "COM-1": ["yes", "no"],
}


def random_answers(rng: random.Random | None) -> dict[str, str]:
    """Random valid answers; without a generator, the good-practice answers (a low grade)."""
    if rng is None:
        return {item: values[0] for item, values in CHOICES.items()}
    return {item: rng.choice(values) for item, values in CHOICES.items()}


def submit(enterprise: Enterprise, officer: User, on: date, rng: random.Random | None):
    draft = assessment_services.start_draft(enterprise, officer, on)
    assessment_services.save_draft(draft, random_answers(rng), {}, draft.lock_version, officer)
    return assessment_services.submit(draft, officer, on=on)


@dataclass
class Generated:
    world: object
    enterprises: list[int]
    districts: list[int]


def build_province(world, seed: int = 7, count: int = 30) -> Generated:
    rng = random.Random(seed)
    tenant = world.a
    province = tenant.province
    district2 = factories.make_area(province, "Huyện Hoằng Hóa", level=2)
    commune2 = factories.make_area(province, "Xã Hoằng Đạo", parent=district2,
                                   kind=AreaKind.COMMUNE, level=None)
    commune3 = factories.make_area(province, "Xã Đông Tiến", parent=tenant.district,
                                   kind=AreaKind.COMMUNE, level=3)
    areas = [tenant.commune, tenant.other_district, commune2, commune3, district2]
    officer = db.session.get(User, tenant.officer.id)
    ids = [tenant.enterprise.id, tenant.enterprise_elsewhere.id]
    for index in range(count):
        enterprise = factories.make_enterprise(
            rng.choice(areas), f"28{index + 100:08d}", f"Công ty Số {index} Thanh Hóa",
            industry=rng.choice("CCCFGI"), headcount=rng.choice([20, 150, 600, 2000, 6000]),
            has_canteen=rng.random() < 0.5, has_shuttle=rng.random() < 0.3,
            latitude=19.5 + rng.random(), longitude=105.3 + rng.random(),
        )
        ids.append(enterprise.id)
    for enterprise_id in ids:
        enterprise = db.session.get(Enterprise, enterprise_id)
        kind = rng.random()
        if kind < 0.15:
            continue  # never assessed
        days_ago = rng.choice([3, 10, 20, 45, 80])
        first = submit(enterprise, officer, TODAY - timedelta(days=days_ago + 30), rng)
        if kind < 0.8:
            current = submit(enterprise, officer, TODAY - timedelta(days=days_ago), rng)
        else:
            current = first
        if rng.random() < 0.3:
            grade = rng.choice(list(type(current.grade)))
            db.session.add(Finding(assessment_id=current.id, enterprise_id=enterprise.id,
                                   province_id=enterprise.province_id, visited_on=TODAY,
                                   confirmed=True, answers={}, grade=grade, score=10.0))
            db.session.flush()
            assessment_services.refresh_enterprise_status(enterprise.id)
    # One closed action so "overdue P1" is not simply every P1.
    action = db.session.query(RemediationAction).first()
    if action is not None:
        action.status = ActionStatus.DONE
    db.session.flush()
    return Generated(world, ids, [tenant.district.id, district2.id, tenant.other_district.id])


@pytest.fixture(autouse=True)
def _no_report_rendering(monkeypatch):
    """Reports render PDFs inline in tests; the province's tests do not need them."""
    monkeypatch.setattr(assessment_services, "_after_submit", lambda assessment: None)


@pytest.fixture
def generated(app, world):
    with app.test_request_context():
        built = build_province(world)
        db.session.commit()
        assert db.session.query(EnterpriseStatus).count() >= len(built.enterprises)
    return built
