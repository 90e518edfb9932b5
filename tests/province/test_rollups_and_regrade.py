"""The maintained roll-ups equal a full recount after submits, re-grades and moves; re-grading
keeps the submitted snapshot and tells officers whose due date moved earlier."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from riskapp import clock
from riskapp.db import db
from riskapp.models import (
    AreaLevel,
    Assessment,
    AssessmentStatus,
    AuditLog,
    Enterprise,
    EnterpriseStatus,
    Grade,
    User,
)
from riskapp.province import rollups
from tests.province.conftest import submit


def _assert_rollups_equal_recount(province_id: int) -> None:
    assert rollups.maintained_rows(province_id) == rollups.recount_rows(province_id)
    assert rollups.maintained_weekly(province_id) == rollups.recount_weekly(province_id)


def test_rollups_equal_recount_after_submits_regrades_and_moves(app, generated, client,
                                                                login_as):
    province_id = generated.world.a.province.id
    with app.test_request_context():
        _assert_rollups_equal_recount(province_id)
    login_as(generated.world.a.admin)
    response = client.post("/province/areas", data={
        "area_id": generated.world.a.district.id, "level": 4,
        "effective_from": clock.today().isoformat(), "note": "Quyết định 12/QĐ-UBND"})
    assert response.status_code == 302
    with app.test_request_context():
        assert db.session.scalar(select(EnterpriseStatus).where(
            EnterpriseStatus.regraded_at.is_not(None))) is not None
        _assert_rollups_equal_recount(province_id)
        # A new submission after the re-grade, then a move to another area.
        enterprise = db.session.get(Enterprise, generated.world.a.enterprise.id)
        officer = db.session.get(User, generated.world.a.officer.id)
        submit(enterprise, officer, clock.today(), random.Random(3))
        enterprise.area_id = generated.world.a.other_district.id
        db.session.commit()
        _assert_rollups_equal_recount(province_id)


def test_recount_all_restores_damaged_rollups(app, generated):
    province_id = generated.world.a.province.id
    with app.test_request_context():
        before = rollups.maintained_rows(province_id)
        db.session.execute(EnterpriseStatus.__table__.delete().where(
            EnterpriseStatus.enterprise_id == generated.enterprises[3]))
        db.session.execute(EnterpriseStatus.__table__.update().values(score=None))
        assert rollups.maintained_rows(province_id) != before
        rollups.recount_all(province_id)
        db.session.commit()
        assert rollups.maintained_rows(province_id) == before


def test_new_enterprise_gets_a_status_row(app, world):
    from tests import factories

    with app.test_request_context():
        enterprise = factories.make_enterprise(world.a.commune, "2812345678-001", "Chi nhánh")
        db.session.commit()
        status = db.session.get(EnterpriseStatus, enterprise.id)
        assert status is not None and status.current_assessment_id is None
        assert status.area_id == world.a.commune.id and status.headcount == 250


def test_regrade_keeps_snapshot_and_tells_officers(app, world, client, login_as, outbox):
    with app.test_request_context():
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        officer = db.session.get(User, world.a.officer.id)
        assessment = submit(enterprise, officer, clock.today() - timedelta(days=2), None)
        db.session.commit()
        snapshot = (assessment.id, assessment.grade, assessment.result, assessment.next_due_on)
        assert assessment.context["area_level"] == 1
        assert assessment.next_due_on == assessment.assessed_on + timedelta(days=30)
    login_as(world.a.admin)
    response = client.post("/province/areas", data={
        "area_id": world.a.district.id, "level": 4, "effective_from": clock.today().isoformat()})
    assert response.status_code == 302
    with app.test_request_context():
        current = db.session.get(Assessment, snapshot[0])
        assert (current.id, current.grade, current.result, current.next_due_on) == snapshot
        assert current.effective_area_level == 4
        assert current.effective_grade is not None
        assert current.effective_grade.rank >= current.grade.rank
        assert current.effective_next_due_on == current.assessed_on + timedelta(days=7)
        status = db.session.get(EnterpriseStatus, enterprise.id)
        assert status.effective_grade == current.effective_grade
        assert status.declared_grade == current.grade
        assert status.next_due_on == current.effective_next_due_on
        level = db.session.scalar(select(AreaLevel).where(AreaLevel.level == 4))
        assert level.regraded_at is not None
        moved = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "due_date_moved")).all()
        assert [m.enterprise_id for m in moved] == [enterprise.id]
        # The enterprise elsewhere (other district) is not below the area.
        other = db.session.get(EnterpriseStatus, world.a.enterprise_elsewhere.id)
        assert other.regraded_at is None
    assert [m["To"] for m in outbox] == [world.a.officer.email]
    page = client.get("/province/")
    assert page.status_code == 200


def test_child_area_with_its_own_level_is_not_regraded(app, world, client, login_as):
    from tests import factories

    with app.test_request_context():
        commune = db.session.get(type(world.a.commune), world.a.commune.id)
        db.session.add(AreaLevel(area_id=commune.id, level=2,
                                 effective_from=clock.today() - timedelta(days=1)))
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        officer = db.session.get(User, world.a.officer.id)
        assessment = submit(enterprise, officer, clock.today(), random.Random(5))
        db.session.commit()
        assessment_id = assessment.id
        del factories
    login_as(world.a.admin)
    client.post("/province/areas", data={"area_id": world.a.district.id, "level": 4,
                                         "effective_from": clock.today().isoformat()})
    with app.test_request_context():
        assert db.session.get(Assessment, assessment_id).effective_grade is None


def test_future_level_waits_then_regrade_pending_runs_it(app, world, client, login_as):
    from riskapp.province.regrade import regrade_pending

    with app.test_request_context():
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        officer = db.session.get(User, world.a.officer.id)
        assessment_id = submit(enterprise, officer, clock.today(), random.Random(8)).id
        db.session.commit()
    login_as(world.a.admin)
    tomorrow = clock.today() + timedelta(days=1)
    client.post("/province/areas", data={"area_id": world.a.district.id, "level": 3,
                                         "effective_from": tomorrow.isoformat()})
    with app.test_request_context():
        assert db.session.get(Assessment, assessment_id).effective_grade is None
        assert regrade_pending(on=tomorrow) == 1
        regraded = db.session.get(Assessment, assessment_id)
        assert regraded.effective_area_level == 3
        assert regraded.status == AssessmentStatus.SUBMITTED
        assert isinstance(regraded.effective_grade, Grade)


def test_one_level_for_the_whole_province(app, world, client, login_as):
    """A fresh province's communes all sit at the top: one post sets a level on each top area
    (and so on every area below), and only in this province."""
    from riskapp import territory

    login_as(world.a.admin)
    page = client.post("/province/areas", data={"area_id": "0", "level": 2,
                                                "effective_from": clock.today().isoformat()})
    assert page.status_code == 302
    with app.test_request_context():
        levels = territory.levels_in_force(world.a.province.id, clock.today())
        tree = territory.area_tree(world.a.province.id)
        assert set(levels) >= set(tree.names)  # every area of the province has a level
        assert {level for level, _row in levels.values()} == {2}
        top = {row.area_id for row in db.session.scalars(
            select(AreaLevel).where(AreaLevel.set_by_id == world.a.admin.id))}
        assert top == {a for a in tree.names if tree.parents[a] is None}
        assert not top & set(territory.area_tree(world.b.province.id).names)
    assert "The whole province (every area)" in client.get("/province/areas").get_data(
        as_text=True)
