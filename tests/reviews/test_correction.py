"""Return → correct → resubmit: the officer's correction draft, re-grading, the diff."""

from __future__ import annotations

import re

from riskapp.assessments.forms import field_name
from riskapp.db import db
from riskapp.models import Assessment, AssessmentStatus, ReviewStatus
from tests.reviews.support import fetch, return_post, submission


def _returned(app, world, login_as) -> int:
    assessment_id = submission(app, world.a)
    admin = login_as(world.a.admin)
    assert admin.post(f"/province/reviews/{assessment_id}", data=return_post(
        ORG_2=("Show the plan", True))).status_code == 302
    return assessment_id


def test_the_officer_corrects_and_resubmits_into_the_queue(app, world, login_as):
    returned_id = _returned(app, world, login_as)
    officer = login_as(world.a.officer)
    started = officer.post(f"/enterprise/assessments/{returned_id}/correct")
    assert started.status_code == 302
    edit_url = started.headers["Location"]
    draft_id = int(re.search(r"/assessments/(\d+)/edit", edit_url).group(1))
    with app.app_context():
        draft = db.session.get(Assessment, draft_id)
        returned = db.session.get(Assessment, returned_id)
        assert draft.corrects_id == returned_id
        # The answers are copied as the form sends them.
        assert draft.answers["ORG-2"] == "no" and draft.answers["CTX-1"] == "250"
        assert set(draft.answers) == set(returned.answers)
        answers, lock = dict(draft.answers), draft.lock_version
    page = officer.get(edit_url).get_data(as_text=True)
    assert 'class="review-pin" id="pin-ORG-2"' in page and "Show the plan" in page
    # The officer fixes ORG-2 and submits: the engine grades the correction again.
    answers["ORG-2"] = "yes"
    data = {field_name(item): value for item, value in answers.items()}
    data.update(lock_version=str(lock), submit_token="", action="submit")
    submitted = officer.post(edit_url, data=data)
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:2000]
    correction = fetch(app, draft_id)
    assert correction.status == AssessmentStatus.SUBMITTED
    assert correction.review_status == ReviewStatus.PENDING
    assert correction.answers["ORG-2"] == "yes" and correction.result is not None
    assert fetch(app, returned_id).status == AssessmentStatus.SUPERSEDED
    # The queue lists it as a correction; the review page shows what changed.
    admin = login_as(world.a.admin)
    queue = admin.get("/province/reviews/").get_data(as_text=True)
    assert f"/province/reviews/{draft_id}" in queue and "Correction" in queue
    review = admin.get(f"/province/reviews/{draft_id}").get_data(as_text=True)
    assert "What the correction changed" in review
    assert re.search(r"<td class=\"nowrap\">ORG-2</td>.*?Before.*?No.*?After.*?Yes", review,
                     re.S)
    assert "Grade before" in review


def test_correcting_an_assessment_not_returned_is_refused(app, world, login_as):
    assessment_id = submission(app, world.a)
    officer = login_as(world.a.officer)
    response = officer.post(f"/enterprise/assessments/{assessment_id}/correct",
                            follow_redirects=True)
    assert "not returned for correction" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Assessment).filter_by(
            status=AssessmentStatus.DRAFT).count() == 0


def test_a_replaced_return_offers_no_second_correction(app, world, login_as):
    returned_id = _returned(app, world, login_as)
    submission(app, world.a)  # a newer submission replaces the returned one
    officer = login_as(world.a.officer)
    page = officer.get(f"/enterprise/assessments/{returned_id}").get_data(as_text=True)
    assert "a later submission replaced it" in page and "Correct and resubmit" not in page
    refused = officer.post(f"/enterprise/assessments/{returned_id}/correct",
                           follow_redirects=True)
    assert "not returned for correction" in refused.get_data(as_text=True)


def test_a_returned_assessment_offers_the_correction_not_a_new_start(app, world, login_as):
    """After a return the officer's one way forward is to correct: no second, unrelated start."""
    _returned(app, world, login_as)
    officer = login_as(world.a.officer)
    officer.get("/lang/en")
    home = officer.get("/enterprise/").get_data(as_text=True)
    assert "Correct and resubmit" in home
    assert "Start a new assessment" not in home
