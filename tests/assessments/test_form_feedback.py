"""What the form tells the officer: progress counts only valid answers; an inline error does not
repeat the question it sits under."""

from __future__ import annotations

import re

from tests.assessments.conftest import form_data, hidden_value
from tests.assessments.test_flow import edit_url, item_block

HYGIENE = {"HYG-1": "yes", "HYG-2": "150", "HYG-3": "all", "HYG-4": "every_sitting"}
HYG_2_QUESTION_EN = "Share of workers observed washing hands"


def _progress(html: str, section: str) -> tuple[str, bool]:
    """The section heading's count ("3/4") and whether it is marked complete."""
    found = re.search(rf'<span class="progress-count([^"]*)" data-progress-for="{section}">'
                      rf'([^<]*)</span></h2>', html)
    return found.group(2), "complete" in found.group(1)


def test_a_section_with_an_invalid_answer_is_not_done(officer, start_draft):
    assessment_id, lock, _token = start_draft()
    saved = officer.post(edit_url(assessment_id), data=form_data(HYGIENE, lock_version=lock))
    assert _progress(saved.get_data(as_text=True), "hygiene") == ("3/4", False)
    reloaded = officer.get(edit_url(assessment_id)).get_data(as_text=True)
    assert _progress(reloaded, "hygiene") == ("3/4", False)
    fixed = officer.post(edit_url(assessment_id), data=form_data(
        {**HYGIENE, "HYG-2": "95"}, lock_version=hidden_value(reloaded, "lock_version")))
    assert fixed.status_code == 302
    assert _progress(officer.get(edit_url(assessment_id)).get_data(as_text=True),
                     "hygiene") == ("4/4", True)


def test_autosave_counts_only_valid_answers(officer, start_draft):
    assessment_id, lock, _token = start_draft()
    reply = officer.post(f"/enterprise/assessments/{assessment_id}/autosave",
                         data=form_data(HYGIENE, lock_version=lock))
    assert reply.get_json()["progress"]["hygiene"] == {"answered": 3, "total": 4}


def _inline_errors(block: str) -> list[str]:
    return [" ".join(text.split()) for text in
            re.findall(r'<p class="error" id="[^"]+">(.*?)</p>', block, re.S)]


def test_inline_errors_do_not_repeat_the_question(officer, start_draft):
    assessment_id, lock, token = start_draft()
    officer.get("/lang/en")
    refused = officer.post(edit_url(assessment_id), data=form_data(
        {"ORG-1": "yes"}, lock_version=lock, submit_token=token, action="submit"))
    html = refused.get_data(as_text=True)
    assert _inline_errors(item_block(html, "ORG-2")) == ["No answer given."]
    # The summary at the top names the item by its id, linked to the question.
    assert re.search(r'<a href="#q-ORG-2">ORG-2</a>: No answer given\.', html)


def test_auditor_inline_errors_do_not_repeat_the_question(app, world, login_as):
    from tests.audit.support import submitted

    assessment_id = submitted(app, world.a.enterprise, world.a.officer)
    auditor = login_as(world.a.auditor)
    auditor.get("/lang/en")
    response = auditor.post(f"/audit/assessments/{assessment_id}/finding", data={
        "visited_on": "2026-01-20", "outcome": "differs", "observed-HYG-2": "150"})
    html = response.get_data(as_text=True)
    errors = re.findall(r'id="observed-HYG-2-error"[^>]*>(.*?)<', html, re.S)
    assert errors and HYG_2_QUESTION_EN not in errors[0]
    assert errors[0].strip().startswith("The value must be between 0 and 100")
