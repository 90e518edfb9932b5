"""Officer fixtures: a logged-in officer and complete answers to the default checklist."""

from __future__ import annotations

import re

import pytest

from riskapp.assessments.forms import field_name

# Complete answers for enterprise a (shared canteen, no shuttle, no dormitory, area level 1).
# Failing on purpose, per the spec's points: ORG-1 no (critical, P1, 10), CAN-2 no (P2, 10),
# HYG-2 50 % (P2, 10 - 5 = 5), CTX-4 yes (P3, 5), MSK-5 no (P3, 5); everything else passes.
COMPLETE_ANSWERS = {
    "ORG-1": "no", "ORG-2": "yes", "ORG-3": "yes", "ORG-4": "yes",
    "CTX-1": "250", "CTX-2": "5000", "CTX-3": "coworkers", "CTX-4": "yes",
    "SCR-1": "all", "SCR-2": "all", "SCR-3": "yes", "SCR-4": "yes", "SCR-5": "na",
    "HYG-1": "yes", "HYG-2": "50", "HYG-3": "all", "HYG-4": "every_sitting",
    "MSK-1": "yes", "MSK-2": "yes", "MSK-3": "all", "MSK-4": "yes", "MSK-5": "no",
    "VEN-1": "all", "CAN-1": "distanced", "CAN-2": "no", "VAC-1": "90", "COM-1": "yes",
}
# The spec's remediation order: priority, then points (highest first), then checklist order.
EXPECTED_ACTION_ORDER = ["ORG-1", "CAN-2", "HYG-2", "CTX-4", "MSK-5"]


def form_data(answers: dict[str, str], *, lock_version, submit_token="", action="save",
              confirmed_case=False) -> dict[str, str]:
    data = {field_name(item_id): value for item_id, value in answers.items()}
    data.update(lock_version=str(lock_version), submit_token=submit_token, action=action)
    if confirmed_case:
        data["confirmed_case_14d"] = "y"
    return data


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    assert match, f"no hidden field {name}"
    return match.group(1)


@pytest.fixture
def officer(world, login_as):
    """The client logged in as enterprise a's officer."""
    return login_as(world.a.officer)


@pytest.fixture
def start_draft(officer):
    """Start (or reopen) the draft through the page; returns (assessment id, lock, token)."""

    def _start():
        response = officer.post("/enterprise/assessments/new")
        assert response.status_code == 302
        edit_url = response.headers["Location"]
        page = officer.get(edit_url)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assessment_id = int(re.search(r"/assessments/(\d+)/edit", edit_url).group(1))
        return assessment_id, hidden_value(html, "lock_version"), hidden_value(html, "submit_token")

    return _start


def submit_directly(app, enterprise, user, answers=None, declared=None) -> int:
    """Make a submitted assessment through the services (for another tenant's objects)."""
    from riskapp.assessments import services
    from riskapp.db import db
    from riskapp.models import Enterprise, User

    with app.test_request_context():
        enterprise_row = db.session.get(Enterprise, enterprise.id)
        user_row = db.session.get(User, user.id)
        draft = services.start_draft(enterprise_row, user_row)
        services.save_draft(draft, answers or COMPLETE_ANSWERS, declared or {}, draft.lock_version,
                            user_row)
        submitted = services.submit(draft, user_row)
        db.session.commit()
        return submitted.id
