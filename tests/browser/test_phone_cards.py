"""Phone layouts of wide tables: the auditor's finding form and the result's remediation table
turn into cards below 640 px, with full-width controls big enough to touch; a flash after a save
is in view."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, open_draft

IN_VIEW = """el => { const box = el.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0; }"""


def _viewport_shot(page, name: str) -> None:
    """What the person sees without scrolling (pages.shot takes the full page)."""
    page.screenshot(path=str(SCREENSHOTS / f"the_flash_after_a_save-{name}-viewport.png"))


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def _box(locator) -> dict:
    return locator.evaluate("el => { const b = el.getBoundingClientRect();"
                            " return {width: b.width, height: b.height}; }")


def _open_finding_form(pages, viewport):
    page = pages.new_page(viewport=viewport)
    pages.login(page, "auditor")
    page.goto("/audit/")
    page.get_by_role("link", name="Open").first.click()
    # The answer table on the way is cards on a phone too.
    pages.shot(page, f"answers-{viewport['width']}")
    _no_sideways_scroll(page)
    page.get_by_role("link", name="Record a finding").click()
    expect(page.locator("h1")).to_have_text("On-site finding")
    return page


def test_finding_form_is_cards_on_a_phone(pages):
    """One question per card on a phone (previous / next), the declared answer beside the
    observed one, controls big enough to touch; every card at once on a laptop."""
    page = _open_finding_form(pages, PHONE)
    pages.shot(page, "phone")
    _no_sideways_scroll(page)
    for control in (page.get_by_label("Date of the visit"),):
        assert _box(control)["height"] >= 44
    # The outcome's choices are touch targets as a whole (label and radio).
    assert _box(page.locator("label.check", has_text="Everything as declared"))["height"] >= 44
    page.get_by_label("Some items differ").check()
    expect(page.locator("[data-card].is-current")).to_have_count(1)
    page.get_by_role("button", name="Next ›").click()
    card = page.locator("[data-card='item'].is-current")
    expect(card.locator(".declared")).to_be_visible()
    control = card.locator("select, input").first
    box = _box(control)
    assert box["height"] >= 44 and box["width"] > 120, box
    # The question reads as a sentence, not a word per line.
    assert _box(card.locator("label.finding-question"))["width"] > 250
    for button in ("‹ Previous", "Next ›"):
        assert _box(page.get_by_role("button", name=button))["height"] >= 44
    pages.shot(page, "phone-card")

    desktop = _open_finding_form(pages, DESKTOP)
    pages.shot(desktop, "desktop")
    _no_sideways_scroll(desktop)
    expect(desktop.locator("#finding-nav")).to_be_hidden()
    assert desktop.locator("[data-card='item']:visible").count() > 5
    assert not page.js_errors and not desktop.js_errors


def _open_result(pages, viewport):
    page = pages.new_page(viewport=viewport)
    pages.login(page, "officer")
    page.get_by_role("link", name="Open the result").click()
    expect(page.locator("#rem-title")).to_be_visible()
    return page


def test_remediation_table_is_cards_on_a_phone(pages):
    page = _open_result(pages, PHONE)
    pages.shot(page, "phone")
    _no_sideways_scroll(page)
    table = page.locator("section[aria-labelledby='rem-title'] table.stack-table")
    expect(table).to_have_count(1)
    assert not table.locator("thead").is_visible()
    action = table.locator("tbody tr").first.locator("td[data-label='Action']")
    assert _box(action)["width"] > 250
    # The section table fits the phone too: no table box of the result page scrolls sideways.
    wide = page.evaluate("[...document.querySelectorAll('.table-wrap')]"
                         ".filter(w => w.scrollWidth > w.clientWidth)"
                         ".map(w => [w.closest('section')?.getAttribute('aria-labelledby'),"
                         " w.scrollWidth, w.clientWidth])")
    assert wide == []
    desktop = _open_result(pages, DESKTOP)
    pages.shot(desktop, "desktop")
    _no_sideways_scroll(desktop)
    expect(desktop.locator("section[aria-labelledby='rem-title'] thead")).to_be_visible()
    assert not page.js_errors and not desktop.js_errors


def test_the_flash_after_a_save_is_in_view_on_a_phone(pages):
    page = pages.new_page(viewport=PHONE)
    pages.login(page, "officer")
    page.goto("/enterprise/actions?show=all")
    card = page.locator("li.action:has(details)").last
    card.locator("summary").click()
    card.get_by_label("Owner (someone else, typed)").fill("Phạm Văn Đức")
    card.get_by_role("button", name="Save").click()
    flash = page.get_by_text("Action saved.")
    expect(flash).to_be_visible()
    _viewport_shot(page, "action-saved")
    assert flash.evaluate(IN_VIEW)

    page.goto("/")
    open_draft(page)
    page.locator("[data-item='ORG-1'] input[type=radio]").first.check()
    page.locator(".form-bar").get_by_role("button", name="Save draft").click()
    flash = page.locator(".flashes .flash").first
    expect(flash).to_be_visible()
    _viewport_shot(page, "draft-saved")
    assert flash.evaluate(IN_VIEW)
    assert not page.js_errors
