"""Draw the app's install icons (static/icons/icon-192.png, icon-512.png) from static/favicon.svg
with Chromium (the browser tests' own). Run again after changing the favicon; the PNGs are
committed.  /work/main/.venv/bin/python scripts/make_icons.py"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SVG = (ROOT / "static" / "favicon.svg").read_text(encoding="utf-8")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless=new", "--no-sandbox"])
        for size in (192, 512):
            page = browser.new_page(viewport={"width": size, "height": size})
            pad = size // 10
            page.set_content(
                f"<html><body style='margin:0;background:#fff'><div style='padding:{pad}px;"
                f"width:{size - 2 * pad}px;height:{size - 2 * pad}px'>"
                + SVG.replace("<svg ", "<svg width='100%' height='100%' ") + "</div></body></html>")
            page.screenshot(path=str(ROOT / "static" / "icons" / f"icon-{size}.png"))
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
