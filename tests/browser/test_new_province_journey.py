"""A new province's whole journey, in the browser only (issue 14): the platform admin creates Huế
from the official list and invites its admin, who follows the dashboard's "Getting started" card
(checklist, enterprises from the downloadable template, an officer, an area level, an auditor);
the officer submits the first assessment, and the province's dashboard counts it.

Nothing is written to the database behind the app's back: invited users read their link from the
mail the app sent (its outbox)."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from riskapp import gazetteer
from riskapp.mail import OUTBOX
from tests.browser.conftest import DESKTOP, PHONE, answer
from tests.factories import ANSWERS

PROVINCE = "46"  # Huế: 40 communes and wards, not one of the demo's two provinces
ADMIN = ("admin@hue.journey.riskapp.vn", "Hồ Thị Hương")
OFFICER = ("officer@hue.journey.riskapp.vn", "Lê Văn Hải")
AUDITOR = ("auditor@hue.journey.riskapp.vn", "Ngô Bảo Châu")
NEW_PASSWORD = "Hue-song-Huong-2025"  # nosec B105 # a test account's password
# Two real wards/communes of Huế (riskapp.gazetteer), as a province admin would type them.
COMMUNES = ("Phường An Cựu", "Xã Chân Mây - Lăng Cô")
ENTERPRISES = (
    ("3300100001", "Công ty CP Dệt may Phú Hòa", "C", COMMUNES[0], "12 Hùng Vương", "180"),
    ("3300100002", "Công ty TNHH Thủy sản Lăng Cô", "C", COMMUNES[1], "5 Lạc Long Quân", "60"),
)
LINK = re.compile(r"https?://\S+/auth/invite/\S+")


def _shots(pages, page, step: str) -> None:
    """The page as a laptop (1366 px) and a phone (360 px) show it; the phone's must not scroll
    sideways."""
    page.set_viewport_size(DESKTOP)
    pages.shot(page, f"{step}-1366")
    page.set_viewport_size(PHONE)
    pages.shot(page, f"{step}-360")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), step
    page.set_viewport_size(DESKTOP)


def _invitation_link(app, email: str) -> str:
    """The link in the last invitation e-mailed to this address (what the person receives)."""
    sent = [m for m in app.extensions.get(OUTBOX, []) if m["To"] == email]
    assert sent, f"no e-mail to {email}"
    return LINK.search(sent[-1].get_content()).group(0)


def _log_in(page, email: str, password: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/auth/login" not in page.url, page.content()[:2000]


def _accept(pages, page, app, email: str, step: str) -> None:
    """Open the e-mailed link, choose a password, then log in with it."""
    page.goto(_invitation_link(app, email))
    expect(page.get_by_role("heading", name="Welcome to riskapp")).to_be_visible()
    _shots(pages, page, step)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Privacy notice")).to_be_visible()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".flash-success")).to_contain_text("Your password is set")
    _log_in(page, email, NEW_PASSWORD)


def _create_province(pages, page) -> None:
    """Step 1: the platform admin chooses Huế from the official list and invites its admin."""
    pages.login(page, "platform_admin")
    page.goto("/admin/")
    _shots(pages, page, "provinces")
    offered = page.eval_on_selector_all("#code option", "els => els.map(el => el.value)")
    assert PROVINCE in offered and "38" not in offered  # Thanh Hóa is on the platform already
    page.locator("#code").select_option(PROVINCE)
    page.locator("#email").fill(ADMIN[0])
    page.locator("#admin_name").fill(ADMIN[1])
    page.get_by_role("button", name="Create the province and invite its administrator").click()
    count = len(gazetteer.units(PROVINCE))
    expect(page.locator(".flash-success")).to_contain_text(f"Huế created with {count} communes")
    expect(page.locator("table").get_by_text(ADMIN[0])).to_be_visible()
    _shots(pages, page, "province-created")
    assert PROVINCE not in page.eval_on_selector_all("#code option",
                                                     "els => els.map(el => el.value)")


def _step(page, key: str):
    return page.locator(f"#guided-start [data-step='{key}']")


def _follow(page, key: str) -> None:
    """From the dashboard, follow the Getting-started step's own link."""
    page.goto("/province/")
    _step(page, key).locator("a.start-link").click()
    page.wait_for_load_state()


def _activate_checklist(pages, page) -> None:
    _follow(page, "checklist")
    _shots(pages, page, "checklists")
    page.locator("form[action$='/activate']").first.get_by_role("button",
                                                                 name="Activate").click()
    expect(page.locator(".flash-success")).to_contain_text("is active from")


def _import_enterprises(pages, page) -> None:
    """The downloadable template, filled with two rows in real communes, checked then imported."""
    _follow(page, "enterprises")
    _shots(pages, page, "imports")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).first.click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert "Mã số thuế" in header and "Xã/phường" in header
    filled = io.StringIO()
    writer = csv.writer(filled)
    writer.writerows(rows)  # the headers and example row (skipped by the import)
    for tax_code, name, industry, area, address, headcount in ENTERPRISES:
        values = {"Mã số thuế": tax_code, "Tên doanh nghiệp": name, "Ngành": industry,
                  "Xã/phường": area, "Địa chỉ": address, "Số lao động": headcount}
        writer.writerow([values.get(column, "") for column in header])
    page.locator("input[type=file]").set_input_files(
        {"name": "doanh-nghiep-hue.csv", "mimeType": "text/csv",
         "buffer": filled.getvalue().encode("utf-8")})
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("2 new, 0 updated, 0 unchanged")).to_be_visible()
    _shots(pages, page, "import-dry-run")
    page.get_by_role("button", name="Import now").click()
    expect(page.locator(".flash-success")).to_contain_text("Imported: 2 new")
    for _tax, name, *_rest in ENTERPRISES:
        expect(page.get_by_text(name)).to_be_visible()
    _shots(pages, page, "enterprises")


