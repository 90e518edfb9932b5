"""Where to inspect first leads to visits: assigned to an auditor whose areas cover the
enterprise, one open visit per enterprise and auditor (the database's guarantee), the auditor's
"my visits" by planned date, closed by a finding, their reports in one ZIP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from riskapp import clock
from riskapp.audit import services as audit_services
from riskapp.audit import visits
from riskapp.db import db
from riskapp.models import Enterprise, InspectionVisit, User, VisitStatus
from riskapp.models.types import utcnow
from tests import factories


def _today(world):
    """The province's day (no application context needed)."""
    return clock.today(world.a.province.timezone)


def _plan(client, enterprise, auditor, day, **extra):
    return client.post("/province/visits/plan", data={
        "enterprise": [str(enterprise.id)], "auditor_id": str(auditor.id),
        "planned_on": day.isoformat(), "note": "Check the canteen", **extra})


def _visits(app):
    with app.app_context():
        return db.session.execute(select(
            InspectionVisit.enterprise_id, InspectionVisit.auditor_id, InspectionVisit.status,
            InspectionVisit.assigned_by_id)).all()


def test_a_double_click_plans_one_visit(app, world, login_as):
    client = login_as(world.a.admin)
    day = _today(world) + timedelta(days=3)
    assert _plan(client, world.a.enterprise, world.a.auditor, day).status_code == 302
    again = _plan(client, world.a.enterprise, world.a.auditor, day)
    assert again.status_code == 302
    assert _visits(app) == [(world.a.enterprise.id, world.a.auditor.id, VisitStatus.PLANNED,
                             world.a.admin.id)]


def test_the_database_refuses_a_second_open_visit(app, world):
    row = dict(province_id=world.a.province.id, enterprise_id=world.a.enterprise.id,
               auditor_id=world.a.auditor.id, planned_on=_today(world), status="planned",
               created_at=utcnow())
    with app.app_context():
        db.session.execute(insert(InspectionVisit), [row])
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(insert(InspectionVisit), [row])
        db.session.rollback()
        # A closed visit does not block the next one.
        db.session.execute(insert(InspectionVisit), [{**row, "status": "done"}])
        db.session.commit()


def test_an_auditor_whose_areas_miss_the_enterprise_is_not_offered_nor_accepted(
        app, world, login_as):
    client = login_as(world.a.admin)
    picker = client.get(f"/province/visits/plan?enterprise={world.a.enterprise_elsewhere.id}")
    assert picker.status_code == 200
    assert world.a.auditor.name not in picker.get_data(as_text=True)
    refused = _plan(client, world.a.enterprise_elsewhere, world.a.auditor,
                    _today(world) + timedelta(days=1))
    assert refused.status_code == 400
    assert _visits(app) == []
    # Both at once: nothing half-applied.
    both = client.post("/province/visits/plan", data={
        "enterprise": [str(world.a.enterprise.id), str(world.a.enterprise_elsewhere.id)],
        "auditor_id": str(world.a.auditor.id), "planned_on": _today(world).isoformat()})
    assert both.status_code == 400
    assert _visits(app) == []
    # Another province's auditor is no choice either.
    assert _plan(client, world.a.enterprise, world.b.auditor, _today(world)).status_code == 400
    assert _visits(app) == []


def test_the_service_refuses_a_wrong_auditor(app, world):
    with app.test_request_context():
        enterprise = db.session.get(Enterprise, world.a.enterprise_elsewhere.id)
        with pytest.raises(visits.WrongAuditor) as refused:
            visits.assign([enterprise], db.session.get(User, world.a.auditor.id), _today(world),
                          None, db.session.get(User, world.a.admin.id))
        assert refused.value.names == [enterprise.name]


def test_a_past_date_is_refused_with_a_message(app, world, login_as):
    response = _plan(login_as(world.a.admin), world.a.enterprise, world.a.auditor,
                     _today(world) - timedelta(days=1))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "cannot be in the past" in text or "không thể ở trong quá khứ" in text
    assert _visits(app) == []


