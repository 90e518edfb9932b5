"""A province with an audit history: enterprises in two industries, submitted, audited (some
found worse, some visits picked at random); the threshold lowered to fit a small world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from riskapp.db import db
from riskapp.models import Enterprise, Finding, Grade, InspectionVisit, User, VisitStatus
from riskapp.models.types import utcnow
from riskapp.targeting import model
from tests import factories

DAY = date(2026, 1, 15)


@dataclass
class History:
    manufacturers: list[int]  # industry C: audits found worse grades
    traders: list[int]  # industry G: audits confirmed the declaration
    random_picks: list[int]


def _audit(assessment, auditor: User, worse: bool) -> None:
    grade = Grade.VERY_HIGH if worse else assessment.grade
    db.session.add(Finding(assessment_id=assessment.id, enterprise_id=assessment.enterprise_id,
                           province_id=assessment.province_id, auditor_id=auditor.id,
                           visited_on=DAY, grade=grade, result=None, answers={}))


def _random_visit(enterprise_id: int, tenant) -> None:
    db.session.add(InspectionVisit(province_id=tenant.province.id, enterprise_id=enterprise_id,
                                   auditor_id=tenant.auditor.id, planned_on=DAY,
                                   status=VisitStatus.DONE, at_random=True, created_at=utcnow()))


def build_history(tenant, size: int = 4) -> History:
    officer = db.session.get(User, tenant.officer.id)
    auditor = db.session.get(User, tenant.auditor.id)
    history = History([], [], [])
    for index in range(2 * size):
        industry = "C" if index < size else "G"
        enterprise = factories.make_enterprise(
            tenant.commune, f"{tenant.enterprise.tax_code[:2]}1000{index:04d}",
            f"Doanh nghiệp {industry}{index}", industry=industry)
        assessment = factories.submit_assessment(enterprise, officer, DAY)
        _audit(assessment, auditor, worse=industry == "C" and index % size != size - 1)
        (history.manufacturers if industry == "C" else history.traders).append(enterprise.id)
        if index in (0, size):
            _random_visit(enterprise.id, tenant)
            history.random_picks.append(enterprise.id)
    db.session.flush()
    return history


@pytest.fixture
def few_audits_enough(monkeypatch):
    monkeypatch.setattr(model, "MIN_AUDITS", 4)


@pytest.fixture
def history(app, world, few_audits_enough):
    with app.test_request_context():
        made = build_history(world.a)
        db.session.commit()
        return made


def enterprise_name(app, enterprise_id: int) -> str:
    with app.app_context():
        return db.session.get(Enterprise, enterprise_id).name


@pytest.fixture(autouse=True)
def _fresh_cache(app):
    """Each test's history is its own: no targeting built by an earlier test serves."""
    from riskapp.province import cache

    with app.app_context():
        cache.clear()
