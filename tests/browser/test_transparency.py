"""A report's entry in the public log, checked by the browser itself (WebCrypto), on a 360 px
phone and a 1366 px desktop, in Vietnamese and English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from riskapp.db import db
from riskapp.transparency import services as transparency
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_report_pages import NO_SIDEWAYS_SCROLL, _signed_report

WORDS = {
    "en": ("Recorded in the public log", "Verified in your browser"),
    "vi": ("Đã ghi vào nhật ký công khai", "Đã kiểm tra trong trình duyệt của bạn"),
}


def _published(live_app, live_server) -> str:
    code, _pdf, _enterprise = _signed_report(live_app, live_server)
    with live_app.app_context():
        transparency.publish()
        db.session.commit()
    return code


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_inclusion_proof_verifies_in_the_browser(pages, live_app, live_server, viewport,
                                                     lang):
    code = _published(live_app, live_server)
    page = pages.new_page(viewport=viewport)
    page.goto(f"/lang/{lang}")
    page.goto(f"/verify/{code}")
    heading, verified = WORDS[lang]
    entry = page.locator("#log-entry")
    expect(entry.get_by_role("heading")).to_have_text(heading)
    check = page.locator("#log-browser-check")
    expect(check).to_have_attribute("data-verified", "yes")
    expect(check).to_contain_text(verified)
    path = page.locator("details.log-path")
    # Collapsed on a phone (the hashes are long), open on a desktop.
    assert path.evaluate("d => d.open") == (viewport is DESKTOP)
    if viewport is PHONE:
        path.locator("summary").click()  # a tap opens it
    expect(path.locator("li").first).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.js_errors == []
    entry.scroll_into_view_if_needed()
    pages.shot(page, f"{lang}-{viewport['width']}")


def test_a_changed_root_fails_in_the_browser(pages, live_app, live_server):
    code = _published(live_app, live_server)
    page = pages.new_page(viewport=PHONE)
    page.route(f"**/verify/{code}", lambda route: route.fulfill(
        response=route.fetch(),
        body=route.fetch().text().replace('data-root="', 'data-root="00', 1)))
    page.goto("/lang/en")
    page.goto(f"/verify/{code}")
    check = page.locator("#log-browser-check")
    expect(check).to_have_attribute("data-verified", "no")
    expect(check).to_contain_text("do not trust this entry")
