"""Auditor: filter, download one report and a ZIP, record a finding. Visitor: verify a report by
its code and check the PDF itself."""

from __future__ import annotations

import hashlib
import io
import zipfile

from playwright.sync_api import expect
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Report
from tests.browser.conftest import PHONE


def _count(page) -> int:
    return int(page.locator(".actions-row p.muted").inner_text().split()[0])


def _download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    with open(info.value.path(), "rb") as handle:
        return handle.read()


def test_auditor_filters_downloads_and_records_a_finding(pages):
    page = pages.new_page()
    pages.login(page, "auditor")
    page.goto("/audit/")
    pages.shot(page, "workspace")
    everyone = _count(page)
    assert everyone > 0

    # Filter by a grade present in the list: fewer rows, all with that grade.
    grades = page.eval_on_selector_all(
        "#grade option",
        "els => els.map(el => [el.value, el.textContent.trim()]).filter(o => o[0])")
    listed = page.eval_on_selector_all(
        "tbody tr td:nth-child(6) .badge", "els => els.map(el => el.textContent.trim())")
    value, words = next((v, w) for v, w in grades if w in listed)
    page.locator("#grade").select_option(value)
    page.get_by_role("button", name="Apply", exact=True).click()
    pages.shot(page, "filtered")
    narrowed = _count(page)
    assert 0 < narrowed < everyone
    shown = page.eval_on_selector_all(
        "tbody tr td:nth-child(6) .badge", "els => els.map(el => el.textContent.trim())")
    assert shown and set(shown) == {words}

    # A ZIP of the filtered reports (built in the background, inline here).
    page.get_by_role("button", name="Download the latest reports (ZIP)").click()
    link = page.locator("#zip-link")
    expect(link).to_be_visible(timeout=30_000)
    pages.shot(page, "zip-ready")
    archive = zipfile.ZipFile(io.BytesIO(_download(page, link)))
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) == narrowed
    assert archive.read(pdfs[0]).startswith(b"%PDF-")

    # One report, then a finding on the same assessment.
    page.goto("/audit/")
    page.get_by_role("link", name="Open").first.click()
    pages.shot(page, "assessment")
    assessment_url = page.url
    pdf = _download(page, page.get_by_role("link", name="Download the report (PDF)"))
    assert pdf.startswith(b"%PDF-")
    # A report not rendered yet is served from the "being prepared" page: come back from it.
    page.goto(assessment_url)
    page.get_by_role("link", name="Record a finding").click()
    pages.shot(page, "finding-form")
    page.get_by_label("Some items differ").check()
    observed = page.locator("[data-card='item'] select").first
    options = observed.locator("option")
    observed.select_option(options.nth(options.count() - 1).get_attribute("value"))
    page.get_by_label("Note").fill("Kiểm tra tại chỗ: thiếu nước rửa tay ở xưởng 2.")
    page.get_by_role("button", name="Record the finding").click()
    expect(page.get_by_text("The finding was recorded.")).to_be_visible()
    pages.shot(page, "finding-recorded")
    expect(page.get_by_text("Kiểm tra tại chỗ: thiếu nước rửa tay ở xưởng 2.")).to_be_visible()
    assert not page.js_errors


def test_visitor_verifies_a_report_by_code(pages, live_app):
    officer = pages.new_page()
    pages.login(officer, "officer")
    pages.shot(officer, "officer-home")
    officer.get_by_role("link", name="Open the result").click()
    pages.shot(officer, "officer-result")
    pdf = _download(officer, officer.get_by_role("link", name="Download PDF"))
    with live_app.app_context():
        report = db.session.scalars(
            select(Report).where(Report.sha256 == hashlib.sha256(pdf).hexdigest())).one()
        code = report.verification_code

    # A visitor (no account) on a phone types the code, then checks the file itself.
    page = pages.new_page(viewport=PHONE)
    page.goto("/verify")
    pages.shot(page, "verify")
    page.get_by_label("Code printed on the report").fill(code.lower())
    page.get_by_role("button", name="Look up").click()
    expect(page.locator("h1")).to_contain_text(code)
    expect(page.locator(".verdict-genuine")).to_contain_text("Current")
    pages.shot(page, "report-facts")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("Report file (PDF)").set_input_files(
        {"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": pdf})
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#verify-result")).to_contain_text("Genuine")
    pages.shot(page, "genuine")

    page.goto("/verify/ZZZZ-0000")
    expect(page.locator("h1")).to_be_visible()
    pages.shot(page, "unknown-code")
    assert not page.js_errors
