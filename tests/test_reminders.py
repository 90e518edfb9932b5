"""Reminders: who is reminded of what, once a day, in their language, and the same in the app."""

from __future__ import annotations

import socket
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from riskapp import clock
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import (
    ActionStatus,
    Assessment,
    EnterpriseStatus,
    Notification,
    NotificationDelivery,
    Priority,
    RemediationAction,
    User,
)
from riskapp.models.access import ReminderLog
from riskapp.reminders import ReminderKind, due_reminders, send_reminders
from tests import factories
from tests.notifications.support import notified

TODAY = date(2026, 3, 10)
# ORG-1 "no" fails a critical item: a P1 action; the usual answers leave P2 actions.
WITH_P1 = {**factories.ANSWERS, "ORG-1": "no"}


def _set_due(enterprise_id: int, due: date) -> None:
    db.session.get(EnterpriseStatus, enterprise_id).next_due_on = due


def _overdue(enterprise_id: int, priority: Priority) -> RemediationAction:
    action = db.session.scalar(
        select(RemediationAction).where(RemediationAction.enterprise_id == enterprise_id,
                                        RemediationAction.priority == priority).limit(1))
    action.due_on = TODAY - timedelta(days=2)
    return action


@pytest.fixture
def reminded(app, world):
    """Province a's officer: due in 3 days and a P1 action overdue. Province b's: due in 10 days,
    only a P2 action overdue (nothing to remind)."""
    with app.test_request_context():
        factories.submit_assessment(world.a.enterprise, world.a.officer, answers=WITH_P1)
        factories.submit_assessment(world.b.enterprise, world.b.officer)
        _set_due(world.a.enterprise.id, TODAY + timedelta(days=3))
        _set_due(world.b.enterprise.id, TODAY + timedelta(days=10))
        p1 = _overdue(world.a.enterprise.id, Priority.P1)
        _overdue(world.b.enterprise.id, Priority.P2)
        db.session.commit()
        return {"p1_action": p1.id, "p1_text_vi": p1.action_vi, "p1_text_en": p1.action_en}


def _kinds(reminders, user) -> list[tuple[ReminderKind, str]]:
    return sorted((r.kind, r.subject_key) for r in reminders if r.user_id == user.id)


def test_who_is_reminded_of_what(app, world, reminded):
    with app.app_context():
        reminders = due_reminders(TODAY)
        assert _kinds(reminders, world.a.officer) == sorted([
            (ReminderKind.ASSESSMENT_DUE, f"assessment:{_current(world.a)}:{TODAY + timedelta(3)}"),
            (ReminderKind.ACTION_OVERDUE, f"action:{reminded['p1_action']}"),
        ])
        assert _kinds(reminders, world.b.officer) == []
        # Four days ahead is not yet "within 3 days".
        _set_due(world.a.enterprise.id, TODAY + timedelta(days=4))
        assert ReminderKind.ASSESSMENT_DUE not in {r.kind for r in due_reminders(TODAY)}
        _set_due(world.b.enterprise.id, TODAY - timedelta(days=1))
        overdue = [r for r in due_reminders(TODAY) if r.user_id == world.b.officer.id]
        assert [(r.kind, r.due_on) for r in overdue] == [
            (ReminderKind.ASSESSMENT_OVERDUE, TODAY - timedelta(days=1))]


def _current(tenant) -> int:
    return db.session.get(EnterpriseStatus, tenant.enterprise.id).current_assessment_id


def test_done_actions_and_inactive_officers_are_not_reminded(app, world, reminded):
    with app.app_context():
        db.session.get(RemediationAction, reminded["p1_action"]).status = ActionStatus.DONE
        db.session.flush()
        assert ReminderKind.ACTION_OVERDUE not in {r.kind for r in due_reminders(TODAY)}
        db.session.get(User, world.a.officer.id).is_active_account = False
        db.session.flush()
        assert _kinds(due_reminders(TODAY), world.a.officer) == []
        db.session.rollback()


def test_an_enterprise_that_never_assessed_is_reminded(app, world):
    with app.app_context():
        reminders = due_reminders(TODAY)
        assert {(r.user_id, r.kind) for r in reminders} == {
            (world.a.officer.id, ReminderKind.NOT_ASSESSED),
            (world.b.officer.id, ReminderKind.NOT_ASSESSED)}


def test_sending_is_idempotent_within_a_day_and_repeats_the_next(app, world, reminded, outbox):
    with app.app_context():
        first = send_reminders(TODAY)
        assert (first.officers_mailed, first.reminders_sent, first.already_sent) == (1, 2, 0)
        assert [message["To"] for message in outbox] == [world.a.officer.email]
        again = send_reminders(TODAY)
        assert (again.officers_mailed, again.reminders_sent, again.already_sent) == (0, 0, 2)
        assert len(outbox) == 1
        assert db.session.scalar(select(ReminderLog.sent_on).limit(1)) == TODAY
        tomorrow = send_reminders(TODAY + timedelta(days=1))
        assert (tomorrow.officers_mailed, tomorrow.reminders_sent) == (1, 2)
        assert len(outbox) == 2


