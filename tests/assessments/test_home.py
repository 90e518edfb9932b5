"""The officer's overview: the next due date once, and a notice when the area's level rose."""

from __future__ import annotations

import re

from riskapp.db import db
from riskapp.models import AreaLevel, Assessment
from tests.assessments.conftest import submit_directly


def _next_due_text(app, assessment_id: int) -> str:
    with app.app_context():
        due = db.session.get(Assessment, assessment_id).current_next_due_on
    return f"{due.day} {due.strftime('%b')} {due.year}"


def test_the_next_due_date_is_shown_once(app, world, officer):
    assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
    officer.get("/lang/en")
    html = officer.get("/enterprise/").get_data(as_text=True)
    shown = re.findall(rf"(?<!\d){re.escape(_next_due_text(app, assessment_id))}", html)
    assert len(shown) == 1
    assert "rose" not in html


def _assessed_then_level(app, world, level: int) -> None:
    """An assessment at the default level 1, then the district's level set from that day on
    (the enterprise's commune inherits its district's level)."""
    assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
    with app.app_context():
        assessed_on = db.session.get(Assessment, assessment_id).assessed_on
        db.session.add(AreaLevel(area_id=world.a.district.id, level=level,
                                 effective_from=assessed_on))
        db.session.commit()


def test_a_notice_says_the_area_level_rose_since_the_last_assessment(app, world, officer):
    _assessed_then_level(app, world, 3)
    officer.get("/lang/en")
    html = officer.get("/enterprise/").get_data(as_text=True)
    assert "The epidemic level of your area rose from level 1 to level 3" in html
    assert "Start a new assessment" in html
    officer.get("/lang/vi")
    html = officer.get("/enterprise/").get_data(as_text=True)
    assert "Cấp độ dịch của địa bàn đã tăng từ cấp 1 lên cấp 3" in html


def test_no_notice_when_the_level_fell(app, world, officer):
    _assessed_then_level(app, world, 1)
    officer.get("/lang/en")
    assert "rose from" not in officer.get("/enterprise/").get_data(as_text=True)


def test_the_next_due_date_stays_while_a_draft_is_open(app, world, officer):
    # A draft does not stop the clock: the officer still sees when the next assessment is due.
    assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
    officer.post("/enterprise/assessments/new")
    officer.get("/lang/en")
    html = officer.get("/enterprise/").get_data(as_text=True)
    assert "Continue the draft" in html
    shown = re.findall(rf"(?<!\d){re.escape(_next_due_text(app, assessment_id))}", html)
    assert len(shown) == 1
