"""The "report being prepared" page shows what is really happening: no bar stuck at a made-up
50 %, but an indeterminate bar and words that follow the render's state at each refresh."""

from __future__ import annotations

import re

import pytest

from riskapp.db import db
from riskapp.models import Report
from tests.audit.support import report_row, submitted


@pytest.fixture
def pending_english(app, world, login_as, held_work):
    """(client, assessment id) with the English report queued and never picked up."""
    assessment_id = submitted(app, world.a.enterprise, world.a.officer)
    client = login_as(world.a.officer)
    return client, assessment_id


def _page(client, assessment_id) -> str:
    response = client.get(f"/reports/assessment/{assessment_id}.pdf?lang=en")
    assert response.status_code == 202
    return response.get_data(as_text=True)


def _bar(text: str) -> str:
    return re.search(r'<div class="progress[^"]*"[^>]*role="progressbar"[^>]*>.*?</div>', text,
                     re.S)[0]


def test_bar_is_indeterminate_not_a_fixed_half(pending_english):
    text = _page(*pending_english)
    bar = _bar(text)
    assert "indeterminate" in bar
    assert "aria-valuenow" not in bar  # no made-up amount: assistive tech says "busy"
    assert "width: 50%" not in bar
    assert 'http-equiv="refresh"' in text  # the page polls itself


def test_status_words_follow_the_render(app, pending_english):
    client, assessment_id = pending_english
    assert "Waiting for its turn" in _page(client, assessment_id)
    with app.app_context():
        report = db.session.get(Report, report_row(app, assessment_id, "en").id)
        report.attempts = 1  # what the worker records when it starts drawing the PDF
        db.session.commit()
    text = _page(client, assessment_id)
    assert "Drawing the PDF" in text and "Waiting for its turn" not in text
