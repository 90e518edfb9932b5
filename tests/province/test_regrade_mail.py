"""The mail telling an officer that the next assessment is due sooner writes dates in their
language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from riskapp import clock
from riskapp.db import db
from riskapp.formatting import format_date
from riskapp.models import Assessment, Enterprise, User
from tests.notifications.support import notified
from tests.province.conftest import submit


@pytest.mark.parametrize("locale", ["en", None])
def test_the_moved_due_date_is_written_in_the_officers_language(app, world, client, login_as,
                                                                 outbox, locale):
    with app.test_request_context():
        officer = db.session.get(User, world.a.officer.id)
        officer.locale = locale
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        assessment_id = submit(enterprise, officer, clock.today() - timedelta(days=2), None).id
        db.session.commit()
    login_as(world.a.admin)
    client.post("/province/areas", data={
        "area_id": world.a.district.id, "level": 4, "effective_from": clock.today().isoformat()})
    with app.test_request_context():
        assessment = db.session.get(Assessment, assessment_id)
        before, after = assessment.next_due_on, assessment.effective_next_due_on
    assert after < before
    lang = locale or "vi"  # an officer without a setting reads Vietnamese
    body = outbox[-1].get_content()
    assert format_date(after, lang) in body and format_date(before, lang) in body
    # Day first either way; the month in words in English, in digits in Vietnamese.
    assert (re.search(r"\b\d{2}/\d{2}/\d{4}\b", body) is not None) == (lang == "vi")
    assert (re.search(r"\b\d{2} [A-Z][a-z]{2} \d{4}\b", body) is not None) == (lang == "en")
    # The level change went through the notification service.
    assert (world.a.officer.email, "email", "delivered") in notified(app, "level_change")
