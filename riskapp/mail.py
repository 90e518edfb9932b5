"""Outgoing mail: SMTP when configured, otherwise written to the log (development)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

OUTBOX = "riskapp.outbox"


def send_mail(to: str, subject: str, body: str, message_id: str | None = None) -> None:
    """Send a plain-text message; without MAIL_SERVER it goes to the application log.
    ``message_id`` (the notification delivery's) lets a receiver recognise a repeat."""
    config = current_app.config
    message = EmailMessage()
    if message_id:
        message["Message-ID"] = message_id
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    # Tests read what was sent; in production a list of every message would grow without end.
    if config.get("MAIL_OUTBOX", current_app.testing):
        current_app.extensions.setdefault(OUTBOX, []).append(message)
    if not config.get("MAIL_SERVER"):
        current_app.logger.info("mail to %s: %s\n%s", to, subject, body)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
