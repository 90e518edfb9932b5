"""Dates are the province's, not the server's UTC day (issue 12, item 1).

The server clock is moved with time-machine: 2026-12-01 23:30 UTC is already 2 December, 06:30 in
Hanoi (UTC+7); 16:59 UTC is still 1 December there, 17:01 UTC is 2 December. A province in another
zone (America/New_York) keeps its own calendar.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import AreaLevel, Assessment, Province, RemediationAction
from tests.api.helpers import bearer, make_token
from tests.assessments.conftest import submit_directly
from tests.audit.support import pdf_text, report_row

LATE_EVENING_UTC = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 06:30 on 2 Dec in Hanoi
BEFORE_LOCAL_MIDNIGHT = datetime(2026, 12, 1, 16, 59, tzinfo=UTC)  # 23:59 on 1 Dec in Hanoi
AFTER_LOCAL_MIDNIGHT = datetime(2026, 12, 1, 17, 1, tzinfo=UTC)  # 00:01 on 2 Dec in Hanoi


def _travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _in_vietnamese(login_as, user):
    client = login_as(user)
    client.get("/lang/vi")
    return client


def _set_zone(app, province_id: int, zone: str) -> None:
    with app.app_context():
        db.session.get(Province, province_id).timezone = zone
        db.session.commit()


def _assessment(app, assessment_id: int) -> Assessment:
    with app.app_context():
        row = db.session.get(Assessment, assessment_id)
        db.session.expunge(row)
        return row


@pytest.mark.parametrize(("moment", "expected"), [
    (LATE_EVENING_UTC, date(2026, 12, 2)),
    (BEFORE_LOCAL_MIDNIGHT, date(2026, 12, 1)),
    (AFTER_LOCAL_MIDNIGHT, date(2026, 12, 2)),
])
def test_an_assessment_is_dated_by_the_province_day(app, world, moment, expected):
    with _travel(moment):
        assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
    assessment = _assessment(app, assessment_id)
    assert assessment.assessed_on == expected
    with app.app_context():
        dues = db.session.scalars(select(RemediationAction.due_on).where(
            RemediationAction.assessment_id == assessment_id)).all()
    # P1 actions are due within days of the local submission day, never before it.
    assert dues and min(dues) > expected


def test_result_home_and_actions_pages_show_the_hanoi_day_at_2330_utc(app, world, login_as):
    with _travel(LATE_EVENING_UTC):
        assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
        officer = _in_vietnamese(login_as, world.a.officer)
        result = officer.get(f"/enterprise/assessments/{assessment_id}").get_data(as_text=True)
        home = officer.get("/enterprise/").get_data(as_text=True)
    assert "02/12/2026" in result and "01/12/2026" not in result
    assert "02/12/2026 06:30" in result  # the submission time, in Hanoi time
    assert "02/12/2026" in home and "01/12/2026" not in home


def test_the_pdf_the_verify_page_and_the_api_use_the_province_day(app, world, client):
    with _travel(LATE_EVENING_UTC):
        assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
        report = report_row(app, assessment_id)
        text = pdf_text(report.pdf)
        client.get("/lang/vi")
        verify = client.get(f"/verify/{report.verification_code}").get_data(as_text=True)
        token = make_token(app, world.a.officer)
        api = client.get(f"/api/v1/assessments/{assessment_id}", headers=bearer(token)).get_json()
    assert "02/12/2026 06:30 (GMT+7)" in text
    assert "01/12/2026" not in text
    assert report.payload["generated_at"].startswith("2026-12-01T23:30")  # signed in UTC
    assert report.payload["assessed_on"] == "2026-12-02"
    assert "02/12/2026" in verify and "01/12/2026" not in verify
    assert api["assessed_on"] == "2026-12-02"


def test_a_province_in_another_zone_keeps_its_own_calendar(app, world, client, login_as):
    _set_zone(app, world.b.province.id, "America/New_York")
    with _travel(datetime(2026, 12, 2, 3, 0, tzinfo=UTC)):  # 22:00 on 1 Dec in New York
        hanoi_id = submit_directly(app, world.a.enterprise, world.a.officer)
        new_york_id = submit_directly(app, world.b.enterprise, world.b.officer)
        report = report_row(app, new_york_id)
        officer = _in_vietnamese(login_as, world.b.officer)
        result = officer.get(f"/enterprise/assessments/{new_york_id}").get_data(as_text=True)
    assert _assessment(app, hanoi_id).assessed_on == date(2026, 12, 2)
    assert _assessment(app, new_york_id).assessed_on == date(2026, 12, 1)
    assert "01/12/2026 22:00 (GMT-5)" in pdf_text(report.pdf)
    heading = result[result.index("<h1>"):result.index("</h1>")]
    assert "01/12/2026" in heading and "01/12/2026 22:00" in result


def test_the_auditors_zip_is_named_by_the_province_day(app, world, login_as):
    with _travel(LATE_EVENING_UTC):
        submit_directly(app, world.a.enterprise, world.a.officer)
        auditor = login_as(world.a.auditor)
        response = auditor.post("/audit/exports", data={})
        job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        download = auditor.get(f"/audit/exports/{job_id}/download")
    assert "bao-cao-2026-12-02-" in download.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert names and all("2026-12-01" not in name for name in names)


def test_an_action_is_overdue_from_the_local_day_after_its_due_date(app, world, login_as):
    with _travel(datetime(2026, 11, 1, 3, 0, tzinfo=UTC)):
        assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
    with app.app_context():
        for action in db.session.scalars(select(RemediationAction).where(
                RemediationAction.assessment_id == assessment_id)):
            action.due_on = date(2026, 12, 1)
        db.session.commit()
    # 16:59 UTC on 1 Dec is still the due day in Hanoi; 17:01 UTC is the next day: overdue.
    for moment, overdue in ((BEFORE_LOCAL_MIDNIGHT, False), (AFTER_LOCAL_MIDNIGHT, True)):
        with _travel(moment):
            officer = login_as(world.a.officer)
            officer.get("/lang/en")
            html = officer.get("/enterprise/actions").get_data(as_text=True)
        assert ("overdue-card" in html) is overdue


def test_a_level_comes_into_force_at_its_own_provinces_midnight(app, world):
    from riskapp.province.regrade import regrade_pending

    _set_zone(app, world.b.province.id, "America/New_York")
    with app.app_context():
        rows = [AreaLevel(area_id=tenant.district.id, level=3, effective_from=date(2026, 12, 2),
                          set_by_id=tenant.admin.id) for tenant in (world.a, world.b)]
        db.session.add_all(rows)
        db.session.commit()
        hanoi_id, new_york_id = (row.id for row in rows)
    # 03:00 UTC on 2 Dec: 10:00 in Hanoi, still 22:00 on 1 Dec in New York.
    with _travel(datetime(2026, 12, 2, 3, 0, tzinfo=UTC)), app.app_context():
        assert regrade_pending() == 1
        assert db.session.get(AreaLevel, hanoi_id).regraded_at is not None
        assert db.session.get(AreaLevel, new_york_id).regraded_at is None
    with _travel(datetime(2026, 12, 2, 5, 1, tzinfo=UTC)), app.app_context():
        assert regrade_pending() == 1
        assert db.session.get(AreaLevel, new_york_id).regraded_at is not None


def test_the_daily_reminders_use_each_provinces_day(app, world, outbox):
    from riskapp.models import EnterpriseStatus
    from tests import factories

    _set_zone(app, world.b.province.id, "America/New_York")
    with app.test_request_context():
        for tenant in (world.a, world.b):
            factories.submit_assessment(tenant.enterprise, tenant.officer)
            db.session.get(EnterpriseStatus, tenant.enterprise.id).next_due_on = date(2026, 12, 5)
        db.session.commit()
    # 03:00 UTC on 2 Dec: due in 3 days in Hanoi (remind), in 4 days in New York (not yet).
    with _travel(datetime(2026, 12, 2, 3, 0, tzinfo=UTC)):
        result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert [message["To"] for message in outbox] == [world.a.officer.email]
    with _travel(datetime(2026, 12, 2, 5, 1, tzinfo=UTC)):
        app.test_cli_runner().invoke(args=["send-reminders"])
    assert [message["To"] for message in outbox] == [world.a.officer.email, world.b.officer.email]


def test_the_zip_index_dates_submissions_by_the_provinces_day(app, world, login_as):
    # 03:30 UTC on 2 December is 22:30 on 1 December in New York, already 10:30 on 2 December in
    # Hanoi: the index must say the New York province's day, not the server default's.
    _set_zone(app, world.a.enterprise.province_id, "America/New_York")
    with _travel(datetime(2026, 12, 2, 3, 30, tzinfo=UTC)):
        submit_directly(app, world.a.enterprise, world.a.officer)
        auditor = login_as(world.a.auditor)
        response = auditor.post("/audit/exports", data={})
        job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        download = auditor.get(f"/audit/exports/{job_id}/download")
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    index = archive.read("index.csv").decode("utf-8-sig")
    assert "2026-12-01" in index
    assert "2026-12-02" not in index
