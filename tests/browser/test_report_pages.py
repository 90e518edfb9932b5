"""Verification verdicts, the province's links behind a grade and the report waiting page, on a
360 px phone and a 1366 px desktop: readable, no sideways scrolling, motion only when welcome."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Assessment, AssessmentStatus, EnterpriseStatus
from riskapp.reports import services
from tests.browser.conftest import PHONE

WIDE = {"width": 1366, "height": 800}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _signed_report(live_app, live_server) -> tuple[str, bytes, int]:
    """(code, PDF, enterprise id) of a rendered report of the demo's first submitted assessment."""
    with live_app.test_request_context(base_url=live_server):
        assessment = db.session.scalars(
            select(Assessment).where(Assessment.status == AssessmentStatus.SUBMITTED)
            .order_by(Assessment.id)).first()
        report = services.report_of(assessment.id, "vi") or services.schedule_render(assessment)
        db.session.commit()
        report = services.ensure_rendered(report)
        return report.verification_code, services.stored_pdf(report), assessment.enterprise_id


def _border(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).borderLeftColor")


def _upload(page, pdf: bytes) -> None:
    page.get_by_label("Report file (PDF)").set_input_files(
        {"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": pdf})
    page.get_by_role("button", name="Check the file").click()


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
def test_verdicts_are_unmistakable(pages, live_app, live_server, viewport):
    code, pdf, _enterprise = _signed_report(live_app, live_server)
    size = f"{viewport['width']}"
    page = pages.new_page(viewport=viewport)

    page.goto(f"/verify/{code}")
    _upload(page, pdf)
    genuine = page.locator("#verify-result .verdict-genuine[role=status]")
    expect(genuine.get_by_role("heading")).to_have_text("Genuine report")
    expect(genuine.locator(".verdict-icon svg")).to_be_visible()
    assert page.locator(".verdict").count() == 1
    genuine_border = _border(genuine)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    pages.shot(page, f"genuine-{size}")

    middle = len(pdf) // 2
    _upload(page, pdf[:middle] + bytes([pdf[middle] ^ 1]) + pdf[middle + 1:])
    forged = page.locator("#verify-result .verdict-forged[role=status]")
    expect(forged.get_by_role("heading")).to_have_text("Not a genuine report")
    # One verdict on the page, and not by colour alone: words, icon shape and colour all differ.
    assert page.locator(".verdict").count() == 1
    assert _border(forged) != genuine_border
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    pages.shot(page, f"forged-{size}")

    page.goto("/verify/ZZZZ-0000")
    expect(page.locator(".verdict-unknown").get_by_role("heading")).to_have_text(
        "Unknown verification code")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    pages.shot(page, f"unknown-{size}")
    assert not page.js_errors


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
def test_province_page_leads_from_the_grade_to_the_answers(pages, live_app, viewport):
    with live_app.app_context():
        enterprise_id = db.session.scalars(
            select(EnterpriseStatus.enterprise_id)
            .where(EnterpriseStatus.current_assessment_id.is_not(None))
            .order_by(EnterpriseStatus.enterprise_id)).first()
    page = pages.new_page(viewport=viewport)
    pages.login(page, "province_admin")
    page.goto(f"/province/enterprises/{enterprise_id}")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    pages.shot(page, f"enterprise-{viewport['width']}")
    page.get_by_role("link", name="Answers and evidence", exact=True).click()
    expect(page).to_have_url(re.compile(r"/audit/assessments/\d+$"))
    assert not page.js_errors


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_waiting_bar_moves_only_when_motion_is_welcome(pages, live_app, motion):
    page = pages.new_page(viewport=PHONE, reduced_motion=motion)
    page.goto("/auth/login")
    # The bar's look does not need a real pending report: the stylesheet decides it.
    page.set_content("""<link rel="stylesheet" href="/static/css/app.css">
        <div class="progress indeterminate" role="progressbar"><span></span></div>""")
    page.wait_for_load_state()
    animation = page.evaluate(
        "getComputedStyle(document.querySelector('.progress.indeterminate > span')).animationName")
    assert animation == ("none" if motion == "reduce" else "progress-slide")
