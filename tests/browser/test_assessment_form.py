"""The assessment form on a 360 px phone: autosave survives reloads, navigation and a dropped
connection; progress per section; keyboard reach; labelled inputs; no sideways scrolling."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, open_draft

SAVED = re.compile(r"Sent to the server at \d\d:\d\d")
OFFLINE = re.compile(r"no connection")


def _open_draft(pages, page) -> None:
    pages.login(page, "form_officer")
    open_draft(page)


def _radio(page, item_id: str, value: str):
    return page.locator(f"[data-item='{item_id}'] input[type=radio][value='{value}']")


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def test_autosave_survives_reload_navigation_and_offline(pages):
    page = pages.new_page(viewport=PHONE)
    _open_draft(pages, page)
    status = page.locator("#autosave-status")

    # Typed, saved by itself, still there after a reload.
    _radio(page, "ORG-1", "no").check()
    expect(status).to_have_text(SAVED)
    page.reload()
    expect(_radio(page, "ORG-1", "no")).to_be_checked()
    pages.shot(page, "after-reload")

    # The connection drops while answering: the page says so, and saves when it returns.
    page.context.set_offline(True)
    _radio(page, "ORG-2", "yes").check()
    expect(status).to_have_text(OFFLINE)
    pages.shot(page, "offline")
    page.context.set_offline(False)
    expect(status).to_have_text(SAVED)
    page.reload()
    expect(_radio(page, "ORG-2", "yes")).to_be_checked()

    # Leaving before the autosave fires: the answer waits on the device and is saved on return.
    _radio(page, "ORG-3", "yes").check()
    page.goto("/")
    page.get_by_role("link", name="Continue the draft").click()
    expect(_radio(page, "ORG-3", "yes")).to_be_checked()
    expect(status).to_have_text(SAVED)
    page.evaluate("indexedDB.deleteDatabase('riskapp-offline')")
    page.reload()
    expect(_radio(page, "ORG-3", "yes")).to_be_checked()
    pages.shot(page, "restored")
    assert not page.js_errors


def test_form_progress_labels_keyboard_and_width(pages):
    page = pages.new_page(viewport=PHONE)
    _open_draft(pages, page)
    pages.shot(page, "form")
    _no_sideways_scroll(page)

    # Every visible input has a label tied to it.
    unlabelled = page.eval_on_selector_all(
        "#assessment-form input:not([type=hidden]), #assessment-form select,"
        " #assessment-form textarea",
        "els => els.filter(el => !el.labels || el.labels.length === 0).map(el => el.name || el.id)",
    )
    assert unlabelled == []

    # Progress for every section, in the section list and above each section.
    sections = page.locator("section.form-section")
    assert sections.count() >= 5
    for index in range(sections.count()):
        expect(sections.nth(index).locator("[data-progress-for]")).to_have_text(
            re.compile(r"^\d+/\d+$"))

    # Tab reaches every radio group and both buttons.
    groups = set(page.eval_on_selector_all(
        "#assessment-form input[type=radio]", "els => els.map(el => el.name)"))
    numbers = set(page.eval_on_selector_all(
        "#assessment-form input[type=number]", "els => els.map(el => el.name)"))
    reached, buttons = set(), set()
    page.locator("body").focus()
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const el = document.activeElement;"
            " return {tag: el.tagName, name: el.name || '', text: el.textContent.trim()}; }")
        if focused["tag"] == "INPUT":
            reached.add(focused["name"])
        if focused["tag"] == "BUTTON":
            buttons.add(focused["text"])
        if "Submit" in buttons:
            break
    assert groups | numbers <= reached, sorted((groups | numbers) - reached)
    assert {"Save draft", "Submit"} <= buttons

    # Arrow keys move within a radio group and choose the answer.
    first = page.locator("#assessment-form input[type=radio]").first
    first.focus()
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(first).not_to_be_checked()
    expect(page.locator("#autosave-status")).to_have_text(SAVED)

    # The next step is on the home page, and grade badges carry words, not only colours.
    page.goto("/")
    pages.shot(page, "home")
    _no_sideways_scroll(page)
    expect(page.get_by_role("link", name="Continue the draft")).to_be_visible()
    badges = page.eval_on_selector_all(".badge", "els => els.map(el => el.textContent.trim())")
    assert badges and all(badges)
    for path in ("/enterprise/assessments", "/enterprise/actions", "/enterprise/profile"):
        page.goto(path)
        pages.shot(page, path.rsplit("/", 1)[-1])
        _no_sideways_scroll(page)
    assert not page.js_errors
