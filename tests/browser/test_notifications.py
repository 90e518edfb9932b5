"""The notification pages at 1366 px and 360 px: an officer's preferences (channels, phone,
quiet hours) and inbox with the bell, and a province admin's delivery log."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_new_province_journey import _shots


def _shot(pages, page, step: str) -> None:
    _shots(pages, page, step)
    assert not page.js_errors, page.js_errors


def test_notification_preferences_inbox_and_log(pages):
    page = pages.new_page()
    pages.login(page, "officer")
    page.goto("/account/notifications/preferences")
    expect(page.get_by_role("heading", name="Notification preferences")).to_be_visible()
    page.get_by_label("Mobile phone (for SMS and Zalo)").fill("12345")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error")).to_contain_text("0912 345 678")
    _shot(pages, page, "notification-preferences-error")
    page.get_by_label("Mobile phone (for SMS and Zalo)").fill("0912 345 678")
    page.get_by_label("Quiet hours from").fill("22:00")
    page.get_by_label("until").fill("06:00")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("Notification preferences saved")
    expect(page.get_by_label("Mobile phone (for SMS and Zalo)")).to_have_value("84912345678")
    _shot(pages, page, "notification-preferences")
    page.goto("/account/notifications")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    _shot(pages, page, "notification-inbox")

    admin = pages.new_page()
    pages.login(admin, "province_admin")
    admin.goto("/province/notifications/deliveries")
    expect(admin.get_by_role("heading", name="Notification deliveries")).to_be_visible()
    _shot(pages, admin, "notification-deliveries")
