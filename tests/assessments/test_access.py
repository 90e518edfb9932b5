"""Reach: only officers use these pages, and only for their own enterprise (others answer 404)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Assessment, AssessmentStatus, RemediationAction
from tests.assessments.conftest import COMPLETE_ANSWERS, form_data, submit_directly

PAGES = ["/enterprise/", "/enterprise/profile", "/enterprise/assessments", "/enterprise/actions"]


def objects_of(app, enterprise, user):
    """A submitted assessment, one of its actions and a draft of that enterprise."""
    submitted_id = submit_directly(app, enterprise, user)
    from riskapp.assessments import services
    from riskapp.models import Enterprise, User

    with app.test_request_context():
        draft = services.start_draft(db.session.get(Enterprise, enterprise.id),
                                     db.session.get(User, user.id))
        db.session.commit()
        action_id = db.session.scalar(select(RemediationAction.id).where(
            RemediationAction.assessment_id == submitted_id).limit(1))
        return submitted_id, action_id, draft.id


@pytest.mark.parametrize("whose", ["other_province", "same_province"])
def test_other_enterprises_objects_answer_404(app, world, officer, whose):
    if whose == "other_province":
        enterprise, user = world.b.enterprise, world.b.officer
    else:
        from riskapp.models import Role, User

        with app.app_context():
            colleague = User(email="officer-elsewhere@example.vn", name="Phạm Văn Sơn",
                             role=Role.OFFICER, province_id=world.a.province.id,
                             enterprise_id=world.a.enterprise_elsewhere.id, password_hash="x")
            db.session.add(colleague)
            db.session.commit()
        enterprise, user = world.a.enterprise_elsewhere, colleague
    submitted_id, action_id, draft_id = objects_of(app, enterprise, user)
    data = form_data(COMPLETE_ANSWERS, lock_version=1, submit_token="t", action="submit")
    responses = [
        officer.get(f"/enterprise/assessments/{submitted_id}"),
        officer.get(f"/enterprise/assessments/{draft_id}"),
        officer.get(f"/enterprise/assessments/{draft_id}/edit"),
        officer.post(f"/enterprise/assessments/{draft_id}/edit", data=data),
        officer.post(f"/enterprise/assessments/{draft_id}/autosave", data=data),
        officer.post(f"/enterprise/actions/{action_id}", data={}),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    for page in PAGES:
        html = officer.get(page).get_data(as_text=True)
        assert f"/enterprise/assessments/{submitted_id}\"" not in html
        assert f'id="action-{action_id}"' not in html
    with app.app_context():
        draft = db.session.get(Assessment, draft_id)
        assert draft.status == AssessmentStatus.DRAFT and draft.answers == {}


@pytest.mark.parametrize("role", ["auditor", "viewer", "admin"])
def test_province_staff_do_not_use_these_pages(world, login_as, role):
    client = login_as(getattr(world.a, role))
    assert [client.get(page).status_code for page in PAGES] == [404] * len(PAGES)
    assert client.post("/enterprise/assessments/new").status_code == 404


def test_platform_admin_gets_404(world, login_as):
    client = login_as(world.platform_admin)
    assert [client.get(page).status_code for page in PAGES] == [404] * len(PAGES)


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get("/enterprise/actions")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
