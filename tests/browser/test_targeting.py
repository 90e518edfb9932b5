"""Where to inspect first by likely under-declaration at 1366 px and 360 px, in English and in
Vietnamese: the mode switch and budget, the proposed visits with their reasons, the areas'
unbiased rates, and "Plan these visits" leading into the planning form with the signed random picks
marked. The demo's few findings are topped up with worse ones (removed at the end) and the
history threshold lowered to fit the small demo province."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import delete, select

from riskapp.db import db
from riskapp.models import EnterpriseStatus, Finding, Grade, InspectionVisit, User, VisitStatus
from riskapp.models.types import utcnow
from riskapp.targeting import model
from tests.browser.conftest import USERS
from tests.browser.test_new_province_journey import _shots


def _worse_findings(app) -> list[int]:
    """Worse findings on six current assessments, two of them from visits picked at random."""
    with app.app_context():
        auditor = db.session.scalars(select(User).where(User.email == USERS["auditor"])).one()
        rows = db.session.execute(select(EnterpriseStatus).where(
            EnterpriseStatus.current_assessment_id.is_not(None))
            .order_by(EnterpriseStatus.enterprise_id).limit(6)).scalars().all()
        made = []
        for index, status in enumerate(rows):
            finding = Finding(assessment_id=status.current_assessment_id,
                              enterprise_id=status.enterprise_id,
                              province_id=status.province_id, auditor_id=auditor.id,
                              visited_on=status.assessed_on, grade=Grade.VERY_HIGH, answers={})
            db.session.add(finding)
            if index < 2:
                db.session.add(InspectionVisit(
                    province_id=status.province_id, enterprise_id=status.enterprise_id,
                    auditor_id=auditor.id, planned_on=status.assessed_on,
                    status=VisitStatus.DONE, at_random=True, created_at=utcnow()))
            db.session.flush()
            made.append(finding.id)
        db.session.commit()
        return made


def _remove(app, finding_ids: list[int]) -> None:
    with app.app_context():
        db.session.execute(delete(Finding).where(Finding.id.in_(finding_ids)))
        db.session.execute(delete(InspectionVisit).where(InspectionVisit.at_random.is_(True)))
        db.session.commit()


def test_inspect_by_likely_under_declaration(pages, live_app, monkeypatch):
    monkeypatch.setattr(model, "MIN_AUDITS", 5)
    made = _worse_findings(live_app)
    try:
        page = pages.new_page()
        pages.login(page, "province_admin")
        page.goto("/lang/en")
        page.goto("/province/inspect?budget=12")
        expect(page.get_by_label("Likely under-declaration")).to_be_checked()
        expect(page.locator("ul.reasons", has_text="found a worse grade").first).to_be_visible()
        expect(page.locator("ul.reasons", has_text="Picked at random")).to_have_count(1)
        expect(page.get_by_role("heading", name="Misdeclaration by area")).to_be_visible()
        assert page.locator("input[name=enterprise]:checked").count() == 12
        _shots(pages, page, "inspect-likely-en")
        page.goto("/lang/vi")
        page.goto("/province/inspect?budget=12")
        expect(page.get_by_label("Khả năng khai thấp hơn thực tế")).to_be_checked()
        _shots(pages, page, "inspect-likely-vi")
        page.get_by_role("button", name="Lập kế hoạch các lượt kiểm tra này").click()
        expect(page.locator("input[name=random_token]")).to_have_count(1)
        expect(page.locator(".badge", has_text="chọn ngẫu nhiên")).to_have_count(1)
        _shots(pages, page, "plan-visits-vi")
        page.goto("/lang/en")
        page.goto("/province/inspect?mode=declared")
        expect(page.get_by_label("Declared grade")).to_be_checked()
        _shots(pages, page, "inspect-declared-en")
        assert not page.js_errors, page.js_errors
    finally:
        _remove(live_app, made)
