"""Each channel against a real local receiver: SMTP (aiosmtpd), eSMS.vn and Zalo ZNS over HTTP."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from riskapp.db import db
from riskapp.jobs import outbox
from riskapp.models import Notification, NotificationDelivery, User, WorkItem
from riskapp.models.types import utcnow
from riskapp.notifications import services
from riskapp.notifications.kinds import EMAIL, INAPP, SMS, ZNS

SUBJECT_VI = "Nhắc việc: Công ty Đồng Hưng"
BODY_VI = "Bản tự đánh giá rủi ro đến hạn ngày 10/12/2026."


def _render(lang: str) -> tuple[str, str]:
    if lang == "en":
        return "Reminder: Dong Hung Company", "The risk self-assessment is due on 10 Dec 2026."
    return SUBJECT_VI, BODY_VI


def _user(world, locale="vi", phone="84912345678", channels=(INAPP, EMAIL)) -> User:
    user = db.session.get(User, world.a.officer.id)
    user.locale, user.phone = locale, phone
    services.save_settings(user, {"reminder": list(channels)}, phone, None, None)
    db.session.commit()
    return user


def _delivery(channel: str) -> NotificationDelivery:
    return db.session.scalar(select(NotificationDelivery).where(
        NotificationDelivery.channel == channel).order_by(NotificationDelivery.id.desc()))


def _notify(user, key="k1", **options):
    notification = services.notify(user, "reminder", _render, dedup_key=key,
                                   context={"enterprise": "Công ty Đồng Hưng"}, **options)
    db.session.commit()
    return notification


def test_email_reaches_a_real_smtp_server_in_the_users_language(app, world, smtp):
    with app.app_context():
        _notify(_user(world, "vi"), key="vi")
        english = db.session.get(User, world.b.officer.id)
        english.locale = "en"
        _notify(english, key="en")
        assert _delivery(EMAIL).status == "delivered"
    by_to = {m["To"]: m for m in smtp.messages}
    vi, en = by_to[world.a.officer.email], by_to[world.b.officer.email]
    assert vi["Subject"] == SUBJECT_VI
    assert BODY_VI in vi.get_content()
    assert en["Subject"] == "Reminder: Dong Hung Company"
    assert "10 Dec 2026" in en.get_content()
    assert vi["Message-ID"].startswith("<notification-")
    assert len(smtp.messages) == 2


def test_an_unknown_mailbox_is_dead_at_once_with_the_servers_reason(app, world, smtp):
    async def refuse(_server, _session, _envelope, address, _options):
        return "550 5.1.1 mailbox unavailable"

    smtp.handle_RCPT = refuse
    with app.app_context():
        _notify(_user(world))
        row = _delivery(EMAIL)
        assert (row.status, row.attempts, row.last_status_code) == ("dead", 1, 550)
        assert "mailbox unavailable" in row.last_error
    assert smtp.messages == []


def test_sms_in_the_esms_format_keeps_diacritics(app, world, esms):
    with app.app_context():
        _notify(_user(world, channels=(SMS,)))
        row = _delivery(SMS)
        assert (row.status, row.provider_message_id) == ("delivered", "sms-1")
        row_id = row.id
    (body, _headers), = esms.requests
    assert body["Phone"] == "84912345678"
    assert body["Content"] == f"{SUBJECT_VI}\n{BODY_VI}"
    assert (body["SmsType"], body["IsUnicode"], body["Brandname"]) == ("2", "1", "RISKAPP")
    assert body["RequestId"] == f"riskapp-{row_id}"


def test_an_invalid_number_goes_straight_to_the_dead_letters(app, world, esms):
    with app.app_context():
        user = _user(world, channels=(SMS,))
        user.phone = "84123"  # stored before validation existed: the gateway refuses it
        db.session.commit()
        _notify(user)
        row = _delivery(SMS)
        assert (row.status, row.attempts) == ("dead", 1)
        assert row.last_error == "eSMS 789: Phone invalid"


def test_wrong_keys_are_permanent_and_say_so(app, world, esms, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_SECRET_KEY", "wrong")
    with app.app_context():
        _notify(_user(world, channels=(SMS,)))
        row = _delivery(SMS)
        assert (row.status, row.last_error) == ("dead", "eSMS 101: Authorize Failed")


def test_a_rate_limit_waits_as_long_as_the_gateway_asks(app, world, esms, held_work):
    from riskapp.jobs.runner import execute

    esms.scripted = [(429, {"Retry-After": "600"}, {"message": "Too many requests"})]
    with app.app_context():
        _notify(_user(world, channels=(SMS,)))
        item_id = held_work[-1]
        assert execute(item_id) == "failed"
        row = _delivery(SMS)
        assert (row.status, row.last_status_code) == ("failed", 429)
        item = db.session.get(WorkItem, item_id, populate_existing=True)
        wait = (outbox._aware(item.available_at) - utcnow()).total_seconds()
        assert 590 < wait <= 600  # the gateway's 600 s, not the 30 s backoff
        assert execute(item_id) == "skipped"  # not before it is due
        with time_machine.travel(utcnow() + timedelta(seconds=601), tick=False):
            assert execute(item_id) == "delivered"
        db.session.refresh(row)
        assert (row.status, row.attempts) == ("delivered", 2)
    assert len(esms.requests) == 2


def test_a_server_error_is_retried_with_exponential_backoff(app, world, esms, held_work):
    from riskapp.jobs.runner import execute

    esms.scripted = [(500, {}, {}), (503, {}, {})]
    with app.app_context():
        _notify(_user(world, channels=(SMS,)))
        item_id = held_work[-1]
        start = utcnow()
        waits = []
        for _attempt in range(2):
            moment = utcnow() if not waits else start + timedelta(seconds=sum(waits) + 1)
            with time_machine.travel(moment, tick=False):
                assert execute(item_id) == "failed"
                item = db.session.get(WorkItem, item_id, populate_existing=True)
                waits.append(round((outbox._aware(item.available_at) - utcnow())
                                   .total_seconds()))
        assert waits == [30, 120]
        with time_machine.travel(start + timedelta(seconds=sum(waits) + 2), tick=False):
            assert execute(item_id) == "delivered"
        row = _delivery(SMS)
        assert (row.status, row.attempts, row.provider_message_id) == ("delivered", 3, "sms-1")


def test_zns_sends_the_approved_template_with_its_data(app, world, zns):
    with app.app_context():
        _notify(_user(world, channels=(ZNS,)))
        row = _delivery(ZNS)
        assert (row.status, row.provider_message_id) == ("delivered", "zns-1")
        row_id = row.id
    (body, headers), = zns.requests
    assert {k.lower(): v for k, v in headers.items()}["access_token"] == "zns-token"
    assert body == {"phone": "84912345678", "template_id": "200001",
                    "template_data": {"enterprise": "Công ty Đồng Hưng"},
                    "tracking_id": f"riskapp-{row_id}"}


def test_an_expired_zns_token_is_retried_and_named(app, world, zns, held_work, monkeypatch):
    from riskapp.jobs.runner import execute

    monkeypatch.setitem(app.config, "ZNS_ACCESS_TOKEN", "expired")
    with app.app_context():
        _notify(_user(world, channels=(ZNS,)))
        execute(held_work[-1])
        row = _delivery(ZNS)
        assert row.status == "failed"
        assert "access token invalid or expired" in row.last_error
        monkeypatch.setitem(app.config, "ZNS_ACCESS_TOKEN", "zns-token")  # renewed
        with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
            assert execute(held_work[-1]) == "delivered"


def test_a_template_zalo_refuses_is_dead_with_its_reason(app, world, zns, monkeypatch):
    monkeypatch.setitem(app.config, "ZNS_TEMPLATES", {"reminder": "999"})
    with app.app_context():
        _notify(_user(world, channels=(ZNS,)))
        row = _delivery(ZNS)
        assert row.status == "dead"
        assert row.last_error.startswith("ZNS -109: Template ID is invalid")


def test_a_channel_without_settings_is_off(app, world):
    with app.app_context():
        user = _user(world, channels=(INAPP, EMAIL, SMS, ZNS))
        assert services.enabled_channels(user, "reminder") == [INAPP, EMAIL]
        _notify(user)
        assert {row.channel for row in db.session.scalars(select(NotificationDelivery))} == {
            EMAIL}


def test_the_same_key_twice_records_one_message(app, world, smtp):
    with app.app_context():
        user = _user(world)
        assert _notify(user, key="once") is not None
        assert _notify(user, key="once") is None
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    assert len(smtp.messages) == 1


def test_only_http_provider_urls_are_opened(app, world, esms, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", "file:///etc/passwd")
    with app.app_context():
        _notify(_user(world, channels=(SMS,)))
        row = _delivery(SMS)
        assert row.status == "dead" and "must be http(s)" in row.last_error
    assert esms.requests == []
