"""Impact preview in a real browser: asked from the areas page's level form, watched until the
figures show (the page polls), then applied; at 360 px in Vietnamese and 1366 px in English.

The level takes effect in 2099, so applying it re-grades nothing the other browser tests read."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE

RUNS = (("phone-vi", PHONE, "vi", "4", "2099-01-01", "Xem trước tác động", "Áp dụng thay đổi này"),
        ("desktop-en", DESKTOP, "en", "3", "2099-02-01", "Preview the impact",
         "Apply this change"))


def test_preview_from_the_area_page_then_apply(pages):
    for name, viewport, lang, level, day, preview_label, apply_label in RUNS:
        page = pages.new_page(viewport=viewport)
        pages.login(page, "province_admin")
        page.goto(f"/lang/{lang}")
        page.goto("/province/areas")
        form = page.locator("form:has(#preview-level)")
        options = form.locator("select#area_id option")
        form.locator("select#area_id").select_option(options.nth(1).get_attribute("value"))
        form.locator("select#level").select_option(level)
        form.locator("input#effective_from").fill(day)
        pages.shot(page, f"{name}-form")
        form.get_by_role("button", name=preview_label).click()
        page.wait_for_load_state()
        assert "/province/impact/" in page.url
        expect(page.locator("#impact-summary")).to_be_visible(timeout=30_000)
        expect(page.locator("#impact-matrix table")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        pages.shot(page, f"{name}-preview")
        page.get_by_role("button", name=apply_label).click()
        page.wait_for_load_state()
        expect(page.locator("#impact-applied")).to_be_visible()
        expect(page.locator(".flash-success").first).to_be_visible()
        pages.shot(page, f"{name}-applied")
        page.goto("/province/areas")
        expect(page.locator("a[href*='/province/impact/']").first).to_be_visible()
        assert page.js_errors == []
