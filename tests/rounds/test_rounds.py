"""Reporting rounds: opening with criteria, frozen expectations, receipts in the province's
time zone, reach of area staff, closing with a frozen snapshot and its files, bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from riskapp import territory
from riskapp.db import db
from riskapp.models import AuditLog, ReportingRound, RoundStatus, RoundTarget
from riskapp.rounds import progress, services
from riskapp.rounds.services import RoundPlan
from riskapp.rounds.targets import Criteria
from riskapp.tenancy import province_reader_scope
from tests import factories
from tests.rounds.support import open_round


def _today(tenant) -> date:
    return territory.province_today(tenant.province.id)


def test_criteria_pick_the_targets_and_expected_stays_fixed(app, world):
    with app.test_request_context():
        a = world.a
        today = _today(a)
        round_ = open_round(a, today, today + timedelta(days=7),
                            Criteria(area_ids=(a.district.id,)))
        assert round_.expected == 1  # the district's subtree holds one enterprise
        factories.make_enterprise(a.commune, "2800000099", "Công ty mới")  # registered later
        db.session.commit()
        rows, total = progress.area_rows(round_, province_reader_scope(a.province.id))
        assert total.expected == 1
        assert [row.area_id for row in rows] == [a.district.id, a.commune.id]

        big = open_round(a, today, today + timedelta(days=7), Criteria(size_bands=("1000-4999",)))
        targets = db.session.scalars(select(RoundTarget.enterprise_id)
                                     .where(RoundTarget.round_id == big.id)).all()
        assert targets == [a.enterprise_elsewhere.id]
        level2 = open_round(a, today, today + timedelta(days=7), Criteria(levels=(2,)))
        assert level2.expected == 1  # the town is at level 2
        opened = db.session.scalar(select(func.count()).select_from(AuditLog)
                                   .where(AuditLog.action == "round_opened"))
        assert opened == 3


def test_received_and_on_time_follow_the_province_day(app, world):
    """Submitted at 23:30 UTC on the due date = the next day in Vietnam: received, not on time."""
    with app.test_request_context():
        a = world.a
        due = date(2026, 12, 15)
        round_ = open_round(a, date(2026, 12, 1), due)
        with time_machine.travel(datetime(2026, 12, 15, 23, 30, tzinfo=UTC), tick=False):
            factories.submit_assessment(a.enterprise, a.officer)
            db.session.commit()
        with time_machine.travel(datetime(2026, 12, 15, 16, 0, tzinfo=UTC), tick=False):
            factories.submit_assessment(a.enterprise_elsewhere, a.officer)
            db.session.commit()
        _rows, total = progress.area_rows(round_, province_reader_scope(a.province.id))
        assert (total.expected, total.received, total.on_time, total.accepted) == (2, 2, 1, 2)
        late = db.session.scalar(select(RoundTarget).where(
            RoundTarget.enterprise_id == a.enterprise.id))
        assert late.received_on == date(2026, 12, 16) and late.on_time is False


def test_a_submission_before_the_open_date_does_not_count(app, world):
    with app.test_request_context():
        a = world.a
        factories.submit_assessment(a.enterprise, a.officer, on=date(2026, 11, 20))
        db.session.commit()
        round_ = open_round(a, date(2026, 11, 25), date(2026, 12, 31))
        _rows, total = progress.area_rows(round_, province_reader_scope(a.province.id))
        assert total.received == 0
        factories.submit_assessment(a.enterprise, a.officer, on=date(2026, 11, 26))
        db.session.commit()
        _rows, total = progress.area_rows(round_, province_reader_scope(a.province.id))
        assert total.received == 1


def test_opening_counts_submissions_made_since_the_open_date(app, world):
    with app.test_request_context():
        a = world.a
        today = _today(a)
        factories.submit_assessment(a.enterprise, a.officer, on=today)
        db.session.commit()
        round_ = open_round(a, today - timedelta(days=2), today + timedelta(days=5))
        _rows, total = progress.area_rows(round_, province_reader_scope(a.province.id))
        assert (total.received, total.on_time) == (1, 1)


def test_area_staff_see_only_their_subtree(app, world, login_as):
    with app.test_request_context():
        a = world.a
        round_ = open_round(a, _today(a), _today(a) + timedelta(days=7))
        round_id = round_.id
    client = login_as(world.a.area_viewer)
    page = client.get(f"/province/rounds/{round_id}").get_data(as_text=True)
    assert world.a.enterprise.name in page
    assert world.a.enterprise_elsewhere.name not in page
    assert world.a.other_district.name not in page
    client = login_as(world.a.viewer)
    page = client.get(f"/province/rounds/{round_id}").get_data(as_text=True)
    assert world.a.enterprise_elsewhere.name in page and world.a.other_district.name in page
    # Another province's staff: the round is not theirs.
    client = login_as(world.b.viewer)
    assert client.get(f"/province/rounds/{round_id}").status_code == 404


def test_open_form_previews_then_opens(app, world, login_as):
    client = login_as(world.a.admin)
    data = {"title": "Đợt 1", "opens_on": "2026-12-01", "due_on": "2026-12-15",
            "industries": ["C"]}
    page = client.post("/province/rounds/new", data={**data, "preview": "1"})
    assert page.status_code == 200
    assert "2 enterprises match" in page.get_data(as_text=True)
    page = client.post("/province/rounds/new", data={"industries": ["C"], "size_bands": ["lt100"],
                                                     "preview": "1"})  # no title or dates yet
    assert "0 enterprises match" in page.get_data(as_text=True)
    assert "This field is required." not in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportingRound)) == 0
    response = client.post("/province/rounds/new", data={**data, "open": "1"})
    assert response.status_code == 302
    with app.app_context():
        round_ = db.session.scalar(select(ReportingRound))
        assert (round_.expected, round_.status) == (2, RoundStatus.OPEN)


def test_bad_input_is_refused_and_nothing_is_stored(app, world, login_as):
    client = login_as(world.a.admin)
    base = {"title": "Đợt 1", "opens_on": "2026-12-10", "due_on": "2026-12-15", "open": "1"}
    page = client.post("/province/rounds/new", data={**base, "industries": ["A"]})
    assert page.status_code == 422
    assert "No enterprise matches these criteria." in page.get_data(as_text=True)
    page = client.post("/province/rounds/new", data={**base, "due_on": "2026-12-01"})
    assert page.status_code == 422
    assert "The due date cannot be before the open date." in page.get_data(as_text=True)
    page = client.post("/province/rounds/new", data={**base, "title": ""})
    assert page.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportingRound)) == 0
        assert db.session.scalar(select(func.count()).select_from(RoundTarget)) == 0


def test_officer_home_shows_the_open_round(app, world, login_as):
    with app.test_request_context():
        a = world.a
        open_round(a, _today(a), date(2099, 12, 15), title="Đợt cuối năm")
    page = login_as(world.a.officer).get("/enterprise/").get_data(as_text=True)
    assert "Đợt cuối năm: re-assess by 15 Dec 2099." in page


def test_the_live_count_follows_the_criteria(world, login_as):
    client = login_as(world.a.admin)
    answer = client.get("/province/rounds/new/preview.json?industries=C&size_bands=1000-4999")
    assert answer.json == {"count": 1, "text": "1 enterprise matches these criteria today."}
    assert client.get("/province/rounds/new/preview.json").json["count"] == 2
    refused = client.get("/province/rounds/new/preview.json?levels=9")
    assert refused.status_code == 400


def test_a_submission_after_the_last_day_counted_does_not_count(app, world):
    with app.test_request_context():
        a = world.a
        round_ = services.open_round(a.province.id, RoundPlan(
            "Đợt 2", date(2026, 11, 1), date(2026, 11, 10), date(2026, 11, 15), Criteria()),
            a.admin)
        db.session.commit()
        factories.submit_assessment(a.enterprise, a.officer, on=date(2026, 11, 14))
        factories.submit_assessment(a.enterprise_elsewhere, a.officer, on=date(2026, 11, 16))
        db.session.commit()
        _rows, total = progress.area_rows(round_, province_reader_scope(a.province.id))
        assert (total.received, total.on_time) == (1, 0)


def test_opening_for_one_enterprise_says_so_in_the_singular(world, login_as):
    client = login_as(world.a.admin)
    page = client.post("/province/rounds/new", follow_redirects=True, data={
        "title": "Đợt 2", "opens_on": "2026-12-01", "due_on": "2026-12-15", "industries": ["C"],
        "size_bands": ["1000-4999"], "open": "1"})
    assert "The round is open: 1 enterprise is expected to report." in page.get_data(as_text=True)
