"""Accept, return with pinned comments, two reviewers at once, superseded, automatic acceptance."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import AssessmentReview, AuditLog, ReviewComment, ReviewStatus
from tests.conftest import login
from tests.notifications.support import notified
from tests.reviews.support import fetch, return_post, submission


def test_a_reviewed_grade_waits_and_another_is_accepted_automatically(app, world):
    waiting = submission(app, world.a)
    assert fetch(app, waiting).review_status == ReviewStatus.PENDING
    automatic = submission(app, world.a, enterprise=world.a.enterprise_elsewhere,
                           review_grades="")
    assessment = fetch(app, automatic)
    assert assessment.review_status == ReviewStatus.AUTO_ACCEPTED
    assert assessment.accepted_grade == assessment.grade
    with app.app_context():
        review = db.session.scalar(select(AssessmentReview)
                                   .where(AssessmentReview.assessment_id == automatic))
        assert review.automatic and review.reviewer_id is None
        actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"review_pending", "review_auto_accepted"} <= actions


def test_accept_records_the_decision_and_mails_the_officer(app, world, login_as, outbox):
    assessment_id = submission(app, world.a)
    client = login_as(world.a.admin)
    response = client.post(f"/province/reviews/{assessment_id}",
                           data={"decision": "accepted", "comment": "Good."})
    assert response.status_code == 302
    assessment = fetch(app, assessment_id)
    assert assessment.review_status == ReviewStatus.ACCEPTED
    assert assessment.accepted_grade == assessment.grade
    assert [m["To"] for m in outbox] == [world.a.officer.email]
    # The officer's locale is unset: Vietnamese, the default.
    assert "được chấp nhận" in outbox[0]["Subject"]
    # Through the notification service: in the app and by e-mail.
    assert notified(app, "review_decision") == [
        (world.a.officer.email, "inapp", "shown"), (world.a.officer.email, "email", "delivered")]
    officer = login_as(world.a.officer)
    assert "was accepted by the province" in officer.get("/enterprise/").get_data(as_text=True)
    result = officer.get(f"/enterprise/assessments/{assessment_id}").get_data(as_text=True)
    assert "Declared grade (self-assessed)" in result and "Accepted grade" in result
    # The province's page of the enterprise says the same.
    detail = login_as(world.a.viewer).get(
        f"/province/enterprises/{world.a.enterprise.id}").get_data(as_text=True)
    assert "Accepted grade" in detail
    assert "Open the review" in detail


def test_return_pins_comments_and_evidence_requests_to_items(app, world, login_as, outbox):
    assessment_id = submission(app, world.a)
    client = login_as(world.a.admin)
    response = client.post(f"/province/reviews/{assessment_id}", data=return_post(
        ORG_2=("Show the plan", True), HYG_2="95 % is not credible"))
    assert response.status_code == 302
    assert fetch(app, assessment_id).review_status == ReviewStatus.RETURNED
    with app.app_context():
        comments = {c.item_id: c.needs_evidence for c in db.session.scalars(select(ReviewComment))}
    assert set(comments) == {"ORG-2", "HYG-2"}
    assert comments == {"ORG-2": True, "HYG-2": False}
    assert "ORG-2" in outbox[0].get_content()
    home = login_as(world.a.officer).get("/enterprise/").get_data(as_text=True)
    assert "Returned for correction" in home
    assert "Show the plan" in home and "95 % is not credible" in home
    assert "evidence requested" in home


def test_a_return_must_say_what_to_correct(app, world, login_as):
    assessment_id = submission(app, world.a)
    client = login_as(world.a.admin)
    response = client.post(f"/province/reviews/{assessment_id}",
                           data={"decision": "returned", "comment": " "})
    assert response.status_code == 409
    assert "Say what to correct" in response.get_data(as_text=True)
    assert fetch(app, assessment_id).review_status == ReviewStatus.PENDING


def test_two_reviewers_at_once_one_decision_wins(app, world, login_as):
    assessment_id = submission(app, world.a)
    first, second = app.test_client(), app.test_client()
    login(first, world.a.admin)
    login(second, world.a.area_admin)
    # Both opened the page while it was pending.
    for client in (first, second):
        assert "Return for correction" in client.get(
            f"/province/reviews/{assessment_id}").get_data(as_text=True)
    assert first.post(f"/province/reviews/{assessment_id}",
                      data={"decision": "accepted"}).status_code == 302
    late = second.post(f"/province/reviews/{assessment_id}",
                       data=return_post(ORG_2="Missing"))
    assert late.status_code == 409
    assert "Already decided by Lê Minh Quản" in late.get_data(as_text=True)
    assert fetch(app, assessment_id).review_status == ReviewStatus.ACCEPTED
    with app.app_context():
        assert db.session.scalar(select(ReviewComment.id)) is None
        assert len(db.session.scalars(select(AssessmentReview)).all()) == 1


def test_a_superseded_submission_cannot_be_returned(app, world, login_as):
    old = submission(app, world.a)
    submission(app, world.a)  # a newer submission replaces it
    client = login_as(world.a.admin)
    response = client.post(f"/province/reviews/{old}", data=return_post(ORG_2="Missing"))
    assert response.status_code == 409
    assert "replaced by a newer one" in response.get_data(as_text=True)
    assert fetch(app, old).review_status == ReviewStatus.PENDING
    with app.app_context():
        assert db.session.scalar(select(AssessmentReview.id)
                                 .where(AssessmentReview.assessment_id == old)) is None


def test_a_viewer_sees_the_review_page_without_the_form(app, world, login_as):
    assessment_id = submission(app, world.a)
    html = login_as(world.a.viewer).get(f"/province/reviews/{assessment_id}").get_data(
        as_text=True)
    assert "Declared grade" in html and "Return for correction" not in html


def test_the_database_keeps_one_decision_per_assessment(app, world, login_as):
    """Even if the status check were passed (a stale status), the unique decision row refuses a
    second decision and nothing of it stays."""
    from sqlalchemy import update

    from riskapp.models import Assessment, ReviewDecision
    from riskapp.reviews import services as reviews

    assessment_id = submission(app, world.a)
    assert login_as(world.a.admin).post(f"/province/reviews/{assessment_id}",
                                        data={"decision": "accepted"}).status_code == 302
    with app.test_request_context():
        db.session.execute(update(Assessment).where(Assessment.id == assessment_id)
                           .values(review_status=ReviewStatus.PENDING))
        assessment = db.session.get(Assessment, assessment_id)
        try:
            reviews.decide(assessment, ReviewDecision.RETURNED, None, "Again")
        except reviews.ReviewRefused as refused:
            assert "Already decided by" in refused.message
        else:
            raise AssertionError("a second decision was stored")
        db.session.rollback()
    with app.app_context():
        assert len(db.session.scalars(select(AssessmentReview)).all()) == 1
