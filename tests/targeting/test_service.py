"""The targeting service on the database: the scoped history, the budget and the random share,
the same draw all day, the fallback, and the cache version moving with a new finding."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.db import db
from riskapp.filters import Filters
from riskapp.models import Finding, Grade
from riskapp.models.types import utcnow
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


def _flag(world, enterprise_id: int, kind: str = "implausible"):
    from riskapp.models import Assessment, ForensicFlag
    assessment_id = db.session.scalar(select(Assessment.id).where(
        Assessment.enterprise_id == enterprise_id).order_by(Assessment.id.desc()).limit(1))
    flag = ForensicFlag(province_id=world.a.province.id, enterprise_id=enterprise_id,
                        assessment_id=assessment_id, kind=kind, key="test", reason={})
    db.session.add(flag)
    db.session.flush()
    return flag


def test_an_open_forensic_flag_raises_the_chance_and_is_named(app, world, history):
    """The forensic signals feed the targeting: a flagged trader outranks its unflagged peers
    and says why; the cache version moves with the flag, and a dismissed flag counts no more."""
    with app.test_request_context():
        scope = province_reader_scope(world.a.province.id)
        flagged = history.traders[1]
        before = services.version(scope)
        flag = _flag(world, flagged)
        assert services.version(scope) != before
        found = services.targeting(Filters(), 8, 0.0, scope)
        scored = {v.scored.candidate.enterprise_id: v.scored for v in found.visits}
        peers = [scored[t].probability for t in history.traders if t != flagged]
        assert scored[flagged].probability > max(peers)
        assert ("signal", "implausible") in {(r.kind, r.key) for r in scored[flagged].reasons}
        moved = services.version(scope)
        flag.status, flag.dismissed_at = "dismissed", utcnow()
        db.session.flush()
        assert services.version(scope) != moved
        again = services.targeting(Filters(), 8, 0.0, scope)
        rescored = {v.scored.candidate.enterprise_id: v.scored for v in again.visits}
        assert rescored[flagged].probability == max(rescored[t].probability
                                                    for t in history.traders)
        db.session.rollback()
