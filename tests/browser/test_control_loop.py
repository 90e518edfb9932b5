"""The province's whole control loop, in the browser only (issue 15): the province admin opens a
reporting round and has every grade reviewed; the demo officer submits, the commune/ward admin
returns the submission with a comment pinned to one item, the officer corrects and resubmits, the
reviewer sees what changed and accepts; the province admin closes the round and downloads its
frozen summary.

Nothing is written to the database behind the app's back: each person acts through the pages."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from riskapp.db import db
from riskapp.mail import OUTBOX
from riskapp.models import User
from tests.browser.conftest import USERS, answer
from tests.browser.test_new_province_journey import _shots
from tests.factories import ANSWERS

ROUND_TITLE = "Đánh giá lại quý IV"
GROUPING = "Huyện Hoằng Hóa (cũ)"  # the commune/ward staff's grouping; the officer's is inside
OFFICER = "loop_officer"  # no other browser test submits for this officer's enterprise
PINNED_ITEM, CHANGED_TO = "ORG-2", "yes"  # declared "no" at first, corrected to "yes"
PINNED_TEXT = "Gửi quyết định thành lập ban chỉ đạo"


def _shot(pages, page, step: str) -> None:
    _shots(pages, page, step)
    assert not page.js_errors, page.js_errors


def _figures(page) -> dict[str, str]:
    """The round's total row: {column label: figure}."""
    total = page.locator("table tr.total").last
    cells = total.locator("td[data-label]")
    return {cells.nth(i).get_attribute("data-label"): cells.nth(i).inner_text().strip()
            for i in range(cells.count())}


def _open_round(pages, page, enterprise: str) -> tuple[str, dict[str, str]]:
    """Step 1: a round targeting the commune/ward staff's grouping; the live count answers."""
    page.goto("/province/rounds/new")
    page.get_by_label("Title").fill(ROUND_TITLE)
    page.get_by_label("Due date").fill((date.today() + timedelta(days=14)).isoformat())
    page.locator("#area_ids label").filter(has_text=GROUPING).locator("input").check()
    count = page.locator("[data-preview-output]")
    expect(count).to_have_text(
        re.compile(r"^\d+ enterprises? match(es)? these criteria today\.$"))
    assert int(count.inner_text().split()[0]) >= 1
    _shot(pages, page, "round-new")
    page.get_by_role("button", name="Open the round").click()
    expect(page.locator(".flash-success")).to_contain_text("The round is open")
    expect(page.get_by_role("heading", name=ROUND_TITLE)).to_be_visible()
    figures = _figures(page)
    # The main demo officer's enterprise is in the grouping too; other tests may submit for it.
    assert int(figures["Expected"]) >= 1 + int(figures["Received"]), figures
    expect(page.locator("table").get_by_text(enterprise)).to_be_visible()  # not reported yet
    _shot(pages, page, "round-opened")
    return page.url, figures


def _review_every_grade(pages, page) -> None:
    """Step 2: every grade waits for review (the demo reviews only some)."""
    page.goto("/province/reviews/settings")
    boxes = page.locator("input[name=grades]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    _shot(pages, page, "review-settings")
    # The page has a second form (the inspections' random share) with its own Save.
    page.locator("form", has=boxes.first).get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_be_visible()




def _submit(page) -> None:
    page.get_by_role("button", name="Submit", exact=True).click()
    problems = page.locator(".problems")
    assert not problems.count(), problems.inner_text()
    expect(page.get_by_text("awaits review by the province")).to_be_visible()


def _officer_submits(pages, page) -> None:
    """Step 3: the officer sees the round, answers the checklist, submits: awaiting review."""
    pages.login(page, OFFICER)
    expect(page.get_by_text(f"{ROUND_TITLE}: re-assess by")).to_be_visible()
    _shot(pages, page, "officer-home-round")
    page.get_by_role("button", name="Start a new assessment").click()
    expect(page.locator("#assessment-form")).to_be_visible()
    for item_id, value in ANSWERS.items():
        answer(page, item_id, value)
    _submit(page)
    _shot(pages, page, "officer-awaiting-review")


def _open_in_queue(pages, page, step: str, enterprise: str) -> None:
    page.goto("/province/reviews/")
    row = page.locator("table.review-queue tbody tr").filter(has_text=enterprise)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("waiting")
    _shot(pages, page, f"{step}-queue")
    row.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name=enterprise)).to_be_visible()


def _reviewer_returns(pages, page, app, enterprise: str) -> None:
    """Step 4: the commune/ward admin pins a comment with an evidence request, and returns."""
    pages.login(page, "area_admin")
    _open_in_queue(pages, page, "reviewer-first", enterprise)
    answer = page.locator(f"#answer-{PINNED_ITEM}")
    answer.locator("textarea").fill(PINNED_TEXT)
    answer.get_by_label("Request evidence").check()
    page.get_by_label("General comment").fill("Bổ sung minh chứng rồi gửi lại.")
    _shot(pages, page, "reviewer-first-review")
    page.get_by_role("button", name="Return for correction").click()
    expect(page.locator(".flash-success")).to_contain_text("Returned for correction")
    mails = [m for m in app.extensions.get(OUTBOX, []) if m["To"] == USERS[OFFICER]]
    assert mails, "the officer is told by e-mail"


