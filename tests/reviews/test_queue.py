"""The queue: oldest first with the waiting time, filters, reach of area staff, the dashboard's
count, and the province's setting of which grades are reviewed."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from riskapp.db import db
from riskapp.models import Assessment, Grade, Province, ReviewStatus
from riskapp.models.types import utcnow
from tests.reviews.support import fetch, submission


def _submitted_days_ago(app, assessment_id: int, days: int) -> None:
    with app.app_context():
        db.session.execute(update(Assessment).where(Assessment.id == assessment_id)
                           .values(submitted_at=utcnow() - timedelta(days=days, hours=1)))
        db.session.commit()


def test_oldest_first_with_the_waiting_time(app, world, login_as):
    inside = submission(app, world.a)
    elsewhere = submission(app, world.a, enterprise=world.a.enterprise_elsewhere)
    _submitted_days_ago(app, elsewhere, 3)
    html = login_as(world.a.admin).get("/province/reviews/").get_data(as_text=True)
    assert html.index(f"/province/reviews/{elsewhere}") < html.index(f"/province/reviews/{inside}")
    assert "waiting 3 days" in html
    assert "2 submissions await review, oldest first" in html


def test_filters_by_area_and_grade(app, world, login_as):
    inside = submission(app, world.a)
    elsewhere = submission(app, world.a, enterprise=world.a.enterprise_elsewhere)
    client = login_as(world.a.admin)
    by_area = client.get(f"/province/reviews/?area={world.a.district.id}").get_data(as_text=True)
    assert f"/province/reviews/{inside}" in by_area
    assert f"/province/reviews/{elsewhere}" not in by_area
    grade = fetch(app, inside).grade
    other = next(g for g in Grade if g != grade)
    assert f"/province/reviews/{inside}" in client.get(
        f"/province/reviews/?grade={grade.value}").get_data(as_text=True)
    assert f"/province/reviews/{inside}" not in client.get(
        f"/province/reviews/?grade={other.value}").get_data(as_text=True)


def test_area_admin_reaches_only_their_subtree(app, world, login_as):
    inside = submission(app, world.a)
    elsewhere = submission(app, world.a, enterprise=world.a.enterprise_elsewhere)
    client = login_as(world.a.area_admin)
    html = client.get("/province/reviews/").get_data(as_text=True)
    assert f"/province/reviews/{inside}" in html
    assert f"/province/reviews/{elsewhere}" not in html
    assert client.get(f"/province/reviews/{elsewhere}").status_code == 404
    assert client.post(f"/province/reviews/{elsewhere}",
                       data={"decision": "accepted"}).status_code == 404
    assert fetch(app, elsewhere).review_status == ReviewStatus.PENDING
    assert client.post(f"/province/reviews/{inside}",
                       data={"decision": "accepted"}).status_code == 302
    assert fetch(app, inside).review_status == ReviewStatus.ACCEPTED


def test_the_dashboard_counts_what_awaits_review(app, world, login_as):
    submission(app, world.a)
    submission(app, world.a, enterprise=world.a.enterprise_elsewhere)
    assert "2 submissions await review" in login_as(world.a.viewer).get(
        "/province/").get_data(as_text=True)
    # Area staff count their own subtree; an auditor reads the dashboard without the queue.
    assert "1 submission awaits review" in login_as(world.a.area_viewer).get(
        "/province/").get_data(as_text=True)
    assert "await review" not in login_as(world.a.auditor).get(
        "/province/").get_data(as_text=True)


def test_the_province_chooses_which_grades_are_reviewed(app, world, login_as):
    client = login_as(world.a.admin)
    page = client.get("/province/reviews/settings").get_data(as_text=True)
    checked = set(re.findall(r'<input checked [^>]*value="(\w+)"', page))
    assert checked == {"high", "very_high"}
    response = client.post("/province/reviews/settings", data={"grades": ["very_high"]})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Province, world.a.province.id).review_grades == "very_high"
    # A grade no longer reviewed is accepted on submit; the setting is the province's own.
    with app.test_request_context():
        from tests import factories

        made = factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
        grade, status = made.grade, made.review_status
    assert status == (ReviewStatus.PENDING if grade == Grade.VERY_HIGH
                      else ReviewStatus.AUTO_ACCEPTED)
    with app.app_context():
        assert db.session.get(Province, world.b.province.id).review_grades == "high,very_high"


def test_the_waiting_time_is_written_by_the_formatting_module():
    from riskapp.formatting import MISSING, format_elapsed

    now = utcnow()
    assert format_elapsed(now - timedelta(days=3, hours=5), now, "vi") == "3 ngày"
    assert format_elapsed(now - timedelta(hours=5), now, "en") == "5 hours"
    assert format_elapsed(None, now, "en") == MISSING
