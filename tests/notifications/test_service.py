"""Quiet hours, preferences, the in-app inbox, the delivery log and its dead letters."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from sqlalchemy import select

from riskapp.db import db
from riskapp.jobs import dispatch_once
from riskapp.models import Notification, NotificationDelivery, NotificationSettings, User
from riskapp.notifications import phone, services
from riskapp.notifications.kinds import EMAIL, INAPP


def _render(lang: str) -> tuple[str, str]:
    return ("Hạn nộp đã đến", "Nội dung có dấu") if lang == "vi" else ("Due", "Body")


def _officer(world) -> User:
    return db.session.get(User, world.a.officer.id)


@pytest.mark.parametrize(("raw", "stored"), [
    ("0912 345 678", "84912345678"), ("+84 912-345-678", "84912345678"),
    ("84912345678", "84912345678"), ("", None)])
def test_phone_numbers_are_stored_in_international_form(raw, stored):
    assert phone.normalise(raw) == stored


@pytest.mark.parametrize("raw", ["0212345678", "12345", "84912345", "phone"])
def test_a_wrong_phone_number_is_refused(raw):
    with pytest.raises(phone.InvalidPhone):
        phone.normalise(raw)


def test_quiet_hours_over_midnight_hold_email_until_they_end(app, world, smtp):
    # 23:00 in Hanoi (UTC+7): inside 22:00–06:00, which ends at 06:00 local = 23:00 UTC.
    with app.app_context(), time_machine.travel(datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
                                                tick=False):
        user = _officer(world)
        services.save_settings(user, {"reminder": [EMAIL]}, None, time(22, 0), time(6, 0))
        services.notify(user, "reminder", _render, dedup_key="quiet")
        db.session.commit()
        row = db.session.scalar(select(NotificationDelivery))
        assert row.status == "pending"
        assert row.not_before.replace(tzinfo=UTC) == datetime(2026, 12, 7, 23, 0, tzinfo=UTC)
        # In the app at once.
        assert services.unread_count(user.id) == 1
    assert smtp.messages == []
    with time_machine.travel(datetime(2026, 12, 7, 23, 1, tzinfo=UTC), tick=False):
        dispatch_once(app)
    assert [m["Subject"] for m in smtp.messages] == ["Hạn nộp đã đến"]


def test_an_urgent_message_ignores_quiet_hours(app, world, smtp):
    with app.app_context(), time_machine.travel(datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
                                                tick=False):
        user = _officer(world)
        services.save_settings(user, {"reminder": [EMAIL]}, None, time(22, 0), time(6, 0))
        services.notify(user, "reminder", _render, dedup_key="urgent", urgent=True)
        db.session.commit()
    assert len(smtp.messages) == 1


def test_quiet_hours_by_day_and_outside_them():
    settings = NotificationSettings(quiet_start=time(12, 0), quiet_end=time(13, 30))
    from riskapp import clock

    hanoi = clock.zone("Asia/Ho_Chi_Minh")
    inside = datetime(2026, 12, 7, 5, 15, tzinfo=UTC)  # 12:15 in Hanoi
    assert services.quiet_until(settings, hanoi, inside) == datetime(2026, 12, 7, 6, 30,
                                                                      tzinfo=UTC)
    assert services.quiet_until(settings, hanoi, datetime(2026, 12, 7, 7, 0, tzinfo=UTC)) is None


def test_preferences_page_saves_channels_phone_and_quiet_hours(app, world, login_as):
    client = login_as(world.a.officer)
    client.get("/lang/vi")
    page = client.get("/account/notifications/preferences").get_data(as_text=True)
    assert "Chưa được cấu hình trên trang này: Tin nhắn SMS, Zalo." in page
    client.get("/lang/en")
    page = client.get("/account/notifications/preferences").get_data(as_text=True)
    assert "Not configured on this site: SMS, Zalo." in page
    response = client.post("/account/notifications/preferences", data={
        "phone": "0912 345 678", "quiet_start": "21:30", "quiet_end": "06:00",
        "channels": ["reminder:email", "review_decision:sms"]})
    assert response.status_code == 302
    with app.app_context():
        user = _officer(world)
        assert user.phone == "84912345678"
        assert services.chosen_channels(user, "reminder") == [INAPP, EMAIL]
        assert services.chosen_channels(user, "review_decision") == [INAPP, "sms"]
        assert services.chosen_channels(user, "level_change") == [INAPP]
        settings = db.session.get(NotificationSettings, user.id)
        assert (settings.quiet_start, settings.quiet_end) == (time(21, 30), time(6, 0))


def test_a_bad_phone_number_is_refused_with_a_clear_message(app, world, login_as):
    client = login_as(world.a.officer)
    response = client.post("/account/notifications/preferences", data={"phone": "12345"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "0912 345 678" in text
    with app.app_context():
        assert _officer(world).phone is None


def test_defaults_are_the_app_and_email(app, world):
    with app.app_context():
        assert services.chosen_channels(_officer(world), "reminder") == [INAPP, EMAIL]


def test_the_bell_counts_unread_and_the_inbox_marks_read(app, world, login_as):
    with app.app_context():
        services.notify(_officer(world), "reminder", _render, dedup_key="bell")
        db.session.commit()
        notification_id = db.session.scalar(select(Notification.id))
    client = login_as(world.a.officer)
    home = client.get("/account/notifications").get_data(as_text=True)
    assert 'class="badge">1<' in home and "Hạn nộp đã đến" in home
    assert client.post(f"/account/notifications/{notification_id}/read").status_code == 302
    assert 'class="badge">1<' not in client.get("/account/notifications").get_data(as_text=True)
    # Someone else's notification is not theirs to mark.
    other = login_as(world.b.officer)
    assert other.post(f"/account/notifications/{notification_id}/read").status_code == 404


def _dead_delivery(app, world, tenant="a") -> int:
    with app.app_context():
        user = db.session.get(User, getattr(world, tenant).officer.id)
        services.notify(user, "reminder", _render, dedup_key=f"dead-{tenant}")
        db.session.commit()
        row = db.session.scalar(select(NotificationDelivery).join(Notification).where(
            Notification.user_id == user.id))
        row.status, row.last_error, row.attempts = "dead", "SMTP 550: mailbox unavailable", 1
        db.session.commit()
        return row.id


def test_dead_letters_are_listed_and_retried_by_the_province_admin(app, world, login_as,
                                                                  outbox):
    delivery_id = _dead_delivery(app, world)
    client = login_as(world.a.admin)
    page = client.get("/province/notifications/deliveries?status=dead").get_data(as_text=True)
    assert "SMTP 550: mailbox unavailable" in page and world.a.officer.email in page
    sent_before = len(outbox)
    assert client.post(f"/province/notifications/deliveries/{delivery_id}/retry"
                       ).status_code == 302
    with app.app_context():
        assert db.session.get(NotificationDelivery, delivery_id).status == "delivered"
    assert len(outbox) == sent_before + 1


def test_another_provinces_admin_gets_404_the_platform_admin_sees_all(app, world, login_as):
    delivery_id = _dead_delivery(app, world)
    other = login_as(world.b.admin)
    assert world.a.officer.email not in other.get(
        "/province/notifications/deliveries").get_data(as_text=True)
    assert other.post(f"/province/notifications/deliveries/{delivery_id}/retry"
                      ).status_code == 404
    platform = login_as(world.platform_admin)
    assert world.a.officer.email in platform.get(
        "/province/notifications/deliveries?status=dead").get_data(as_text=True)


def test_the_delivery_log_pages_and_filters_by_channel(app, world, login_as):
    with app.app_context():
        user = _officer(world)
        for number in range(53):  # one e-mail delivery each (the defaults: app and e-mail)
            services.notify(user, "reminder", _render, dedup_key=f"log-{number}")
        db.session.commit()
    client = login_as(world.a.admin)
    client.get("/lang/en")
    first = client.get("/province/notifications/deliveries").get_data(as_text=True)
    assert "53 deliveries" in first and "Page 1 of 2" in first
    assert first.count("<tr><td data-label=") == 50
    second = client.get("/province/notifications/deliveries?page=2").get_data(as_text=True)
    assert second.count("<tr><td data-label=") == 3
    sms = client.get("/province/notifications/deliveries?channel=sms").get_data(as_text=True)
    assert "0 deliveries" in sms and "No deliveries." in sms
