"""Two reviewers deciding the same submission at the same moment, on two database connections:
the conditional UPDATE lets exactly one in (PostgreSQL: the second waits for the first's commit,
then finds the submission no longer pending; SQLite: the file lock lets one writer at a time, and
the second's conditional UPDATE finds nothing pending)."""

from __future__ import annotations

import threading

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Assessment, AssessmentReview, ReviewDecision, User
from riskapp.reviews import services as reviews
from tests.reviews.support import submission


def _decide(app, assessment_id, user_id, decision, start, outcomes):
    with app.test_request_context():
        assessment = db.session.get(Assessment, assessment_id)
        reviewer = db.session.get(User, user_id)
        start.wait(timeout=10)
        try:
            reviews.decide(assessment, decision, reviewer, "at once",
                           [reviews.PinnedComment("ORG-2", "Show it")])
            db.session.commit()
            outcomes.append("decided")
        except reviews.ReviewRefused as refused:
            db.session.rollback()
            outcomes.append(refused.message)


def test_two_reviewers_at_the_same_moment(app, world):
    assessment_id = submission(app, world.a)
    start, outcomes = threading.Barrier(2), []
    threads = [threading.Thread(target=_decide, args=(app, assessment_id, user.id, decision,
                                                      start, outcomes))
               for user, decision in ((world.a.admin, ReviewDecision.ACCEPTED),
                                      (world.a.area_admin, ReviewDecision.RETURNED))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=lambda o: o != "decided")[0] == "decided"
    assert len(outcomes) == 2 and outcomes.count("decided") == 1
    assert any(o.startswith("Already decided by") for o in outcomes)
    with app.app_context():
        assert len(db.session.scalars(select(AssessmentReview)).all()) == 1
