"""Remediation actions: list, filter, update, overdue, verified ones locked, Vietnamese notes."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from riskapp import clock
from riskapp.db import db
from riskapp.models import ActionStatus, AuditLog, RemediationAction
from tests.assessments.conftest import submit_directly

NOTE = "Đã lắp đặt trạm rửa tay ở cổng số 2"


class Ref:
    def __init__(self, object_id):
        self.id = object_id


def first_action(app, assessment_id) -> Ref:
    with app.app_context():
        return Ref(db.session.scalar(
            select(RemediationAction.id).where(RemediationAction.assessment_id == assessment_id)
            .order_by(RemediationAction.position).limit(1)
        ))


def action_data(action_id, **values):
    prefix = f"action-{action_id}-"
    return {prefix + key: value for key, value in values.items()}


def test_update_an_action_with_a_vietnamese_note(app, world, officer):
    action = first_action(app, submit_directly(app, world.a.enterprise, world.a.officer))
    due = (clock.today() + timedelta(days=3)).isoformat()
    response = officer.post(f"/enterprise/actions/{action.id}", data=action_data(
        action.id, owner="Nguyễn Văn Bình", due_on=due, status="done", note=NOTE))
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(RemediationAction, action.id)
        assert (stored.owner, stored.note, stored.status, stored.due_on.isoformat()) == (
            "Nguyễn Văn Bình", NOTE, ActionStatus.DONE, due)
        assert stored.completed_at is not None
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "action_updated"))
    # Done actions leave the default list and show under "done", note intact.
    assert NOTE not in officer.get("/enterprise/actions").get_data(as_text=True)
    assert NOTE in officer.get("/enterprise/actions?show=done").get_data(as_text=True)


def test_invalid_update_keeps_what_was_typed(app, world, officer):
    action = first_action(app, submit_directly(app, world.a.enterprise, world.a.officer))
    response = officer.post(f"/enterprise/actions/{action.id}", data=action_data(
        action.id, owner="Trần Thị Lan", due_on="31/02/2025", status="in_progress", note=NOTE))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Trần Thị Lan"' in html and NOTE in html and 'value="31/02/2025"' in html
    assert 'class="error"' in html
    with app.app_context():
        stored = db.session.get(RemediationAction, action.id)
        assert stored.owner is None and stored.status == ActionStatus.OPEN


def test_the_officer_cannot_verify(app, world, officer):
    action = first_action(app, submit_directly(app, world.a.enterprise, world.a.officer))
    response = officer.post(f"/enterprise/actions/{action.id}", data=action_data(
        action.id, due_on=clock.today().isoformat(), status="verified"))
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(RemediationAction, action.id).status == ActionStatus.OPEN


def test_a_verified_action_is_read_only(app, world, officer):
    action = first_action(app, submit_directly(app, world.a.enterprise, world.a.officer))
    with app.app_context():
        stored = db.session.get(RemediationAction, action.id)
        stored.status = ActionStatus.VERIFIED
        db.session.commit()
    response = officer.post(f"/enterprise/actions/{action.id}", data=action_data(
        action.id, due_on=clock.today().isoformat(), status="open", owner="X"))
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(RemediationAction, action.id)
        assert stored.status == ActionStatus.VERIFIED and stored.owner is None
    page = officer.get("/enterprise/actions?show=verified").get_data(as_text=True)
    assert f'id="action-{action.id}"' in page
    assert f'action="/enterprise/actions/{action.id}' not in page


def test_overdue_actions_stand_out(app, world, officer):
    action = first_action(app, submit_directly(app, world.a.enterprise, world.a.officer))
    with app.app_context():
        stored = db.session.get(RemediationAction, action.id)
        stored.due_on = clock.today() - timedelta(days=2)
        db.session.commit()
    officer.get("/lang/en")
    page = officer.get("/enterprise/actions").get_data(as_text=True)
    card = page[page.index(f'id="action-{action.id}"') - 200:]
    card = card[: card.index("</li>")]
    assert "overdue-card" in card and 'class="overdue">overdue<' in card
    home = officer.get("/enterprise/").get_data(as_text=True)
    assert 'num overdue">1<' in home


def test_actions_page_shows_texts_in_the_current_language(app, world, officer):
    submit_directly(app, world.a.enterprise, world.a.officer)
    officer.get("/lang/vi")
    page = officer.get("/enterprise/actions").get_data(as_text=True)
    assert "Giám sát việc rửa tay" in page
    officer.get("/lang/en")
    page = officer.get("/enterprise/actions").get_data(as_text=True)
    assert "Supervise handwashing at entry and around meals" in page


def test_overdue_actions_come_first_then_by_due_date(app, world, officer):
    assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
    today = clock.today()
    with app.app_context():
        actions = list(db.session.scalars(
            select(RemediationAction).where(RemediationAction.assessment_id == assessment_id)
            .order_by(RemediationAction.position)))
        assert len(actions) >= 4
        # Remediation order puts the first action first; the due dates say otherwise.
        dues = [today + timedelta(days=20), today - timedelta(days=1),
                today + timedelta(days=5), today - timedelta(days=9)]
        for action, due in zip(actions, dues, strict=False):
            action.due_on = due
        for action in actions[4:]:
            action.due_on = today + timedelta(days=30)
        actions[2].status = ActionStatus.DONE  # closed: never overdue
        actions[2].due_on = today - timedelta(days=30)
        db.session.commit()
        ids = [action.id for action in actions]
    page = officer.get("/enterprise/actions?show=all").get_data(as_text=True)
    shown = [int(found) for found in re.findall(r'<li class="card action[^"]*" id="action-(\d+)"',
                                                 page)]
    # Overdue (9 days, then 1 day late), then the rest by due date (the done one's date counts).
    assert shown[:4] == [ids[3], ids[1], ids[2], ids[0]]
