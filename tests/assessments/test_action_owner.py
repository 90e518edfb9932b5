"""An action's owner can be a user of the enterprise: chosen on the edit form, mailed in their
language, shown "assigned to you" on their overview; or stay typed free text."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import RemediationAction, Role
from tests import factories
from tests.assessments.conftest import submit_directly
from tests.notifications.support import notified


def _action(app, world) -> RemediationAction:
    assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
    with app.app_context():
        action = db.session.scalar(select(RemediationAction).where(
            RemediationAction.assessment_id == assessment_id).order_by(
            RemediationAction.position).limit(1))
        db.session.expunge(action)
        return action


def _colleague(app, world, locale="en"):
    with app.app_context():
        user = factories.make_user("colleague@example.vn", Role.OFFICER,
                                   enterprise=world.a.enterprise, name="Phạm Thu Trang")
        user.locale = locale
        db.session.commit()
        db.session.expunge(user)
        return user


def _save(client, action, **values):
    prefix = f"action-{action.id}-"
    data = {"due_on": action.due_on.isoformat(), "status": "in_progress", **values}
    return client.post(f"/enterprise/actions/{action.id}",
                       data={prefix + key: str(value) for key, value in data.items()})


def _stored(app, action_id):
    with app.app_context():
        row = db.session.get(RemediationAction, action_id)
        return row.owner, row.owner_user_id


def test_a_chosen_colleague_is_mailed_in_their_language_and_sees_it(app, world, login_as,
                                                                   outbox):
    action, colleague = _action(app, world), _colleague(app, world)
    client = login_as(world.a.officer)
    form = client.get("/enterprise/actions").get_data(as_text=True)
    assert "Phạm Thu Trang" in form
    assert _save(client, action, owner_user_id=colleague.id).status_code == 302
    assert _stored(app, action.id) == ("Phạm Thu Trang", colleague.id)
    (mail,) = [m for m in outbox if m["To"] == colleague.email]
    assert mail["Subject"] == f"A remediation action was assigned to you: {action.item_id}"
    body = mail.get_content()
    assert action.action_en in body and "Hello Phạm Thu Trang" in body
    assert (colleague.email, "email", "delivered") in notified(app, "action_assigned")
    assert world.a.enterprise.name in body and "/enterprise/actions" in body
    # Saving again (same owner) mails nothing more.
    _save(client, action, owner_user_id=colleague.id, note="Đang làm")
    assert len([m for m in outbox if m["To"] == colleague.email]) == 1
    home = login_as(colleague).get("/enterprise/").get_data(as_text=True)
    assert "Assigned to you" in home or "Giao cho bạn" in home
    assert f"#action-{action.id}" in home


def test_the_mail_is_vietnamese_by_default(app, world, login_as, outbox):
    action, colleague = _action(app, world), _colleague(app, world, locale=None)
    _save(login_as(world.a.officer), action, owner_user_id=colleague.id)
    (mail,) = [m for m in outbox if m["To"] == colleague.email]
    assert action.action_vi in mail.get_content()
    assert mail["Subject"] != f"A remediation action was assigned to you: {action.item_id}"


def test_choosing_oneself_mails_nobody_and_typed_text_ends_the_choice(app, world, login_as,
                                                                       outbox):
    action = _action(app, world)
    client = login_as(world.a.officer)
    _save(client, action, owner_user_id=world.a.officer.id)
    assert _stored(app, action.id)[1] == world.a.officer.id
    assert outbox == [] or all(m["To"] != world.a.officer.email or "assigned" not in
                               m["Subject"] for m in outbox)
    _save(client, action, owner_user_id="", owner="Anh Bảo vệ")
    assert _stored(app, action.id) == ("Anh Bảo vệ", None)


def test_a_user_of_another_enterprise_is_refused(app, world, login_as):
    action = _action(app, world)
    response = _save(login_as(world.a.officer), action, owner_user_id=world.b.officer.id)
    assert response.status_code == 422
    assert _stored(app, action.id) == (None, None)


def test_the_api_keeps_the_account_while_the_name_stays(app, world, login_as):
    from riskapp.assessments import actions as remediation

    action, colleague = _action(app, world), _colleague(app, world)
    _save(login_as(world.a.officer), action, owner_user_id=colleague.id)
    with app.test_request_context():
        row = db.session.get(RemediationAction, action.id)
        remediation.update_action(row, owner=row.owner, due_on=row.due_on, status=row.status,
                                  note="qua API")
        db.session.commit()
    assert _stored(app, action.id) == ("Phạm Thu Trang", colleague.id)
