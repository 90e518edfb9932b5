"""The officer's form page on a "Slow 3G" connection: first visit (no service worker, no HTTP
cache), repeat visit (the shell from the service worker's cache, the page from the network) and a
reload offline (everything from the worker's cache).

Chromium through Playwright, throttled with CDP Network.emulateNetworkConditions at DevTools'
"Slow 3G" preset (Chromium's NetworkManager: latency 400 ms × 5 = 2000 ms, download and upload
500 kbit/s × 0.8 = 400 kbit/s = 50,000 bytes/s), applied to the page and to the service worker
(the worker fetches the page for it). The app is served by werkzeug on 127.0.0.1 with a seeded
SQLite database, like the browser tests.

Run: python bench/bench_offline_shell.py [--runs 3]"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from riskapp import create_app, demo, migrate  # noqa: E402
from riskapp.db import db  # noqa: E402
from riskapp.main.offline import SHELL_FILES  # noqa: E402

SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000,
           "uploadThroughput": 50_000}
OFFLINE = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
OFFICER = "officer@thanhhoa.demo.riskapp.vn"


def serve(folder: str):
    app = create_app({
        "SECRET_KEY": "bench-offline-shell-secret-key-0123456789abcdef",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
        "RATELIMIT_ENABLED": False, "JOBS_INLINE": True, "REDIS_URL": None,
        "STORAGE_DIR": f"{folder}/storage", "REPORT_SIGNING_KEY": f"{folder}/key.pem",
        "BABEL_DEFAULT_LOCALE": "vi",
    })
    migrate.upgrade(app)
    with app.app_context():
        demo.seed(enterprises=27)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


class Throttle:
    """Network conditions on the page and on the service worker (a browser-level CDP session
    attached to the worker's target, messages passed through Target.sendMessageToTarget)."""

    def __init__(self, browser, page):
        self.page = page.context.new_cdp_session(page)
        self.page.send("Network.enable")
        self.browser = browser.new_browser_cdp_session()
        self.worker_sessions = []
        for target in self.browser.send("Target.getTargets")["targetInfos"]:
            if target["type"] == "service_worker":
                attached = self.browser.send("Target.attachToTarget",
                                             {"targetId": target["targetId"], "flatten": False})
                self.worker_sessions.append(attached["sessionId"])
        self._to_workers("Network.enable", {})

    def _to_workers(self, method: str, params: dict) -> None:
        for index, session in enumerate(self.worker_sessions):
            message = {"id": 1000 + index, "method": method, "params": params}
            self.browser.send("Target.sendMessageToTarget",
                              {"sessionId": session, "message": json.dumps(message)})

    def set(self, conditions: dict, cache_disabled: bool = True) -> None:
        self.page.send("Network.setCacheDisabled", {"cacheDisabled": cache_disabled})
        self.page.send("Network.emulateNetworkConditions", conditions)
        self._to_workers("Network.setCacheDisabled", {"cacheDisabled": cache_disabled})
        self._to_workers("Network.emulateNetworkConditions", conditions)


def _login(page) -> str:
    page.goto("/auth/login")
    page.fill("input[name=email]", OFFICER)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto("/enterprise/assessments")
    draft = page.locator("a[href$='/edit']")
    if not draft.count():
        page.goto("/enterprise/")
        page.locator("form[action$='/assessments/new'] button").first.click()
        page.wait_for_load_state()
        return page.url
    return page.locator("a[href$='/edit']").first.get_attribute("href")


def _timed(page, action) -> float:
    start = time.perf_counter()
    action()
    page.wait_for_load_state("load")
    return (time.perf_counter() - start) * 1000


def first_visit(browser, base: str) -> float:
    context = browser.new_context(base_url=base, service_workers="block")
    page = context.new_page()
    form = _login(page)
    throttle = Throttle(browser, page)
    throttle.set(SLOW_3G)
    took = _timed(page, lambda: page.goto(form))
    context.close()
    return took


def with_worker(browser, base: str) -> tuple[float, float, bool]:
    context = browser.new_context(base_url=base)
    page = context.new_page()
    form = _login(page)
    page.goto(form)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(form)  # kept by the worker
    throttle = Throttle(browser, page)
    throttle.set(SLOW_3G)
    repeat = _timed(page, lambda: page.goto(form))
    throttle.set(OFFLINE)
    context.set_offline(True)
    offline = _timed(page, page.reload)
    served = page.locator("#assessment-form").count() == 1
    context.close()
    return repeat, offline, served and bool(throttle.worker_sessions)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    static = Path(__file__).resolve().parents[1] / "static"
    shell_bytes = sum((static / name).stat().st_size for name in SHELL_FILES)
    with tempfile.TemporaryDirectory() as folder:
        server, base = serve(folder)
        firsts, repeats, offlines, checks = [], [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--headless=new", "--no-sandbox"])
            for _ in range(runs):
                firsts.append(first_visit(browser, base))
                repeat, offline, served = with_worker(browser, base)
                repeats.append(repeat)
                offlines.append(offline)
                checks.append(served)
            browser.close()
        server.shutdown()
    load = os.getloadavg()
    print(f"Slow 3G (latency {SLOW_3G['latency']} ms, {SLOW_3G['downloadThroughput']:,} B/s down"
          f" and up); shell precached: {len(SHELL_FILES)} files, {shell_bytes:,} bytes;"
          f" {runs} runs, median (min–max)")
    for label, values in (("first visit, no service worker", firsts),
                          ("repeat visit, shell from the worker", repeats),
                          ("reload offline, all from the worker", offlines)):
        print(f"  {label:<38} {statistics.median(values):8.0f} ms"
              f"  ({min(values):.0f}–{max(values):.0f})")
    print(f"  worker throttled and offline page served: {all(checks)}")
    print(f"  load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
