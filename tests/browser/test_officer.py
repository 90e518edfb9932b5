"""Officer on a phone: answer part of the checklist, leave, come back, finish, submit, download."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, answer
from tests.factories import ANSWERS

SAVED = re.compile(r"Sent to the server at \d\d:\d\d")
FIRST_PART = ("ORG-1", "ORG-2", "ORG-3")




def _checked(page, item_id: str) -> str | None:
    checked = page.locator(f"[data-item='{item_id}'] input[type=radio]:checked")
    return checked.get_attribute("value") if checked.count() else None


def _wait_saved(page) -> None:
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=10_000)


def test_officer_phone_flow(pages):
    page = pages.new_page(viewport=PHONE)
    pages.login(page, "officer")
    pages.shot(page, "home")
    page.get_by_role("button", name="Start a new assessment").click()
    expect(page.locator("#assessment-form")).to_be_visible()
    pages.shot(page, "form-empty")
    org = page.locator("nav.section-nav [data-progress-for]").first
    before = org.text_content()

    # Part of the checklist, saved by autosave alone.
    for item_id in FIRST_PART:
        answer(page, item_id, ANSWERS[item_id])
    _wait_saved(page)
    assert org.text_content() != before
    answered, total = (int(n) for n in org.text_content().split("/"))
    assert answered == len(FIRST_PART) and total >= answered
    pages.shot(page, "form-autosaved")

    # Leave and come back through the home page's next step: the draft is intact.
    page.goto("/")
    pages.shot(page, "home-with-draft")
    page.get_by_role("link", name="Continue the draft").click()
    for item_id in FIRST_PART:
        assert _checked(page, item_id) == ANSWERS[item_id]
    pages.shot(page, "form-resumed")

    # Finish everything and submit.
    for item_id, value in ANSWERS.items():
        answer(page, item_id, value)
    _wait_saved(page)
    pages.shot(page, "form-complete")
    page.get_by_role("button", name="Submit", exact=True).click()
    problems = page.locator(".problems")
    assert not problems.count(), problems.inner_text()
    expect(page.get_by_text("Assessment submitted.")).to_be_visible()
    pages.shot(page, "result")

    # The grade is shown with words next to its colour, and the actions are listed.
    badge = page.locator(".badge[class*='grade-']").first
    expect(badge).to_be_visible()
    assert badge.text_content().strip()
    expect(page.locator("#rem-title")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    path = download.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.suggested_filename.endswith(".pdf")

    page.get_by_role("link", name="Manage the actions").click()
    expect(page.locator("h1")).to_be_visible()
    pages.shot(page, "actions")
    assert not page.js_errors
