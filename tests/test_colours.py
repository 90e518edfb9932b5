"""Colour accessibility, computed from the stylesheets and chart palette themselves.

WCAG 2.1: text needs a contrast ratio of at least 4.5:1 against its background (1.4.3), a focus
indicator at least 3:1 against what surrounds it (1.4.11). The five grades must be told apart:
every pair of grade fills differs by a CIEDE2000 ΔE of at least 10 (about four times the
just-noticeable difference of 2.3), so neighbouring grades never look alike, even on a poor screen.
"""

from __future__ import annotations

import math
import re
from itertools import combinations
from pathlib import Path

import pytest

from riskapp import charts

ROOT = Path(__file__).resolve().parents[1]
APP_CSS = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
REPORT_CSS = (ROOT / "static" / "css" / "report.css").read_text(encoding="utf-8")
PAGE_CSS = "\n".join(path.read_text(encoding="utf-8")
                     for path in sorted((ROOT / "static" / "css").glob("*.css"))
                     if path.name != "report.css")
GRADES = ("very_low", "low", "medium", "high", "very_high")
MIN_TEXT, MIN_FOCUS, MIN_DELTA_E = 4.5, 3.0, 10.0


# ----------------------------------------------------------------------------- colour maths


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(hex_colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _lab(hex_colour: str) -> tuple[float, float, float]:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(hex_colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e2000(first: str, second: str) -> float:
    """CIEDE2000 colour difference (Sharma, Wu, Dalal 2005), kL = kC = kH = 1."""
    (l1, a1, b1), (l2, a2, b2) = _lab(first), _lab(second)
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    dh_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, c_mean_p = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6))
         - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    sl = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    sc = 1 + 0.045 * c_mean_p
    sh = 1 + 0.015 * c_mean_p * t
    rt = (-2 * math.sqrt(c_mean_p ** 7 / (c_mean_p ** 7 + 25 ** 7))
          * math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))))
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dh_big / sh) ** 2
                     + rt * (dc / sc) * (dh_big / sh))


def test_the_colour_maths_matches_published_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    # Sharma et al.'s test pair 1: Lab(50, 2.6772, -79.7751) vs Lab(50, 0, -82.7485) → 2.0425;
    # through sRGB we check a known pair instead: pure red vs pure blue is about 52.9.
    assert delta_e2000("#ff0000", "#0000ff") == pytest.approx(52.88, abs=0.1)
    assert delta_e2000("#123456", "#123456") == pytest.approx(0)


# ----------------------------------------------------------------------------- the stylesheets


def _rules(css: str) -> list[tuple[list[str], dict[str, str]]]:
    """(selectors, declarations) of every innermost rule, media queries included."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = []
    for selector_text, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {}
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            if value.strip():
                declarations[name.strip()] = value.strip()
        rules.append(([s.strip() for s in selector_text.split(",")], declarations))
    return rules


VARIABLES = {name: value for selectors, body in _rules(APP_CSS) if ":root" in selectors
             for name, value in body.items() if name.startswith("--")}


def _resolve(value: str) -> str:
    found = re.search(r"var\((--[\w-]+)\)", value)
    if found:
        return _resolve(VARIABLES[found.group(1)])
    colour = re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", value)
    assert colour, f"no colour in {value!r}"
    return colour.group(0)


def _declared(css: str, selector: str, prop: str) -> str:
    """The last value of ``prop`` for a rule naming exactly ``selector`` (later rules win)."""
    values = [body[prop] for selectors, body in _rules(css) if selector in selectors
              and prop in body]
    assert values, f"{selector} has no {prop}"
    return _resolve(values[-1])


@pytest.mark.parametrize("selector", [f".grade-{grade}" for grade in GRADES] + [
    ".grade-grey", ".level-green", ".level-yellow", ".level-orange", ".level-red"])
def test_grade_and_level_badge_text_is_readable(selector):
    background = _declared(APP_CSS, selector, "background")
    text = _declared(APP_CSS, selector, "color")
    assert contrast(text, background) >= MIN_TEXT, (selector, text, background)


def test_the_five_grade_badges_look_different():
    fills = {grade: _declared(APP_CSS, f".grade-{grade}", "background") for grade in GRADES}
    for first, second in combinations(GRADES, 2):
        difference = delta_e2000(fills[first], fills[second])
        assert difference >= MIN_DELTA_E, (first, second, fills[first], fills[second], difference)


@pytest.mark.parametrize("selector", [".pill.p1", ".pill.p2", ".flash-error"])
def test_priority_pills_and_alerts_are_readable(selector):
    background = _declared(APP_CSS, selector, "background")
    values = [body["color"] for selectors, body in _rules(APP_CSS)
              if selector in selectors and "color" in body]
    text = _resolve(values[-1]) if values else VARIABLES["--ink"]
    assert contrast(text, background) >= MIN_TEXT, (selector, text, background)


@pytest.mark.parametrize("surface", ["--bg", "--card", "--grey-bg"])
def test_muted_text_is_readable_on_every_surface(surface):
    assert contrast(VARIABLES["--muted"], VARIABLES[surface]) >= MIN_TEXT


def test_every_focus_ring_stands_out_against_its_surface():
    """Page rings against the page and the cards; top-bar rings against the brand blue."""
    rings = [(selectors, body["outline"]) for selectors, body in _rules(PAGE_CSS)
             if any(":focus" in s for s in selectors) and "outline" in body]
    assert any(":focus-visible" in selectors for selectors, _ in rings)
    for selectors, outline in rings:
        assert outline.split()[0] not in ("none", "0"), selectors
        on_bar = all(s.startswith(".topbar") for s in selectors)
        surfaces = ("--brand",) if on_bar else ("--bg", "--card")
        for surface in surfaces:
            ring = _resolve(outline)
            assert contrast(ring, VARIABLES[surface]) >= MIN_FOCUS, (selectors, ring, surface)
    assert any(all(s.startswith(".topbar") for s in selectors) for selectors, _ in rings), \
        "the top bar's links need a ring that shows on blue"


# ----------------------------------------------------------------------------- charts, map, PDF


def test_chart_grade_colours_are_distinct_and_carry_readable_text():
    for first, second in combinations(GRADES, 2):
        difference = delta_e2000(charts.GRADE_COLOURS[first], charts.GRADE_COLOURS[second])
        assert difference >= MIN_DELTA_E, (first, second, difference)
    for grade in GRADES:
        ratio = contrast(charts.GRADE_COLOURS[grade], charts.GRADE_TEXT_COLOURS[grade])
        assert ratio >= MIN_TEXT, (grade, ratio)


def test_chart_labels_are_readable_on_white():
    for colour in (charts.TEXT_COLOUR, charts.MUTED_COLOUR):
        assert contrast(colour, "#ffffff") >= MIN_TEXT, colour


@pytest.mark.parametrize("selector", [".prio-p1", ".prio-p2", ".muted", ".note"])
def test_report_text_is_readable_on_white(selector):
    text = _declared(REPORT_CSS, selector, "color")
    assert contrast(text, "#ffffff") >= MIN_TEXT, (selector, text)
