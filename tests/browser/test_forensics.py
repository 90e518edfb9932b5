"""The signals list at 1366 px and 360 px, in English and Vietnamese: a province admin sees a
photo reused by two enterprises, both thumbnails side by side, and dismisses it with a note."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from riskapp.db import db
from riskapp.evidence import services as evidence_services
from riskapp.forensics import detect
from riskapp.models import Assessment, AssessmentStatus, User
from tests.browser.conftest import USERS
from tests.browser.test_new_province_journey import _shots
from tests.forensics.images import cropped, jpeg, reencoded, scene


def _reused_photo(app) -> None:
    """The same photo (the second a re-encoded, cropped copy) on two enterprises' assessments."""
    with app.test_request_context():
        province_id = db.session.scalar(select(User.province_id).where(
            User.email == USERS["province_viewer"]))
        first, second = db.session.scalars(
            select(Assessment).where(Assessment.province_id == province_id,
                                     Assessment.status == AssessmentStatus.SUBMITTED)
            .order_by(Assessment.enterprise_id).limit(2)).all()
        photo = scene(91)
        for assessment, image in ((first, photo), (second, reencoded(cropped(photo, 0.015)))):
            evidence_services.store_evidence(assessment, "HYG-1", evidence_services.Upload(
                "tram-rua-tay.jpg", jpeg(image)))
        db.session.flush()
        assert detect.detect_photo_reuse(province_id) == 1
        db.session.commit()


def test_an_admin_dismisses_a_reused_photo(pages, live_app):
    _reused_photo(live_app)
    page = pages.new_page()
    pages.login(page, "province_admin")
    page.get_by_role("link", name="Signals").first.click()
    expect(page.get_by_role("heading", name="Signals")).to_be_visible()
    signal = page.locator(".signal").filter(has_text="Photo reused").first
    expect(signal).to_contain_text("nearly identical to one sent by")
    thumbnails = signal.locator(".signal-photos img")
    expect(thumbnails).to_have_count(2)
    for index in range(2):
        assert thumbnails.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
    _shots(pages, page, "signals-en")
    page.goto("/lang/vi")
    page.goto("/province/signals/")
    expect(page.get_by_role("heading", name="Dấu hiệu bất thường")).to_be_visible()
    signal = page.locator(".signal").filter(has_text="Ảnh dùng lại").first
    signal.locator("summary").click()
    signal.get_by_label("Vì sao dấu hiệu này không đáng lo?").fill(
        "Cùng một trạm rửa tay của khu công nghiệp")
    _shots(pages, page, "signals-vi-dismissing")
    signal.get_by_role("button", name="Bỏ qua dấu hiệu này").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã bỏ qua dấu hiệu")
    page.goto("/province/signals/?status=dismissed")
    expect(page.locator(".signal").first).to_contain_text("Cùng một trạm rửa tay")
    _shots(pages, page, "signals-vi-dismissed")
    assert not page.js_errors, page.js_errors
