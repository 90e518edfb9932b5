"""Province admin: dashboard figures, charts and map markers; a filter narrows them; an area's
level change re-grades its enterprises; an import file with bad rows lists its problems."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, select

from riskapp import clock, demo
from riskapp.db import db
from riskapp.models import Area, Enterprise, EnterpriseStatus, Grade, Province

GRADE_ORDER = [Grade.VERY_LOW, Grade.LOW, Grade.MEDIUM, Grade.HIGH, Grade.VERY_HIGH]

BAD_IMPORT = (
    "tax code,name,industry,area,address,head-count,officer e-mail\n"
    "12345,Công ty Lỗi Mã Số,C,Thành phố Thanh Hóa,1 Lê Lợi,50,a@example.vn\n"
    "2800000019,Công ty Ngành Sai,ZZ,Nơi Không Có,2 Lê Lợi,-3,not-an-email\n"
)


def _headline_total(page) -> int:
    return int(page.locator("p.stat").first.inner_text().replace(".", "").replace(",", ""))


def _markers_drawn(page) -> int:
    """Coloured pixels on Leaflet's canvas: markers drawn even though no tile loaded."""
    return page.evaluate(
        """() => {
            const canvas = document.querySelector('#province-map .leaflet-overlay-pane canvas');
            if (!canvas || !canvas.width) return 0;
            const context = canvas.getContext('2d');
            const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let drawn = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
            return drawn;
        }"""
    )


def _map_markers(page) -> int:
    """How many markers the map on this page is sent (its own data URL, the page's filters)."""
    page.wait_for_function(
        "() => document.querySelector('#province-map .leaflet-overlay-pane canvas')")
    page.wait_for_load_state("networkidle")
    url = page.locator("#province-map").get_attribute("data-url")
    return len(page.request.get(url).json()["markers"])


def _demo_province_id() -> int:
    return db.session.scalar(select(Province.id).where(Province.code == demo.DEMO_PROVINCE_CODE))


def _busiest_district(app) -> tuple[int, int]:
    """(area id, enterprise count) of the demo province's grouping (former district) whose
    communes hold the most enterprises."""
    with app.app_context():
        rows = db.session.execute(
            select(Area.parent_id, func.count(Enterprise.id))
            .join(Enterprise, Enterprise.area_id == Area.id)
            .where(Area.parent_id.is_not(None), Enterprise.province_id == _demo_province_id())
            .group_by(Area.parent_id).order_by(func.count(Enterprise.id).desc(), Area.parent_id)
        ).all()
        return rows[0][0], rows[0][1]


def _regradable_enterprise(app) -> tuple[int, int, Grade]:
    """An enterprise whose final grade a level-4 area would raise: (id, area id, grade)."""
    with app.app_context():
        status = db.session.scalars(
            select(EnterpriseStatus)
            .where(EnterpriseStatus.effective_grade.in_((Grade.LOW, Grade.MEDIUM)),
                   EnterpriseStatus.province_id == _demo_province_id())
            .order_by(EnterpriseStatus.enterprise_id)
        ).first()
        assert status is not None, "the demo seed has no low or medium enterprise"
        return status.enterprise_id, status.area_id, status.effective_grade


def _enterprises_of_the_demo_province(live_app) -> int:
    with live_app.app_context():
        return db.session.scalar(select(func.count()).select_from(Enterprise).where(
            Enterprise.province_id == _demo_province_id()))


def test_dashboard_filter_level_change_and_import(pages, live_app):
    page = pages.new_page()
    pages.login(page, "province_admin")

    page.goto("/province/")
    all_markers = _map_markers(page)
    pages.shot(page, "dashboard")
    total = _headline_total(page)
    assert total == _enterprises_of_the_demo_province(live_app)  # the demo's 27 + test fixtures
    assert all_markers > 0
    assert _markers_drawn(page) > 0
    charts = page.locator(".chart svg")
    assert charts.count() >= 4
    for index in range(charts.count()):
        assert charts.nth(index).locator("rect, path, circle, polyline").count() > 0
    badges = page.eval_on_selector_all(".badge", "els => els.map(el => el.textContent.trim())")
    assert badges and all(badges), "a grade colour without its words"

    # A filter narrows the figures and the map.
    area_id, in_area = _busiest_district(live_app)
    page.locator("#area_id").select_option(str(area_id))
    page.get_by_role("button", name="Apply").click()
    narrowed = _map_markers(page)
    pages.shot(page, "dashboard-filtered")
    assert in_area <= _headline_total(page) < total
    assert 0 < narrowed < all_markers
    assert _markers_drawn(page) > 0

    # Raising an area to level 4 re-grades its enterprises; what they submitted is kept.
    enterprise_id, enterprise_area, before = _regradable_enterprise(live_app)
    page.goto(f"/province/enterprises/{enterprise_id}")
    final = page.locator("dt:has-text('Final grade') + dd .badge")
    before_words = final.inner_text().strip()
    pages.shot(page, "enterprise-before")
    page.goto("/province/areas")
    pages.shot(page, "areas")
    page.locator("#area_id").select_option(str(enterprise_area))
    page.locator("#level").select_option("4")
    page.locator("#effective_from").fill(clock.today().isoformat())
    page.locator("#note").fill("Quyết định số 12/QĐ-UBND")
    page.get_by_role("button", name="Save the level").click()
    expect(page.locator(".flash").first).to_contain_text("Level saved")
    pages.shot(page, "areas-saved")
    page.goto(f"/province/enterprises/{enterprise_id}")
    pages.shot(page, "enterprise-after")
    after_words = final.inner_text().strip()
    assert after_words != before_words
    with live_app.app_context():
        status = db.session.get(EnterpriseStatus, enterprise_id)
        assert status.declared_grade == before
        assert GRADE_ORDER.index(status.effective_grade) == GRADE_ORDER.index(before) + 1
    expect(page.locator("dt:has-text('As submitted') + dd .badge")).to_have_text(before_words)

    # An import file with bad rows: each problem named by row and column, nothing to apply.
    page.goto("/province/imports")
    page.locator("input[type=file]").set_input_files(
        {"name": "doanh-nghiep.csv", "mimeType": "text/csv", "buffer": BAD_IMPORT.encode()})
    page.get_by_role("button", name="Check the file").click()
    problems = page.locator("#import-problems tbody tr")
    expect(problems.first).to_be_visible()
    pages.shot(page, "import-problems")
    rows = {problems.nth(i).locator("td").first.inner_text().strip()
            for i in range(problems.count())}
    assert {"2", "3"} <= rows, rows
    first = problems.first.locator("td")
    assert first.nth(1).inner_text().strip() == "tax code"
    assert "12345" in first.nth(2).inner_text()
    assert page.get_by_role("button", name="Import now").count() == 0
    assert not page.js_errors
