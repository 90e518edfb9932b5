"""Offline, in Chromium: the network switched off mid-form (Playwright's offline mode), a reload
while offline served by the service worker, then reconnect and sync; a conflict made by a second
session, resolved by the person; the auditor's phone finding with a photo and a GPS stamp kept
offline and stored once after reconnecting."""

from __future__ import annotations

import io
import re
import time

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from riskapp.db import db
from riskapp.evidence import services as evidence
from riskapp.models import Assessment, Finding, User
from tests.browser.conftest import DESKTOP, PHONE, USERS, answer, open_draft

KEPT = re.compile(r"Saved on this phone, not yet sent")
SENT = re.compile(r"Sent to the server at \d\d:\d\d")
PLACE = {"latitude": 19.8067, "longitude": 105.7852, "accuracy": 15}


def _open_draft(pages, page, role: str = "form_officer") -> None:
    pages.login(page, role)
    open_draft(page)


def _controlled(page) -> None:
    """Wait until the service worker controls the page and has kept it."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "caches.open('riskapp-pages').then(c => c.match(location.pathname)).then(Boolean)")


def _draft_answers(live_app, email: str) -> dict:
    with live_app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        draft = db.session.scalars(select(Assessment).where(
            Assessment.enterprise_id == user.enterprise_id, Assessment.status == "draft")).one()
        return dict(draft.answers)


def _stored(live_app, item_id: str, value: str, seconds: float = 10) -> dict:
    """The form officer's draft answers once the server holds `value` for the item."""
    deadline = time.monotonic() + seconds
    while True:
        answers = _draft_answers(live_app, USERS["form_officer"])
        if answers.get(item_id) == value or time.monotonic() > deadline:
            return answers
        time.sleep(0.1)


# The browser's own update check of the registered worker script: Chromium makes it from the
# browser process after a navigation, outside the page's emulated offline (a phone really offline
# could not make it either). It serves nothing to the page, so it is not counted.
WORKER_UPDATE_CHECK = "/sw.js"


class _Hits:
    """The paths the server is asked for (offline, the service worker must not reach it)."""

    def __init__(self, app):
        self.app, self.wrapped, self.paths, self.gets = app, app.wsgi_app, [], []

    def __enter__(self):
        def counting(environ, start_response):
            if environ.get("PATH_INFO") == WORKER_UPDATE_CHECK:
                return self.wrapped(environ, start_response)
            self.paths.append(environ.get("PATH_INFO"))
            if environ.get("REQUEST_METHOD") == "GET":
                self.gets.append(environ.get("PATH_INFO"))
            return self.wrapped(environ, start_response)

        self.app.wsgi_app = counting
        return self

    def __exit__(self, *exc):
        self.app.wsgi_app = self.wrapped


def _flip(page, item_id: str, avoid: str = "") -> str:
    """Answer the item with a choice other than the one it has (and than `avoid`): a change,
    whatever earlier tests left in the shared draft. Returns the value chosen."""
    radios = page.locator(f"[data-item='{item_id}'] input[type=radio]")
    for index in range(radios.count()):
        radio = radios.nth(index)
        value = radio.get_attribute("value")
        if value not in ("na", avoid) and not radio.is_checked():
            radio.check()
            return value
    raise AssertionError(f"no other choice for {item_id}")


def _radio(page, item_id: str, value: str):
    return page.locator(f"[data-item='{item_id}'] input[type=radio][value='{value}']")


def test_officer_keeps_answering_offline_reloads_and_syncs(pages, live_app):
    page = pages.new_page(viewport=PHONE)
    _open_draft(pages, page)
    _controlled(page)
    status = page.locator("#autosave-status")
    first = _flip(page, "ORG-1")
    expect(status).to_have_text(SENT)

    page.context.set_offline(True)
    second = _flip(page, "ORG-2")
    answer(page, "HYG-2", "87")
    expect(status).to_have_text(KEPT)
    expect(page.locator("#unsent-indicator")).to_contain_text("Offline")
    pages.shot(page, "offline-360")

    # A reload without network: the service worker serves the page it kept, the answers typed
    # offline come back from IndexedDB and the page says where they are.
    with _Hits(live_app) as hits:
        reloaded = page.reload()
        expect(_radio(page, "ORG-2", second)).to_be_checked()
    # Nothing the page needs came from the server. (A save the reloaded page tries at once once
    # slipped past Chromium's emulated offline, on a loaded machine, through the worker's
    # network fallback; a phone really offline cannot reach the server at all.)
    assert reloaded.from_service_worker and hits.gets == [], hits.paths
    expect(page.locator("[data-item='HYG-2'] input[type=number]")).to_have_value("87")
    expect(status).to_have_text(KEPT)
    expect(page.locator("#unsent-indicator")).to_contain_text("not yet sent: 1")
    pages.shot(page, "reloaded-offline-360")

    with _Hits(live_app) as hits:  # online again: the kept answers go to the server
        page.context.set_offline(False)
        expect(status).to_have_text(SENT)
    assert any(path.endswith("/autosave") for path in hits.paths), hits.paths
    expect(page.locator("#unsent-indicator")).to_be_hidden()
    answers = _draft_answers(live_app, USERS["form_officer"])
    assert answers["ORG-1"] == first and answers["ORG-2"] == second and answers["HYG-2"] == "87"
    # A fresh page from the server shows them too.
    page.reload()
    expect(_radio(page, "ORG-2", second)).to_be_checked()
    assert not page.js_errors


