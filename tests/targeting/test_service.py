"""The targeting service on the database: the scoped history, the budget and the random share,
the same draw all day, the fallback, and the cache version moving with a new finding."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.db import db
from riskapp.filters import Filters
from riskapp.models import Finding, Grade
from riskapp.targeting import services
from riskapp.tenancy import province_reader_scope
from tests.targeting.conftest import DAY


def test_the_service_reads_the_history_and_chooses_within_the_budget(app, world, history):
    with app.test_request_context():
        scope = province_reader_scope(world.a.province.id)
        audits = services.history(scope)
        assert len(audits) == 8 and sum(a.worse for a in audits) == 3
        assert sum(a.at_random for a in audits) == 2
        found = services.targeting(Filters(), 5, 0.4, scope)
        assert found.model.enough and found.candidates == 8
        assert len(found.visits) == 5 and sum(v.at_random for v in found.visits) == 2
        assert set(found.enterprises) == {v.scored.candidate.enterprise_id for v in found.visits}
        again = services.targeting(Filters(), 5, 0.4, scope)
        assert [v.scored.candidate.enterprise_id for v in again.visits] == \
            [v.scored.candidate.enterprise_id for v in found.visits]
        targeted = [v.scored.candidate for v in found.visits if not v.at_random]
        assert targeted[0].industry == "C"


def test_another_province_has_no_history_and_no_visits(app, world, history):
    with app.test_request_context():
        found = services.targeting(Filters(), 5, 0.1, province_reader_scope(world.b.province.id))
        assert not found.model.enough and found.model.audits == 0 and found.visits == ()


def test_a_new_finding_moves_the_cache_version(app, world, history):
    with app.test_request_context():
        scope = province_reader_scope(world.a.province.id)
        before = services.version(scope)
        status_assessment = db.session.scalar(
            select(Finding.assessment_id).order_by(Finding.id).limit(1))
        db.session.add(Finding(assessment_id=status_assessment,
                               enterprise_id=history.manufacturers[0],
                               province_id=world.a.province.id, visited_on=DAY,
                               grade=Grade.HIGH, answers={}))
        db.session.flush()
        assert services.version(scope) != before
        db.session.rollback()
