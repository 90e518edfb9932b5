"""A new assessment replaces the open actions of the one it supersedes, keeping their follow-up."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import ActionStatus, RemediationAction
from tests import factories


def _actions(assessment_id):
    return {
        a.item_id: a
        for a in db.session.scalars(
            select(RemediationAction).where(RemediationAction.assessment_id == assessment_id)
        )
    }


def test_open_actions_are_superseded_and_their_follow_up_carries_over(app, world):
    with app.test_request_context():
        tenant = world.a
        first = factories.submit_assessment(tenant.enterprise, tenant.officer)
        old = _actions(first.id)
        assert {"ORG-2", "SCR-3"} <= set(old)
        old["ORG-2"].owner = "Phạm Văn Tổ trưởng"
        old["ORG-2"].note = "Đang soạn quyết định thành lập tổ"
        old["ORG-2"].status = ActionStatus.IN_PROGRESS
        old["SCR-3"].status = ActionStatus.DONE
        db.session.flush()

        # The second assessment fixes SCR-3 and MSK-4; ORG-2 still fails.
        answers = {**factories.ANSWERS, "SCR-3": "yes", "MSK-4": "yes"}
        second = factories.submit_assessment(tenant.enterprise, tenant.officer, answers=answers)
        db.session.commit()

        old = _actions(first.id)
        new = _actions(second.id)
        assert old["ORG-2"].status == ActionStatus.SUPERSEDED
        assert old["MSK-4"].status == ActionStatus.SUPERSEDED
        assert old["SCR-3"].status == ActionStatus.DONE  # closed work keeps its state
        assert "SCR-3" not in new and "MSK-4" not in new
        carried = new["ORG-2"]
        assert carried.status == ActionStatus.IN_PROGRESS
        assert carried.owner == "Phạm Văn Tổ trưởng"
        assert carried.note == "Đang soạn quyết định thành lập tổ"
        assert carried.due_on == old["ORG-2"].due_on


def test_officer_cannot_edit_a_superseded_action(app, world, login_as):
    with app.test_request_context():
        first = factories.submit_assessment(world.a.enterprise, world.a.officer)
        factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
        old_id = next(iter(_actions(first.id).values())).id
    client = login_as(world.a.officer)
    response = client.post(
        f"/enterprise/actions/{old_id}",
        data={f"action-{old_id}-status": "done", f"action-{old_id}-due_on": "2030-01-01"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(RemediationAction, old_id).status == ActionStatus.SUPERSEDED
