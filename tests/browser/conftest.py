"""Real-browser fixtures: the app served on 127.0.0.1 by werkzeug in a thread, against its own
SQLite file seeded with a small demo province, driven by Debian's Chromium through Playwright.

CSRF is on (the real thing), rate limits off, jobs inline so reports render during the request,
and the map tile server points at a closed port: markers must draw without tiles."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from riskapp import create_app, demo, migrate
from riskapp.db import db

try:
    import playwright  # noqa: F401
except ImportError:
    if os.environ.get("CI", "").lower() == "true":
        raise  # under CI the browser tests must run: a missing Playwright fails the run
    # Locally, without the dev tools, the browser tests are left out rather than erroring.
    collect_ignore_glob = ["test_*.py"]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}  # the most common laptop screen; phones are 360 wide
PASSWORD = demo.DEMO_PASSWORD
USERS = {role.value: email for email, role, _name in demo.DEMO_USERS}
# A second officer, on another enterprise, so the form tests leave the main officer's path alone.
USERS["form_officer"] = "form.officer@thanhhoa.demo.riskapp.vn"
# A third, in the main officer's commune/ward grouping, for the control loop: no other test
# submits for its enterprise, so the round it is targeted by starts with nothing received.
USERS["loop_officer"] = "loop.officer@thanhhoa.demo.riskapp.vn"


def _unavailable(reason: str):
    """Under CI a missing browser is a failure, never a silent skip; locally it skips."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true: browser tests must run; install the Debian package "
                    "`chromium` and `pip install -r requirements-dev.txt`)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clean_database():
    """The browser server keeps its own database for the whole session: nothing to empty."""
    yield


def _ensure_leaflet() -> None:
    if (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").exists():
        return
    script = ROOT / "scripts" / "install-frontend.sh"
    if script.exists() and shutil.which("npm"):
        subprocess.run(["sh", str(script)], cwd=ROOT, check=True, timeout=300)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    _ensure_leaflet()
    folder = tmp_path_factory.mktemp("browser")
    application = create_app({
        "SECRET_KEY": "browser-test-secret-key-0123456789abcdefghijkl",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "browser.sqlite3"),
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "JOBS_INLINE": True,
        "REDIS_URL": None,
        "REPORT_SIGNING_KEY": str(folder / "report-signing-key.pem"),
        "STORAGE_DIR": str(folder / "storage"),
        "MAP_TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png",
        # English text keeps the selectors readable; tests/test_i18n.py covers Vietnamese.
        "BABEL_DEFAULT_LOCALE": "en",
        # An officer's submit shows on the province's dashboard at once.
        "FIGURES_STALE_SECONDS": 0,
        # Invited users read their link from the mail the app sent (riskapp.mail keeps it).
        "MAIL_OUTBOX": True,
    })
    migrate.upgrade(application)
    with application.app_context():
        demo.seed(enterprises=27)
        _add_form_officer()
        db.session.commit()
    yield application
    with application.app_context():
        db.engine.dispose()


def _add_form_officer() -> None:
    from sqlalchemy import select

    from riskapp.assessments.services import refresh_enterprise_status
    from riskapp.models import Enterprise, User

    officer = db.session.scalars(select(User).where(User.email == USERS["officer"])).one()
    form_enterprise = db.session.scalars(
        select(Enterprise).where(Enterprise.province_id == officer.province_id,
                                 Enterprise.id != officer.enterprise_id)
        .order_by(Enterprise.id)).first()
    _add_officer(USERS["form_officer"], "Đỗ Thị Lan", form_enterprise)
    main = officer.enterprise
    # A neighbour of the main officer's enterprise (same commune/ward), never assessed.
    loop_enterprise = Enterprise(
        province_id=main.province_id, area_id=main.area_id, tax_code="2899999991",
        name="Công ty CP Bao bì Hoằng Hóa", industry=main.industry,
        industry_division=main.industry_division, address=main.address,
        latitude=main.latitude, longitude=main.longitude, headcount=120)
    db.session.add(loop_enterprise)
    db.session.flush()
    refresh_enterprise_status(loop_enterprise.id)
    _add_officer(USERS["loop_officer"], "Lê Văn Tâm", loop_enterprise)


def _add_officer(email: str, name: str, enterprise) -> None:
    from riskapp.auth.consent import NOTICE_VERSION
    from riskapp.auth.services import hash_password
    from riskapp.models import Role, User

    db.session.add(User(email=email, name=name, role=Role.OFFICER,
                        password_hash=hash_password(PASSWORD),
                        province_id=enterprise.province_id, enterprise_id=enterprise.id,
                        privacy_notice_version=NOTICE_VERSION))


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of the app served on a free port of 127.0.0.1."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium not found at {CHROMIUM}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()  # the folder shows this run only
    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary profile (user-data-dir).
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Pages:
    """Opens browser contexts for one test and names its screenshots after the test."""

    def __init__(self, browser, base_url: str, test_name: str):
        self.browser = browser
        self.base_url = base_url
        self.test_name = re.sub(r"[^A-Za-z0-9_-]+", "-", test_name.removeprefix("test_"))
        self.contexts = []

    def new_page(self, viewport=DESKTOP, **options):
        context = self.browser.new_context(base_url=self.base_url, viewport=viewport,
                                           accept_downloads=True, locale="en-GB", **options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        return page

    def shot(self, page, step: str) -> Path:
        """Save a full-page screenshot as artifacts/screenshots/<test>-<step>.png."""
        path = SCREENSHOTS / f"{self.test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def login(self, page, role: str) -> None:
        page.goto("/auth/login")
        self.shot(page, f"{role}-login")
        page.get_by_label("E-mail").fill(USERS[role])
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert "/auth/login" not in page.url, page.content()[:2000]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server, request):
    opened = Pages(browser, live_server, request.node.name)
    yield opened
    opened.close()


def answer(page, item_id: str, value: str) -> None:
    """Answer one checklist item in the form as a person would (the shared form helper)."""
    item = page.locator(f"[data-item='{item_id}']")
    radio = item.locator(f"input[type=radio][value='{value}']")
    if radio.count():
        radio.check()
    elif item.locator("input[type=radio]").count():
        # "Not applicable" is offered only where the context allows it: answer the first choice.
        item.locator("input[type=radio]").first.check()
    elif item.locator("input[type=number]").count():
        item.locator("input[type=number]").fill(value)
    # else: the item does not apply to this enterprise (no input drawn).


def open_draft(page) -> None:
    """From the officer's home: continue the draft if there is one, else start one."""
    from playwright.sync_api import expect

    resume = page.get_by_role("link", name="Continue the draft")
    if resume.count():
        resume.click()
    else:
        page.get_by_role("button", name="Start a new assessment").click()
    expect(page.locator("#assessment-form")).to_be_visible()
