"""The follow-up pages at 1366 px and 360 px (issue 15): who has not reported (with the bulk
reminder), where to inspect first (planning a visit for the demo auditor), the auditor's "My
visits", the audit log, and the areas page of a commune/ward admin (level proposals). Each is
filled through the app itself; the phone's page must not scroll sideways."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.test_new_province_journey import _shots

# The former districts the demo auditor is bound to (riskapp.demo.data.AUDITOR_DISTRICTS).
AUDITOR_AREAS = re.compile("Nghi Sơn|Nông Cống|Quảng Xương|Sầm Sơn")


def _shot(pages, page, step: str) -> None:
    _shots(pages, page, step)
    assert not page.js_errors, page.js_errors


def _plan_a_visit(pages, page) -> str:
    """From the ranking, one enterprise in the auditor's areas, planned for next week."""
    page.goto("/province/inspect")
    row = page.locator("table.data tbody tr").filter(has_text=AUDITOR_AREAS).first
    name = row.locator("td[data-label='Enterprise'] a").inner_text().strip()
    row.locator("input[type=checkbox]").check()
    _shot(pages, page, "inspect")
    page.get_by_role("button", name="Plan visits of the selected").click()
    expect(page.get_by_role("heading", name="Plan inspection visits")).to_be_visible()
    page.locator("#auditor_id").select_option(index=0)
    page.get_by_label("Planned date").fill((date.today() + timedelta(days=7)).isoformat())
    page.get_by_label("Note for the auditor").fill("Kiểm tra theo kế hoạch tháng 12")
    _shot(pages, page, "plan-visits")
    page.get_by_role("button", name="Assign the visits").click()
    expect(page.locator(".flash-success")).to_contain_text("Visits planned: 1")
    return name


def test_province_follow_up_pages(pages):
    page = pages.new_page()
    pages.login(page, "province_admin")
    page.goto("/province/reporting")
    expect(page.get_by_role("button", name=re.compile("Send a reminder to all"))).to_be_visible()
    _shot(pages, page, "reporting")
    planned = _plan_a_visit(pages, page)
    page.goto("/province/audit-log")
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    _shot(pages, page, "audit-log")

    auditor = pages.new_page()
    pages.login(auditor, "auditor")
    auditor.goto("/audit/")
    visits = auditor.locator("section").filter(
        has=auditor.get_by_role("heading", name="My visits"))
    expect(visits).to_contain_text(planned)
    _shot(pages, auditor, "auditor-my-visits")


def test_area_admin_proposes_a_level(pages):
    page = pages.new_page()
    pages.login(page, "area_admin")
    page.goto("/province/areas")
    form = page.locator("form").filter(has=page.get_by_role("heading", name="Propose a level"))
    areas = form.locator("select#area_id option")
    offered = [v for v in areas.evaluate_all("els => els.map(el => el.value)") if v]
    form.locator("select#area_id").select_option(offered[0])
    form.get_by_label("Epidemic level").select_option("3")
    form.get_by_label("Reason").fill("Ổ dịch mới tại khu công nghiệp; đề nghị nâng cấp độ")
    _shot(pages, page, "areas-propose")
    form.get_by_role("button", name="Send the proposal").click()
    expect(page.locator("#proposals")).to_contain_text("Waiting for the province")
    _shot(pages, page, "areas-area-admin")
