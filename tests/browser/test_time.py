"""The officer's overview on a phone and a desktop: the next due date once, the notice that the
area's epidemic level rose, no sideways scrolling (issue 12, items 1 and 19)."""

from __future__ import annotations

import re
from contextlib import contextmanager

from playwright.sync_api import expect
from sqlalchemy import select

from riskapp import clock
from riskapp.assessments import services
from riskapp.db import db
from riskapp.models import AreaLevel, EnterpriseStatus, User
from tests.browser.conftest import DESKTOP, PHONE, USERS


@contextmanager
def _area_level_raised(live_app):
    """Level 4 for the officer's area from today, removed afterwards (the server is shared)."""
    with live_app.app_context():
        officer = db.session.scalars(select(User).where(User.email == USERS["officer"])).one()
        current = services.current_submitted(officer.enterprise_id)
        assert current is not None and int(current.context["area_level"]) < 4
        row = AreaLevel(area_id=officer.enterprise.area_id, level=4, effective_from=clock.today())
        db.session.add(row)
        db.session.commit()
        row_id = row.id
        next_due = db.session.get(EnterpriseStatus, officer.enterprise_id).next_due_on
    try:
        yield next_due
    finally:
        with live_app.app_context():
            db.session.delete(db.session.get(AreaLevel, row_id))
            db.session.commit()


def test_overview_says_the_due_date_once_and_the_level_rise(pages, live_app):
    with _area_level_raised(live_app) as next_due:
        due_text = f"{next_due.day} {next_due.strftime('%b')} {next_due.year}"
        for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = pages.new_page(viewport=viewport)
            pages.login(page, "officer")
            page.goto("/enterprise/")
            notice = page.locator(".next-step .level-rise")
            expect(notice).to_be_visible()
            expect(notice).to_contain_text(re.compile(r"rose from level \d to level 4"))
            body = page.locator("main").inner_text()
            assert len(re.findall(rf"(?<!\d){re.escape(due_text)}", body)) == 1, body
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            pages.shot(page, f"home-{name}")
            assert not page.js_errors