def test_a_failed_mail_is_retried_by_its_delivery_not_sent_twice(app, world, reminded, outbox,
                                                                  monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on: the SMTP connection is refused
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    for name, value in (("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", closed_port),
                        ("MAIL_USE_TLS", False)):
        monkeypatch.setitem(app.config, name, value)
    with app.app_context():
        assert send_reminders(TODAY).officers_mailed == 1
        delivery = db.session.scalar(select(NotificationDelivery))
        # Inline (tests) the outbox runs every attempt at once; a worker waits by the backoff.
        assert (delivery.channel, delivery.status, delivery.attempts) == ("email", "dead", 6)
        assert "ConnectionRefusedError" in delivery.last_error
        again = send_reminders(TODAY)
        assert (again.reminders_sent, again.already_sent) == (0, 2)
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_the_mail_speaks_the_officers_language_with_diacritics(app, world, reminded, outbox):
    with app.app_context():
        db.session.get(User, world.b.officer.id).locale = "en"
        _set_due(world.b.enterprise.id, TODAY - timedelta(days=1))
        _overdue(world.b.enterprise.id, Priority.P2)
        db.session.commit()
        send_reminders(TODAY)
    by_recipient = {message["To"]: message for message in outbox}
    vietnamese = by_recipient[world.a.officer.email]
    body = vietnamese.get_content()
    assert reminded["p1_text_vi"] in body and "Công ty May Đông Hòa TH" in body
    assert "Công ty May Đông Hòa TH" in vietnamese["Subject"]
    assert "13/03/2026" in body  # the due date, day first
    assert reminded["p1_text_en"] not in body
    # The digest (the overdue P1 action in it) went through the notification service.
    assert (vietnamese["To"], "email", "delivered") in notified(app, "reminder")
    with app.app_context():
        digests = db.session.scalars(select(Notification.body)).all()
        assert any(reminded["p1_text_vi"] in text for text in digests)
    # The wire format keeps the diacritics (UTF-8), whatever the transfer encoding.
    from email import message_from_bytes, policy

    parsed = message_from_bytes(vietnamese.as_bytes(), policy=policy.default)
    assert reminded["p1_text_vi"] in parsed.get_content()
    english = by_recipient[world.b.officer.email].get_content()
    assert "is overdue: it was due on 9 Mar 2026" in english  # the date in English too


def test_a_due_date_moved_earlier_is_a_notice_not_a_second_mail(app, world, reminded, outbox):
    with app.test_request_context():
        current = _current(world.a)
        record("due_date_moved", db.session.get(Assessment, current),
               details={"before": "2026-04-01", "after": "2026-03-13", "level": 3,
                        "assessment_id": current})
        db.session.commit()
        moved = [r for r in due_reminders(TODAY) if r.kind == ReminderKind.DUE_DATE_MOVED]
        assert [(r.user_id, r.due_on, r.previous_due_on) for r in moved] == [
            (world.a.officer.id, date(2026, 3, 13), date(2026, 4, 1))]
        assert send_reminders(TODAY).reminders_sent == 2
        assert "changed" not in outbox[0].get_content()
        # Once the new date has passed, the overdue reminder says it instead.
        assert not [r for r in due_reminders(date(2026, 3, 14))
                    if r.kind == ReminderKind.DUE_DATE_MOVED]


def test_the_same_items_show_as_notices_in_the_app(app, world, reminded, login_as, monkeypatch):
    # The app's notices are for today: move the scenario's dates to today.
    # The app's today is Vietnam's (riskapp.clock), not the test machine's UTC day.
    with app.test_request_context():
        today = clock.today()
        shift = today - TODAY
        _set_due(world.a.enterprise.id, TODAY + timedelta(days=3) + shift)
        _set_due(world.b.enterprise.id, TODAY + timedelta(days=10) + shift)
        db.session.get(RemediationAction, reminded["p1_action"]).due_on = today - timedelta(days=2)
        db.session.commit()
        reminders = due_reminders(today, world.a.officer.id)
    assert len(reminders) == 2
    due_soon, p1_overdue = (next(r.text("en") for r in reminders if r.kind == kind)
                            for kind in (ReminderKind.ASSESSMENT_DUE, ReminderKind.ACTION_OVERDUE))
    client = login_as(world.a.officer)
    # The overview says the next due date in its "Next step" card, once: not again as a notice.
    home = client.get("/enterprise/").get_data(as_text=True)
    assert _html(p1_overdue) in home and _html(due_soon) not in home
    assert reminded["p1_text_en"] in home
    # Every other page of the officer shows them all in the layout.
    actions_page = client.get("/enterprise/actions").get_data(as_text=True)
    assert "Reminders" in actions_page
    assert _html(due_soon) in actions_page and _html(p1_overdue) in actions_page
    # While the officer fills the assessment in, "it is due" would only distract.
    draft = client.post("/enterprise/assessments/new").headers["Location"]
    form = client.get(draft).get_data(as_text=True)
    assert _html(due_soon) not in form and _html(p1_overdue) in form
    # Nobody else has any.
    viewer_page = login_as(world.a.viewer).get("/province/").get_data(as_text=True)
    assert "Reminders" not in viewer_page
    other = login_as(world.b.officer).get("/enterprise/").get_data(as_text=True)
    assert "Reminders" not in other


def _html(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_the_cli_prints_the_counts(app, world, reminded, outbox):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders", "--date", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "officers mailed: 1" in result.output and "reminders sent: 2" in result.output
    result = runner.invoke(args=["send-reminders", "--date", TODAY.isoformat()])
    assert "reminders sent: 0" in result.output and "already sent today: 2" in result.output
    assert len(outbox) == 1
