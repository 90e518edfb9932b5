"""The province dashboard on a 360 px phone and a 1366 px desktop (headline first, the menu
folded on the phone, labelled figures, aligned numeric headers), and its map when the tile host
hangs (an intranet without internet), answers, or is not configured at all."""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.conftest import PHONE

DESKTOP_WIDE = {"width": 1366, "height": 800}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
TEXT_RIGHT = ("el => { const r = document.createRange(); r.selectNodeContents(el); "
              "return r.getBoundingClientRect().right; }")
OUTLINES_DRAWN = "() => document.querySelectorAll('#province-map .map-area-outline').length > 0"


def _top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


def _open_dashboard(page) -> None:
    page.goto("/province/", wait_until="domcontentloaded")
    page.wait_for_function("() => document.querySelector('#province-map')?.dataset.markers")


def test_dashboard_on_a_phone_headline_first_menu_folded(pages):
    page = pages.new_page(viewport=PHONE)
    pages.login(page, "province_admin")
    _open_dashboard(page)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert _top(page, "section.headline") < _top(page, "form.filters, .filters")
    toggle = page.locator("button.nav-toggle")
    nav = page.locator("nav.mainnav")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    pages.shot(page, "phone-menu-closed")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and nav.is_visible()
    assert nav.get_by_role("link", name="Enterprises").is_visible()
    pages.shot(page, "phone-menu-open")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # In Vietnamese (longer words) the phone page still fits its width; the menu says so too.
    page.goto("/lang/vi", wait_until="domcontentloaded")
    _open_dashboard(page)
    assert page.locator("button.nav-toggle").inner_text().strip().endswith("Trình đơn")
    assert "số doanh nghiệp đã đăng ký" in page.locator("section.headline").inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    pages.shot(page, "phone-vietnamese")
    assert not page.js_errors


def test_dashboard_on_a_desktop_labels_every_figure_and_aligns_numbers(pages):
    page = pages.new_page(viewport=DESKTOP_WIDE)
    pages.login(page, "province_admin")
    _open_dashboard(page)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert not page.locator("button.nav-toggle").is_visible()
    assert page.locator("nav.mainnav").is_visible()
    # Every share under a headline figure says what it is a share of.
    for text in page.locator("section.headline .card p.small").all_inner_texts():
        assert "of the registered enterprises" in text, text
    donut = page.locator(".chart svg").first
    assert "assessed" in donut.locator("text").all_text_contents()
    trend = page.locator(".chart svg").nth(1)
    assert any(t.startswith("n = ") for t in trend.locator("text").all_text_contents())
    # Numeric headers line up with their numbers (right edges within a pixel).
    table = page.locator("table.data").first
    header = table.locator("thead th.right").first
    cell = table.locator("tbody tr").first.locator("td.right").first
    assert header.evaluate("el => getComputedStyle(el).textAlign") == "right"
    header_right, cell_right = header.evaluate(TEXT_RIGHT), cell.evaluate(TEXT_RIGHT)
    assert abs(header_right - cell_right) <= 1.5, (header_right, cell_right)
    pages.shot(page, "desktop")
    assert not page.js_errors


# ----------------------------------------------------------------------------- the map's tiles


@contextmanager
def _blackhole():
    """A port that accepts connections and never answers (a firewalled intranet proxy)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in held:
            connection.close()
        server.close()


def _png(colour=(200, 220, 240)) -> bytes:
    """A 256 × 256 one-colour PNG tile."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes(colour) * 256 for _ in range(256))
    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@contextmanager
def _tile_server():
    tile = _png()

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def _tiles_from(live_app, url: str):
    saved = live_app.config["MAP_TILE_URL"]
    live_app.config["MAP_TILE_URL"] = url
    try:
        yield
    finally:
        live_app.config["MAP_TILE_URL"] = saved


def _map_page(pages, viewport=DESKTOP_WIDE):
    # The content policy is fixed when the app starts (for the test app's closed tile port);
    # these tests point the tiles elsewhere, so the policy is set aside for them.
    page = pages.new_page(viewport=viewport, bypass_csp=True)
    pages.login(page, "province_admin")
    return page


def _coloured_pixels(page) -> int:
    return page.evaluate(
        """() => {
            let drawn = 0;
            for (const canvas of document.querySelectorAll('#province-map canvas')) {
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width,
                                                                    canvas.height).data;
                for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
            }
            return drawn;
        }""")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP_WIDE], ids=["phone", "desktop"])
def test_hanging_tile_host_falls_back_to_a_plain_map_within_seconds(pages, live_app, viewport):
    with _blackhole() as port, _tiles_from(live_app, f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"):
        page = _map_page(pages, viewport)
        started = time.monotonic()
        page.goto("/province/", wait_until="domcontentloaded")
        notice = page.locator("#province-map-notice")
        notice.wait_for(state="visible", timeout=4_000)
        waited = time.monotonic() - started
        assert "Map tiles unavailable" in notice.inner_text()
        page.wait_for_function("() => document.querySelector('#province-map').dataset.markers")
        page.wait_for_function(OUTLINES_DRAWN)
        assert int(page.locator("#province-map").get_attribute("data-markers")) > 0
        assert _coloured_pixels(page) > 0
        assert page.locator("#province-map img.leaflet-tile").count() == 0
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.locator("#province-map").scroll_into_view_if_needed()
        pages.shot(page, "hanging-tiles-" + ("phone" if viewport == PHONE else "desktop"))
    assert waited < 4, waited
    assert not page.js_errors


def test_answering_tile_host_keeps_the_tiles(pages, live_app):
    with _tile_server() as port, _tiles_from(live_app, f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"):
        page = _map_page(pages)
        page.goto("/province/", wait_until="domcontentloaded")
        page.wait_for_function("() => document.querySelector('#province-map').dataset.mapState")
        page.wait_for_timeout(3_000)  # past the fallback's timeout: the tiles must stay
        assert page.locator("#province-map").get_attribute("data-map-state") == "tiles"
        assert page.locator("#province-map img.leaflet-tile-loaded").count() > 0
        assert page.locator("#province-map-notice").is_hidden()
        page.locator("#province-map").scroll_into_view_if_needed()
        pages.shot(page, "answering-tiles")
    assert not page.js_errors


def test_no_tile_url_draws_the_plain_map_at_once(pages, live_app):
    with _tiles_from(live_app, ""):
        page = _map_page(pages)
        page.goto("/province/", wait_until="domcontentloaded")
        notice = page.locator("#province-map-notice")
        notice.wait_for(state="visible", timeout=1_000)
        assert "No map tiles are configured" in notice.inner_text()
        page.wait_for_function(OUTLINES_DRAWN)
        page.locator("#province-map").scroll_into_view_if_needed()
        pages.shot(page, "no-tiles")
        # Zoomed in, each outline carries its area's name.
        for _ in range(3):
            page.locator(".leaflet-control-zoom-in").click()
            page.wait_for_timeout(400)
        assert page.locator(".map-area-name").count() > 0
        page.wait_for_timeout(800)  # the last zoom's animation ends before the picture
        pages.shot(page, "no-tiles-zoomed")
    assert not page.js_errors
