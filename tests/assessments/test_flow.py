"""The officer's assessment flow through the pages: draft, refused submit, submit, supersede."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from riskapp import clock
from riskapp.db import db
from riskapp.models import (
    AreaLevel,
    Assessment,
    AssessmentStatus,
    Enterprise,
    RemediationAction,
)
from riskapp.scoring import Grade, get_checklist
from tests.assessments.conftest import (
    COMPLETE_ANSWERS,
    EXPECTED_ACTION_ORDER,
    form_data,
    hidden_value,
)

DECISION_HIGH_EN = get_checklist("vn-workplace-2021").decision(Grade.HIGH).en


def item_block(html: str, item_id: str) -> str:
    """The markup of one question (from its wrapper to the next question)."""
    start = html.index(f'id="q-{item_id}"')
    following = html.find('id="q-', start + 10)
    return html[start: following if following != -1 else len(html)]


def edit_url(assessment_id: int) -> str:
    return f"/enterprise/assessments/{assessment_id}/edit"


def test_full_flow(app, officer, start_draft):
    assessment_id, lock, token = start_draft()

    # Save a partial draft, then reload: the answers are there as typed.
    partial = {"ORG-1": "no", "ORG-2": "yes", "CTX-1": "250"}
    saved = officer.post(edit_url(assessment_id), data=form_data(partial, lock_version=lock))
    assert saved.status_code == 302
    page = officer.get(edit_url(assessment_id)).get_data(as_text=True)
    assert re.search(r'value="no" checked', item_block(page, "ORG-1"))
    assert re.search(r'value="yes" checked', item_block(page, "ORG-2"))
    assert 'value="250"' in item_block(page, "CTX-1")
    assert "checked" not in item_block(page, "ORG-3")
    lock = hidden_value(page, "lock_version")

    # A refused submit: every problem next to its field, everything typed kept.
    wrong = {**partial, "HYG-2": "150", "CTX-3": "public"}
    refused = officer.post(edit_url(assessment_id), data=form_data(
        wrong, lock_version=lock, submit_token=token, action="submit"))
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    hyg2 = item_block(html, "HYG-2")
    assert 'class="error"' in hyg2 and 'value="150"' in hyg2 and "100" in hyg2
    assert 'class="error"' in item_block(html, "ORG-3")  # missing answer
    assert 'class="error"' not in item_block(html, "ORG-1")
    assert re.search(r'value="public" checked', item_block(html, "CTX-3"))
    assert 'class="error"' not in item_block(html, "TRN-1")  # does not apply: no answer needed
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment.status == AssessmentStatus.DRAFT
        assert assessment.answers["HYG-2"] == "150"  # kept as typed in the draft
        assert assessment.result is None
    lock = hidden_value(html, "lock_version")

    # Submit the complete answers.
    done = officer.post(edit_url(assessment_id), data=form_data(
        COMPLETE_ANSWERS, lock_version=lock, submit_token=token, action="submit"))
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/enterprise/assessments/{assessment_id}")

    officer.get("/lang/en")
    result = officer.get(done.headers["Location"]).get_data(as_text=True)
    assert "high" in result and DECISION_HIGH_EN in result
    assert "R2-critical" in result
    assert "Adopt and drill a prevention plan and case-response scenario" in result

    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment.status == AssessmentStatus.SUBMITTED
        assert assessment.grade == Grade.HIGH
        actions = db.session.scalars(
            select(RemediationAction).where(RemediationAction.assessment_id == assessment_id)
            .order_by(RemediationAction.position)
        ).all()
        assert [a.item_id for a in actions] == EXPECTED_ACTION_ORDER
        assert [a.priority.value for a in actions] == ["P1", "P2", "P2", "P3", "P3"]


def test_second_submit_supersedes_the_first(app, officer, start_draft):
    first_id, lock, token = start_draft()
    officer.post(edit_url(first_id), data=form_data(
        COMPLETE_ANSWERS, lock_version=lock, submit_token=token, action="submit"))
    second_id, lock, token = start_draft()
    assert second_id != first_id
    better = {**COMPLETE_ANSWERS, "ORG-1": "yes"}
    officer.post(edit_url(second_id), data=form_data(
        better, lock_version=lock, submit_token=token, action="submit"))
    with app.app_context():
        first, second = db.session.get(Assessment, first_id), db.session.get(Assessment, second_id)
        assert first.status == AssessmentStatus.SUPERSEDED and first.superseded_by_id == second_id
        assert second.status == AssessmentStatus.SUBMITTED
        assert second.grade < first.grade
    listing = officer.get("/enterprise/assessments").get_data(as_text=True)
    assert f"/enterprise/assessments/{first_id}\"" in listing
    assert f"/enterprise/assessments/{second_id}\"" in listing
    home = officer.get("/enterprise/").get_data(as_text=True)
    assert "<svg" in home  # grade history chart


def test_a_submitted_assessment_cannot_be_edited(app, officer, start_draft):
    assessment_id, lock, token = start_draft()
    officer.post(edit_url(assessment_id), data=form_data(
        COMPLETE_ANSWERS, lock_version=lock, submit_token=token, action="submit"))
    page = officer.get(edit_url(assessment_id))
    assert page.status_code == 302
    assert page.headers["Location"].endswith(f"/enterprise/assessments/{assessment_id}")
    changed = {**COMPLETE_ANSWERS, "ORG-1": "yes"}
    posted = officer.post(edit_url(assessment_id), data=form_data(
        changed, lock_version=lock, submit_token="another-token", action="save"))
    assert posted.status_code == 302
    autosave = officer.post(f"/enterprise/assessments/{assessment_id}/autosave",
                            data=form_data(changed, lock_version=lock))
    assert autosave.status_code == 409
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).answers["ORG-1"] == "no"


def test_snapshot_survives_profile_and_area_level_changes(app, world, officer, start_draft):
    assessment_id, lock, token = start_draft()
    officer.post(edit_url(assessment_id), data=form_data(
        COMPLETE_ANSWERS, lock_version=lock, submit_token=token, action="submit"))
    with app.app_context():
        before = db.session.get(Assessment, assessment_id)
        snapshot = (dict(before.context), dict(before.answers), dict(before.result), before.grade,
                    before.checklist_version_id)

    profile = officer.post("/enterprise/profile", data={
        "name": "Công ty May Đông Hòa", "address": "", "headcount": "900",
        "has_shuttle": "y", "has_dormitory": "y",  # canteen unticked
    })
    assert profile.status_code == 302
    with app.app_context():
        db.session.add(AreaLevel(area_id=world.a.district.id, level=4,
                                 effective_from=clock.today()))
        db.session.commit()

    with app.app_context():
        after = db.session.get(Assessment, assessment_id)
        assert (after.context, after.answers, after.result, after.grade,
                after.checklist_version_id) == snapshot
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        assert (enterprise.has_canteen, enterprise.has_shuttle, enterprise.headcount) == (
            False, True, 900)
    officer.get("/lang/en")
    result = officer.get(f"/enterprise/assessments/{assessment_id}").get_data(as_text=True)
    assert "Level 1 — low (green)" in result
    # A new draft follows the new profile and level: shuttle items apply, canteen items do not.
    draft_id, _lock, _token = start_draft()
    page = officer.get(edit_url(draft_id)).get_data(as_text=True)
    assert 'name="item-TRN-1"' in page and 'name="item-CAN-1"' not in page
    assert "Level 4 — very high (red)" in page


def test_stale_draft_keeps_what_this_user_typed(app, officer, start_draft):
    assessment_id, lock, token = start_draft()
    # Someone else saves first, from a form opened at the same lock version.
    other = officer.post(edit_url(assessment_id), data=form_data(
        {"ORG-1": "yes", "CTX-1": "40"}, lock_version=lock))
    assert other.status_code == 302
    mine = officer.post(edit_url(assessment_id), data=form_data(
        {"ORG-1": "no", "CTX-1": "300"}, lock_version=lock))
    assert mine.status_code == 409
    html = mine.get_data(as_text=True)
    assert "Someone else saved this draft" in html
    assert re.search(r'value="no" checked', item_block(html, "ORG-1"))
    assert 'value="300"' in item_block(html, "CTX-1")
    assert "Saved meanwhile" in item_block(html, "CTX-1") and "40" in item_block(html, "CTX-1")
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).answers == {"ORG-1": "yes", "CTX-1": "40"}
    # The page now carries the current version: saving again keeps this user's answers.
    again = officer.post(edit_url(assessment_id), data=form_data(
        {"ORG-1": "no", "CTX-1": "300"}, lock_version=hidden_value(html, "lock_version")))
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).answers == {"ORG-1": "no", "CTX-1": "300"}


def test_double_submit_makes_one_assessment(app, officer, start_draft):
    assessment_id, lock, token = start_draft()
    data = form_data(COMPLETE_ANSWERS, lock_version=lock, submit_token=token, action="submit")
    first = officer.post(edit_url(assessment_id), data=data)
    second = officer.post(edit_url(assessment_id), data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        submitted = db.session.scalar(select(func.count()).select_from(Assessment).where(
            Assessment.status != AssessmentStatus.DRAFT))
        actions = db.session.scalar(select(func.count()).select_from(RemediationAction))
        assert (submitted, actions) == (1, len(EXPECTED_ACTION_ORDER))


def test_declared_case_is_part_of_the_snapshot(app, officer, start_draft):
    assessment_id, lock, token = start_draft()
    officer.post(edit_url(assessment_id), data=form_data(
        COMPLETE_ANSWERS, lock_version=lock, submit_token=token, action="submit",
        confirmed_case=True))
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment.context["confirmed_case_14d"] is True
        assert assessment.grade == Grade.VERY_HIGH  # R4-case


def test_language_switch_shows_item_texts_in_that_language(officer, start_draft):
    assessment_id, _lock, _token = start_draft()
    officer.get("/lang/vi")
    vietnamese = officer.get(edit_url(assessment_id)).get_data(as_text=True)
    assert "Đo thân nhiệt và kiểm tra triệu chứng tại mọi lối vào" in vietnamese
    officer.get("/lang/en")
    english = officer.get(edit_url(assessment_id)).get_data(as_text=True)
    assert "Temperature and symptom check at every entry" in english
    assert "Đo thân nhiệt và kiểm tra triệu chứng tại mọi lối vào" not in english


def test_inapplicable_items_and_na(app, world, officer, start_draft):
    assessment_id, _lock, _token = start_draft()
    page = officer.get(edit_url(assessment_id)).get_data(as_text=True)
    trn = item_block(page, "TRN-1")
    assert "item-na" in trn and "<input" not in trn
    assert 'value="na"' in item_block(page, "SCR-5")  # level 1: na allowed
    with app.app_context():
        db.session.add(AreaLevel(area_id=world.a.district.id, level=3,
                                 effective_from=clock.today()))
        db.session.commit()
    page = officer.get(edit_url(assessment_id)).get_data(as_text=True)
    assert 'value="na"' not in item_block(page, "SCR-5")  # level 3: SCR-5 needs yes or no
    assert 'value="na"' in item_block(page, "ORG-4")


def test_inputs_have_labels_and_limits(officer, start_draft):
    assessment_id, _lock, _token = start_draft()
    page = officer.get(edit_url(assessment_id)).get_data(as_text=True)
    ctx1 = item_block(page, "CTX-1")
    assert 'label for="item-CTX-1"' in ctx1 and 'id="item-CTX-1"' in ctx1
    assert 'min="1"' in ctx1 and 'step="1"' in ctx1
    hyg2 = item_block(page, "HYG-2")
    assert 'min="0"' in hyg2 and 'max="100"' in hyg2 and "%" in hyg2
    org1 = item_block(page, "ORG-1")
    assert "<fieldset" in org1 and "<legend>" in org1
    assert 'for="item-ORG-1-0"' in org1 and 'id="item-ORG-1-0"' in org1
    assert "<script>" not in page and " onclick=" not in page