def _officer_corrects(pages, page) -> None:
    """Step 5: the officer reads the pinned comment, changes that answer and resubmits."""
    page.goto("/")
    returned = page.locator("section.review-returned")
    expect(returned.get_by_role("heading", name="Returned for correction")).to_be_visible()
    expect(returned).to_contain_text(PINNED_TEXT)
    expect(returned).to_contain_text("evidence requested")
    _shot(pages, page, "officer-returned")
    returned.get_by_role("button", name="Correct and resubmit").click()
    pin = page.locator(f"#pin-{PINNED_ITEM}")  # just above the item's question
    expect(pin).to_contain_text(PINNED_TEXT)
    _shot(pages, page, "officer-correcting")
    answer(page, PINNED_ITEM, CHANGED_TO)
    _submit(page)
    _shot(pages, page, "officer-resubmitted")


def _reviewer_accepts(pages, page, enterprise: str) -> None:
    """Step 6: the reviewer sees the changed answer and the grades before and after."""
    _open_in_queue(pages, page, "reviewer-second", enterprise)
    changed = page.locator("section[aria-labelledby=diff-h]")
    expect(changed).to_contain_text("Grade before")
    row = changed.locator("tbody tr").filter(has_text=PINNED_ITEM)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).to_have_text("No")
    expect(row.locator("td").nth(3)).to_have_text("Yes")
    assert changed.locator(".badge[class*='grade-']").count() == 2
    _shot(pages, page, "reviewer-second-review")
    page.get_by_role("button", name="Accept the declared grade").click()
    expect(page.locator(".flash-success")).to_contain_text("Accepted")


def _close_round(pages, page, round_url: str, opened: dict[str, str]) -> dict[str, str]:
    """Step 7: one more received and accepted; closing freezes the figures, makes the summary."""
    page.goto(round_url)
    figures = _figures(page)
    assert int(figures["Received"]) == int(opened["Received"]) + 1, (opened, figures)
    assert int(figures["Accepted"]) == int(opened["Accepted"]) + 1, (opened, figures)
    _shot(pages, page, "round-progress")
    page.get_by_role("button", name="Close the round").click()
    expect(page.locator(".flash-success")).to_contain_text("The round is closed")
    frozen = _figures(page)
    assert frozen == figures, (frozen, figures)
    _shot(pages, page, "round-closed")
    return frozen


def _summary_files(page, figures: dict[str, str]) -> None:
    """The frozen XLSX opens and its total row carries the page's figures; the PDF names the
    round and its area."""
    with page.expect_download() as download:
        page.get_by_role("link", name="Frozen summary (XLSX)").click()
    with open(download.value.path(), "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    by_area = workbook["By area"]
    rows = [[str(v) if v is not None else "" for v in row]
            for row in by_area.iter_rows(values_only=True)]
    assert rows[0][:5] == ["Area", "Expected", "Received", "On time", "Accepted"], rows[0]
    assert any(GROUPING in row[0] for row in rows[1:]), rows
    total = next(row for row in rows if row[0] == "Total")
    assert total[1:5] == [figures[label] for label in rows[0][1:5]], total
    with page.expect_download() as download:
        page.get_by_role("link", name="Frozen summary (PDF)").click()
    text = " ".join(page_.extract_text() for page_ in PdfReader(download.value.path()).pages)
    assert ROUND_TITLE in text and GROUPING in text, text[:500]


def _vietnamese(pages, page, round_url: str) -> None:
    """The same round page in Vietnamese: diacritics come through."""
    page.goto(round_url)
    page.goto("/lang/vi")
    page.goto(round_url)
    expect(page.get_by_role("heading", name="Chưa báo cáo", exact=False)).to_be_visible()
    expect(page.locator("thead").first).to_contain_text("Tỷ lệ")
    _shot(pages, page, "round-closed-vi")
    page.goto("/lang/en")


def _restore_review_settings(page, before: list[str]) -> None:
    """The later browser tests find the demo's review setting as it was."""
    page.goto("/province/reviews/settings")
    boxes = page.locator("input[name=grades]")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        box.set_checked(box.get_attribute("value") in before)
    page.locator("form", has=boxes.first).get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_be_visible()


def _enterprise_of(app, role: str) -> str:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == USERS[role])).one()
        return user.enterprise.name


def test_control_loop(pages, live_app):
    enterprise = _enterprise_of(live_app, OFFICER)
    admin = pages.new_page()
    pages.login(admin, "province_admin")
    round_url, opened = _open_round(pages, admin, enterprise)
    admin.goto("/province/reviews/settings")
    before = admin.eval_on_selector_all("input[name=grades]:checked",
                                        "els => els.map(el => el.value)")
    _review_every_grade(pages, admin)
    try:
        _the_loop(pages, live_app, admin, (round_url, opened), enterprise)
    finally:
        _restore_review_settings(admin, before)


def _the_loop(pages, app, admin, opened_round: tuple[str, dict], enterprise: str) -> None:
    round_url, opened = opened_round
    officer = pages.new_page()
    _officer_submits(pages, officer)
    reviewer = pages.new_page()
    _reviewer_returns(pages, reviewer, app, enterprise)
    _officer_corrects(pages, officer)
    _reviewer_accepts(pages, reviewer, enterprise)
    officer.goto("/")
    expect(officer.get_by_text("was accepted by the province")).to_be_visible()
    _shot(pages, officer, "officer-accepted")

    figures = _close_round(pages, admin, round_url, opened)
    _summary_files(admin, figures)
    _vietnamese(pages, admin, round_url)