def test_area_staff_plan_only_within_their_areas(app, world, login_as):
    client = login_as(world.a.area_admin)
    _plan(client, world.a.enterprise_elsewhere, world.a.auditor, _today(world))
    assert _visits(app) == []
    _plan(client, world.a.enterprise, world.a.auditor, _today(world))
    assert len(_visits(app)) == 1


def _visit(world, enterprise, days: int):
    db.session.add(InspectionVisit(
        province_id=world.a.province.id, enterprise_id=enterprise.id,
        auditor_id=world.a.auditor.id, planned_on=_today(world) + timedelta(days=days),
        assigned_by_id=world.a.admin.id))


def test_my_visits_by_planned_date_overdue_first_and_a_finding_closes_one(
        app, world, login_as):
    with app.test_request_context():
        second = factories.make_enterprise(world.a.commune, "2800000099", "Công ty Muộn")
        assessment = factories.submit_assessment(world.a.enterprise, world.a.officer)
        _visit(world, second, 5)
        _visit(world, world.a.enterprise, -2)
        db.session.commit()
        assessment_id = assessment.id
    client = login_as(world.a.auditor)
    home = client.get("/audit/").get_data(as_text=True)
    assert home.index(world.a.enterprise.name) < home.index("Công ty Muộn")
    assert f"/audit/assessments/{assessment_id}/finding" in home
    assert 'class="is-overdue"' in home
    response = client.post(f"/audit/assessments/{assessment_id}/finding", data={
        "visited_on": _today(world).isoformat(), "outcome": "confirmed"})
    assert response.status_code == 302
    with app.app_context():
        statuses = dict(db.session.execute(
            select(InspectionVisit.enterprise_id, InspectionVisit.status)).all())
    assert statuses == {world.a.enterprise.id: VisitStatus.DONE, second.id: VisitStatus.PLANNED}


def test_a_visit_is_marked_done_once_by_its_auditor_only(app, world, login_as):
    with app.app_context():
        _visit(world, world.a.enterprise, 0)
        db.session.commit()
        visit_id = db.session.scalar(select(InspectionVisit.id))
    assert login_as(world.b.auditor).post(f"/audit/visits/{visit_id}/done").status_code == 404
    client = login_as(world.a.auditor)
    assert client.post(f"/audit/visits/{visit_id}/done").status_code == 302
    again = client.post(f"/audit/visits/{visit_id}/done", follow_redirects=True)
    assert "already closed" in again.get_data(as_text=True) or "đã đóng" in again.get_data(
        as_text=True)


def test_the_reports_of_my_visits_in_one_zip(app, world, login_as, held_work):
    with app.app_context():
        _visit(world, world.a.enterprise, 1)
        db.session.commit()
    response = login_as(world.a.auditor).post("/audit/visits/reports")
    assert response.status_code == 302 and "/audit/exports/" in response.location
    assert [task for task, _args in held_work.tasks()] == [audit_services.ZIP_TASK]
    with app.app_context():
        from riskapp.models import Job
        job = db.session.scalar(select(Job))
        assert job.params["enterprise_ids"] == [world.a.enterprise.id]
        assert db.session.scalar(select(func.count()).select_from(InspectionVisit)) == 1


def test_the_ranking_export_has_area_and_address_and_no_formulas(app, world, login_as):
    with app.test_request_context():
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        enterprise.address = "=HYPERLINK(\"http://x\")"
        factories.submit_assessment(enterprise, world.a.officer)
        db.session.commit()
    client = login_as(world.a.viewer)
    csv = client.get("/province/export/inspect.csv").get_data().decode("utf-8-sig")
    assert world.a.commune.name in csv
    assert "'=HYPERLINK" in csv
    assert client.get("/province/export/inspect.xlsx").status_code == 200
    page = client.get("/province/inspect").get_data(as_text=True)
    assert world.a.commune.name in page and "HYPERLINK" in page
