"""Province admin's checklist page: readable at 360 px and 1366 px, and a stored version (here
the shipped one, in every province's reach) is activated through its own address."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE

WIDE = {**DESKTOP, "width": 1366}


def test_checklist_page_fits_and_activates_a_version_in_reach(pages):
    for name, viewport in (("phone", PHONE), ("desktop", WIDE)):
        page = pages.new_page(viewport=viewport)
        pages.login(page, "province_admin")
        page.goto("/province/checklists")
        pages.shot(page, f"checklists-{name}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        forms = page.locator("form[action*='/province/checklists/'][action$='/activate']")
        assert forms.count() >= 1
        forms.first.get_by_role("button", name="Activate").click()
        page.wait_for_load_state()
        expect(page.locator(".flash-success")).to_contain_text("is active from")
        pages.shot(page, f"checklists-{name}-activated")
        assert page.js_errors == []
