"""The signing keys page and the privacy notice on a 360 px phone and a 1366 px desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from riskapp.db import db
from riskapp.reports import keys
from tests.browser.conftest import PHONE

WIDE = {"width": 1366, "height": 800}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
def test_keys_page_reads_on_a_phone_and_a_desktop(pages, live_app, viewport):
    with live_app.test_request_context():
        old = keys.current_row().key_id
        keys.revoke(old, keys.current_row().valid_from, "thử nghiệm: khoá cũ bị lộ")
        db.session.commit()
    page = pages.new_page(viewport=viewport)
    page.goto("/verify/keys")
    card = page.locator(f"#key-{old}").locator("xpath=..")
    expect(card).to_contain_text("thử nghiệm: khoá cũ bị lộ")
    expect(page.locator(".signing-key-current")).to_have_count(1)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    pages.shot(page, f"keys-{viewport['width']}")
    page.goto("/privacy")
    expect(page.locator("h1")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    pages.shot(page, f"privacy-{viewport['width']}")