def _invite_officer(pages, page) -> None:
    """The invitation form's enterprise picker is a search: typed without diacritics."""
    _follow(page, "officers")
    page.locator("#role").select_option("officer")
    page.locator("#email").fill(OFFICER[0])
    page.locator("#name").fill(OFFICER[1])
    page.locator("#enterprise_q").fill("det may phu")
    choice = page.locator("#enterprise-matches label").filter(has_text=ENTERPRISES[0][1])
    expect(choice).to_have_count(1)
    expect(page.locator("#enterprise-matches label")).to_have_count(1)
    choice.locator("input[type=radio]").check()
    _shots(pages, page, "invite-officer")
    page.get_by_role("button", name="Send invitation").last.click()
    expect(page.locator(".flash-success")).to_contain_text(f"Invitation sent to {OFFICER[0]}")
    _shots(pages, page, "users")


def _set_level(pages, page) -> None:
    _follow(page, "levels")
    for commune in COMMUNES:  # its communes are the province's own areas
        expect(page.locator("table").get_by_role("link", name=commune)).to_be_visible()
    page.locator("#area_id").select_option(label=COMMUNES[0])
    page.locator("#level").select_option("2")
    page.locator("#note").fill("Quyết định số 1/QĐ-UBND")
    page.get_by_role("button", name="Save the level").click()
    expect(page.locator(".flash-success")).to_contain_text("Level saved")
    _shots(pages, page, "areas")


def _invite_auditor(pages, page) -> None:
    _follow(page, "auditors")
    page.locator("#role").select_option("auditor")
    page.locator("#email").fill(AUDITOR[0])
    page.locator("#name").fill(AUDITOR[1])
    page.locator("#area_ids label").filter(has_text=COMMUNES[1]).locator("input").check()
    _shots(pages, page, "invite-auditor")
    page.get_by_role("button", name="Send invitation").last.click()
    expect(page.locator(".flash-success")).to_contain_text(f"Invitation sent to {AUDITOR[0]}")


def _officer_submits(pages, page) -> None:
    """Step 4: the officer answers the whole checklist, submits and sees the grade."""
    page.get_by_role("button", name="Start a new assessment").click()
    expect(page.locator("#assessment-form")).to_be_visible()
    _shots(pages, page, "assessment-form")
    for item_id, value in ANSWERS.items():
        answer(page, item_id, value)
    page.get_by_role("button", name="Submit", exact=True).click()
    problems = page.locator(".problems")
    assert not problems.count(), problems.inner_text()
    expect(page.get_by_text("Assessment submitted.")).to_be_visible()
    badge = page.locator(".badge[class*='grade-']").first
    expect(badge).to_be_visible()
    assert badge.inner_text().strip()
    _shots(pages, page, "assessment-result")


def _headline(page) -> dict[str, int]:
    cards = page.locator("section.headline .card")
    return {cards.nth(i).locator("p.muted").inner_text().strip():
            int(cards.nth(i).locator("p.stat").inner_text().replace(",", "").replace(".", ""))
            for i in range(cards.count())}


def test_new_province_journey(pages, live_app):
    admin_page = pages.new_page()
    _create_province(pages, admin_page)

    # Step 2-3: the province admin, in a browser of their own.
    page = pages.new_page()
    _accept(pages, page, live_app, ADMIN[0], "admin-welcome")
    expect(page.locator("#guided-start")).to_be_visible()
    _shots(pages, page, "dashboard-new")
    expect(_step(page, "territory")).to_have_attribute("data-done", "yes")
    assert page.locator("#guided-start [data-done='no']").count() == 5
    _activate_checklist(pages, page)
    _import_enterprises(pages, page)
    _invite_officer(pages, page)
    _set_level(pages, page)
    _invite_auditor(pages, page)
    page.goto("/province/")
    _shots(pages, page, "dashboard-set-up")
    for key in ("territory", "checklist", "enterprises", "officers", "auditors"):
        expect(_step(page, key)).to_have_attribute("data-done", "yes")
    expect(_step(page, "levels").locator(".start-mark")).to_have_text(
        f"1 of {len(gazetteer.units(PROVINCE))}")
    assert _headline(page)["Enterprises registered"] == 2

    # Step 4: the officer.
    officer_page = pages.new_page()
    _accept(pages, officer_page, live_app, OFFICER[0], "officer-welcome")
    _shots(pages, officer_page, "officer-home")
    _officer_submits(pages, officer_page)

    # Step 5: the province's dashboard counts it.
    page.goto("/province/")
    _shots(pages, page, "dashboard-first-assessment")
    headline = _headline(page)
    assert headline["Enterprises registered"] == 2
    assert headline["With a current assessment"] == 1
    assert headline["Never assessed"] == 1
    for opened in (admin_page, page, officer_page):
        assert not opened.js_errors, opened.js_errors