def test_conflict_with_a_second_session_asks_only_what_both_changed(pages, live_app):
    mine = pages.new_page(viewport=DESKTOP)
    _open_draft(pages, mine)
    _controlled(mine)
    _flip(mine, "ORG-3")
    expect(mine.locator("#autosave-status")).to_have_text(SENT)

    mine.context.set_offline(True)
    answer(mine, "HYG-2", "91")
    expect(mine.locator("#autosave-status")).to_have_text(KEPT)

    # Meanwhile the same draft is saved from another browser: another answer to HYG-2, and an
    # answer to ORG-4 that this device did not change.
    theirs = pages.new_page(viewport=DESKTOP)
    _open_draft(pages, theirs)
    answer(theirs, "HYG-2", "77")
    expect(theirs.locator("#autosave-status")).to_have_text(SENT)
    their_org4 = _flip(theirs, "ORG-4")
    # The status already reads "Sent" from the HYG-2 save: wait for the server to have ORG-4.
    stored = _stored(live_app, "ORG-4", their_org4)
    assert stored["HYG-2"] == "77" and stored["ORG-4"] == their_org4

    mine.context.set_offline(False)
    panel = mine.locator("#conflict-panel")
    expect(panel).to_be_visible()
    hyg2 = panel.locator(".conflict-item[data-name='item-HYG-2']")
    expect(hyg2.locator(".conflict-mine")).to_contain_text("91")
    expect(hyg2.locator(".conflict-server")).to_contain_text("77")
    # ORG-4 was changed on the other side only: taken without asking; HYG-2 alone is asked.
    expect(panel.locator(".conflict-item")).to_have_count(1)
    expect(_radio(mine, "ORG-4", their_org4)).not_to_be_checked()
    save = panel.get_by_role("button", name="Save my choices")
    expect(save).to_be_disabled()  # nothing is sent before every answer has a choice
    # Nothing was overwritten while the person has not chosen.
    assert _draft_answers(live_app, USERS["form_officer"])["HYG-2"] == "77"
    pages.shot(mine, "conflict-1366")

    panel.get_by_role("button", name="Keep all from the server").click()
    hyg2.locator(".conflict-mine input").check()  # this one: mine
    save.click()
    expect(panel).to_have_count(0)
    expect(mine.locator("#autosave-status")).to_have_text(SENT)
    stored = _draft_answers(live_app, USERS["form_officer"])
    assert stored["HYG-2"] == "91" and stored["ORG-4"] == their_org4
    expect(_radio(mine, "ORG-4", their_org4)).to_be_checked()
    pages.shot(mine, "conflict-resolved-1366")
    assert not mine.js_errors and not theirs.js_errors


def test_changes_on_different_answers_merge_without_asking(pages, live_app):
    mine = pages.new_page(viewport=DESKTOP)
    _open_draft(pages, mine)
    _controlled(mine)
    mine.context.set_offline(True)
    answer(mine, "HYG-2", "64")
    expect(mine.locator("#autosave-status")).to_have_text(KEPT)

    theirs = pages.new_page(viewport=DESKTOP)
    _open_draft(pages, theirs)
    their_scr4 = _flip(theirs, "SCR-4")
    assert _stored(live_app, "SCR-4", their_scr4)["SCR-4"] == their_scr4

    mine.context.set_offline(False)
    expect(mine.locator("#autosave-status")).to_have_text(SENT)
    expect(mine.locator("#conflict-panel")).to_have_count(0)  # nothing changed on both sides
    stored = _draft_answers(live_app, USERS["form_officer"])
    assert stored["HYG-2"] == "64" and stored["SCR-4"] == their_scr4, stored
    expect(_radio(mine, "SCR-4", their_scr4)).to_be_checked()
    assert not mine.js_errors and not theirs.js_errors


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _next_until(page, card: str) -> None:
    for _ in range(80):
        if page.locator(f"[data-card='{card}'].is-current").count():
            return
        page.get_by_role("button", name="Next ›").click()
    raise AssertionError(f"no card {card}")


