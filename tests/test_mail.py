"""Outgoing mail: tests read the outbox; production keeps no copy of what it sent."""

from __future__ import annotations

import logging

from riskapp.mail import OUTBOX, send_mail


def _send(app, to: str = "huong@example.vn") -> None:
    with app.app_context():
        send_mail(to, "Nhắc lịch tự đánh giá", "Xin chào")


def test_tests_read_what_was_sent(app, outbox):
    _send(app, "a@example.vn")
    _send(app, "b@example.vn")
    assert [message["To"] for message in outbox] == ["a@example.vn", "b@example.vn"]
    assert outbox[0]["Subject"] == "Nhắc lịch tự đánh giá"


def test_production_keeps_no_outbox(dedicated_app, caplog):
    production = dedicated_app(TESTING=False, MAIL_SERVER=None)
    caplog.set_level(logging.INFO, logger=production.logger.name)
    for _ in range(3):
        _send(production)
    assert OUTBOX not in production.extensions
    # Without MAIL_SERVER the message still goes to the log.
    assert caplog.text.count("mail to huong@example.vn") == 3


def test_the_outbox_can_be_switched_on_or_off_by_setting(dedicated_app):
    kept = dedicated_app(TESTING=False, MAIL_SERVER=None, MAIL_OUTBOX=True)
    _send(kept)
    assert [message["To"] for message in kept.extensions[OUTBOX]] == ["huong@example.vn"]
    dropped = dedicated_app(MAIL_SERVER=None, MAIL_OUTBOX=False)
    assert dropped.testing
    _send(dropped)
    assert OUTBOX not in dropped.extensions
