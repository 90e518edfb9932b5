"""Round reminders: officers of targets not reported, N days before the due date, once a day;
after it, the area admins bound above the late enterprise's area."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from riskapp import territory
from riskapp.db import db
from riskapp.models import AuditLog, ReminderLog
from riskapp.rounds.reminders import KIND_DUE, KIND_ESCALATION, send_round_reminders
from tests import factories
from tests.notifications.support import notified
from tests.rounds.support import open_round


def _setup(app, world, due_in: int):
    with app.test_request_context():
        today = territory.province_today(world.a.province.id)
        round_ = open_round(world.a, today - timedelta(days=10), today + timedelta(days=due_in))
        return round_.id, today


def _to(outbox, email):
    return [m for m in outbox if m["To"] == email]


def test_officers_are_reminded_three_days_before_once_a_day(app, world, outbox):
    _round_id, today = _setup(app, world, due_in=3)
    with app.test_request_context():
        first = send_round_reminders(today, [world.a.province.id])
        again = send_round_reminders(today, [world.a.province.id])
    assert first.sent == 1 and again.sent == 0 and again.already_sent == 1
    mails = _to(outbox, world.a.officer.email)
    assert len(mails) == 1 and "Đợt tự đánh giá" in mails[0]["Subject"]
    assert notified(app, "round_reminder") == [
        (world.a.officer.email, "inapp", "shown"), (world.a.officer.email, "email", "delivered")]
    with app.app_context():
        kinds = db.session.scalars(select(ReminderLog.kind)).all()
        assert kinds == [KIND_DUE]
        logged = db.session.scalars(select(AuditLog.details)
                                    .where(AuditLog.action == "round_reminders_sent")).all()
        assert [entry["sent"] for entry in logged] == [1]


def test_no_reminder_on_other_days_nor_after_reporting(app, world, outbox):
    _round_id, today = _setup(app, world, due_in=2)
    with app.test_request_context():
        assert send_round_reminders(today, [world.a.province.id]).sent == 0
        assert send_round_reminders(today + timedelta(days=1),
                                    [world.a.province.id]).sent == 1  # one day left
        factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
        assert send_round_reminders(today + timedelta(days=1), [world.a.province.id]).sent == 0


def test_after_the_due_date_area_admins_are_told(app, world, outbox):
    _round_id, today = _setup(app, world, due_in=-1)
    with app.test_request_context():
        summary = send_round_reminders(today, [world.a.province.id])
        assert summary.sent == 1
        assert send_round_reminders(today + timedelta(days=1), [world.a.province.id]).sent == 0
        assert send_round_reminders(today + timedelta(days=7), [world.a.province.id]).sent == 1
    mails = _to(outbox, world.a.area_admin.email)
    assert len(mails) == 2
    body = mails[0].get_content()
    assert world.a.enterprise.name in body
    assert world.a.enterprise_elsewhere.name not in body  # outside the admin's areas
    assert not _to(outbox, world.a.officer.email)
    assert [row[1:] for row in notified(app, "round_escalation")
            if row[0] == world.a.area_admin.email] == [("inapp", "shown")] * 2 + [
        ("email", "delivered")] * 2
    with app.app_context():
        assert set(db.session.scalars(select(ReminderLog.kind))) == {KIND_ESCALATION}


def test_the_daily_command_sends_round_reminders(app, world, outbox):
    _setup(app, world, due_in=1)
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert any("Đợt tự đánh giá" in m["Subject"] for m in _to(outbox, world.a.officer.email))