def test_auditor_finding_offline_with_a_photo_and_gps_is_stored_once(pages, live_app):
    page = pages.new_page(viewport=PHONE, geolocation=PLACE, permissions=["geolocation"])
    pages.login(page, "auditor")
    page.goto("/audit/")
    page.get_by_role("link", name="Open").first.click()
    page.get_by_role("link", name="Record a finding").click()
    _controlled(page)
    with live_app.app_context():
        before = len(db.session.scalars(select(Finding)).all())

    page.context.set_offline(True)
    expect(page.locator("#finding-progress")).to_contain_text("Card 1 of")
    pages.shot(page, "finding-card-1-360")
    page.get_by_label("Some items differ").check()
    page.get_by_role("button", name="Next ›").click()
    item = page.locator("[data-card='item'].is-current")
    expect(item.locator(".declared")).to_be_visible()  # the declared answer beside the observed
    box = item.locator("select, input").first.bounding_box()
    assert box["height"] >= 44
    select_box = item.locator("select")
    if select_box.count():
        options = select_box.locator("option")
        select_box.select_option(options.nth(options.count() - 1).get_attribute("value"))
    else:
        item.locator("input").fill("1")
    pages.shot(page, "finding-card-2-360")
    _next_until(page, "send")
    page.get_by_label("Note").fill("Kiểm tra ngoại tuyến: thiếu xà phòng ở nhà ăn.")
    page.locator("#finding-photos").set_input_files(
        files=[{"name": "xuong-2.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    expect(page.locator("#finding-photo-list")).to_contain_text("xuong-2.jpg")
    page.get_by_role("button", name="Stamp the time and my position").click()
    expect(page.locator("#finding-stamp-text")).to_contain_text("19.80670")
    page.get_by_role("button", name="Record the finding").click()
    expect(page.locator("#finding-status")).to_have_text(KEPT)
    expect(page.locator("#unsent-indicator")).to_contain_text("not yet sent: 1")
    pages.shot(page, "finding-kept-offline-360")

    with _Hits(live_app) as hits:  # still offline: the kept page, the kept finding
        reloaded = page.reload()
        expect(page.locator("#finding-status")).to_have_text(KEPT)
    assert reloaded.from_service_worker and hits.paths == [], hits.paths
    expect(page.locator("#finding-photo-list")).to_contain_text("xuong-2.jpg")
    client_id = page.locator("input[name='client_id']").input_value()

    page.context.set_offline(False)
    expect(page.locator("#finding-status")).to_have_text(SENT)
    page.wait_for_url(re.compile(r"/audit/assessments/\d+$"))
    expect(page.get_by_text("The finding was recorded.")).to_be_visible()
    expect(page.locator("#unsent-indicator")).to_be_hidden()  # nothing left on the phone
    with live_app.app_context():
        findings = db.session.scalars(select(Finding)).all()
        assert len(findings) == before + 1
        [finding] = [f for f in findings if f.client_id == client_id]
        assert (round(finding.latitude, 4), round(finding.longitude, 4)) == (19.8067, 105.7852)
        assert finding.accuracy_m == 15 and finding.observed_at is not None
        assert finding.note == "Kiểm tra ngoại tuyến: thiếu xà phòng ở nhà ăn."
        [photo] = evidence.finding_photos(finding.id)
        assert photo.original_name == "xuong-2.jpg"
    pages.shot(page, "finding-sent-360")
    assert not page.js_errors


def test_screens_in_both_languages_and_widths(pages):
    for lang in ("vi", "en"):
        for viewport, width in ((PHONE, 360), (DESKTOP, 1366)):
            page = pages.new_page(viewport=viewport)
            pages.login(page, "auditor")
            page.goto(f"/lang/{lang}")
            page.goto("/audit/")
            # The enterprise list's "Open" (a planned visit's row links to its finding directly).
            page.locator("table a[href*='/audit/assessments/']:not([href$='/finding'])"
                         ).first.click()
            page.locator("a[href$='/finding']").first.click()
            expect(page.locator("#finding-form")).to_be_visible()
            pages.shot(page, f"finding-{lang}-{width}")
            page.context.set_offline(True)
            page.wait_for_function("!document.getElementById('unsent-indicator').hidden")
            pages.shot(page, f"finding-offline-{lang}-{width}")
            page.context.set_offline(False)
            assert not page.js_errors
