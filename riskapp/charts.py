"""SVG charts shared by the web pages and the PDF reports: plain data in, SVG markup out.

Every chart is self-contained markup: a ``<title>`` and ``<desc>`` for screen readers, text labels
drawn next to every colour (colour is never the only carrier of meaning), no external references and
no script, so the same string can be inlined in a Jinja page (``|safe``) or in a WeasyPrint report.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from html import escape

from riskapp import formatting

# One family for web and PDF; the report's @font-face ships DejaVu Sans under this name.
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
FONT_SIZE = 11
TEXT_COLOUR = "#263238"
MUTED_COLOUR = "#546e7a"  # 5.4:1 on white (WCAG AA for small text)
GRID_COLOUR = "#cfd8dc"
TRACK_COLOUR = "#eceff1"
DEFAULT_COLOUR = "#37474f"

GRADE_ORDER = ("very_low", "low", "medium", "high", "very_high")
# very_low and low are both green (the rules say so); two shades keep them apart when adjacent.
GRADE_COLOURS = {
    "very_low": "#1b7f3b",
    "low": "#6abf69",
    "medium": "#f2c12e",
    "high": "#ef7d1a",
    "very_high": "#c62828",
}
# Text drawn on a grade colour: chosen for a contrast ratio of at least 4.5:1.
GRADE_TEXT_COLOURS = {
    "very_low": "#ffffff",
    "low": "#0d2b12",
    "medium": "#332600",
    "high": "#2b1300",
    "very_high": "#ffffff",
}


def grade_key(grade: object) -> str:
    """The grade's plain string ('very_low' … 'very_high') for a Grade enum member or a string."""
    return str(grade.value if isinstance(grade, Enum) else grade)


def grade_colour(grade: object) -> str:
    """Fill colour of a grade: very_low/low green, medium yellow, high orange, very_high red."""
    return GRADE_COLOURS[grade_key(grade)]


def grade_text_colour(grade: object) -> str:
    """Readable text colour on top of ``grade_colour(grade)``."""
    return GRADE_TEXT_COLOURS[grade_key(grade)]


@dataclass(frozen=True)
class Bar:
    """One horizontal bar; ``maximum`` draws a track behind it (points out of the maximum)."""

    label: str
    value: float
    maximum: float | None = None
    colour: str = DEFAULT_COLOUR
    value_text: str | None = None


@dataclass(frozen=True)
class Segment:
    """A legend entry of a stacked bar or donut chart: key into the values, words, colour."""

    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class StackedRow:
    label: str
    values: Mapping[str, float]


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    colour: str = DEFAULT_COLOUR
    dash: str | None = None  # SVG stroke-dasharray; None draws a solid line
    marker: str = "circle"  # one of MARKER_SHAPES


# Line styles that tell series apart without colour (WCAG 1.4.1): a dash pattern and a marker
# shape each, drawn in the legend too. Grade trends take them lowest grade first.
LINE_STYLES = (
    (None, "circle"),
    ("7 3", "square"),
    ("2 3", "triangle"),
    ("10 3 2 3", "diamond"),
    ("4 4", "triangle-down"),
)
GRADE_LINE_STYLES = dict(zip(("very_low", "low", "medium", "high", "very_high"), LINE_STYLES,
                             strict=True))
MARKER_SHAPES = {
    "square": "M{x0} {y0}h{d}v{d}h-{d}z",
    "triangle": "M{x} {y0}L{x1} {y1}H{x0}z",
    "diamond": "M{x} {y0}L{x1} {y}L{x} {y1}L{x0} {y}z",
    "triangle-down": "M{x0} {y0}H{x1}L{x} {y1}z",
}


def _fmt(value: float) -> str:
    """A compact number for SVG coordinates and labels."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _chart_id(*parts: object) -> str:
    digest = hashlib.blake2s(repr(parts).encode(), digest_size=5).hexdigest()
    return f"chart-{digest}"


def _truncate(text: str, width_px: float, font_size: float = FONT_SIZE) -> str:
    """Cut a label that would not fit; the full text stays in a <title> for readers."""
    # DejaVu Sans averages about 0.56 em per character in mixed-case text.
    limit = max(3, int(width_px / (font_size * 0.56)))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: float = FONT_SIZE,
          colour: str = TEXT_COLOUR, weight: str = "normal", full: str | None = None) -> str:
    tooltip = f"<title>{escape(full)}</title>" if full and full != text else ""
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{anchor}" font-size="{_fmt(size)}" '
        f'fill="{colour}"{bold}>{tooltip}{escape(text)}</text>'
    )


def _marker(shape: str, x: float, y: float, colour: str, tooltip: str = "",
            radius: float = 3.5) -> str:
    """A point marker of ``shape`` (a circle or a MARKER_SHAPES path) centred on x, y."""
    title = f"<title>{escape(tooltip)}</title>" if tooltip else ""
    if shape not in MARKER_SHAPES:
        return (f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(radius)}" fill="{colour}" '
                f'data-marker="circle">{title}</circle>')
    r = radius + 0.5
    path = MARKER_SHAPES[shape].format(x=_fmt(x), y=_fmt(y), x0=_fmt(x - r), x1=_fmt(x + r),
                                       y0=_fmt(y - r), y1=_fmt(y + r), d=_fmt(2 * r))
    return f'<path d="{path}" fill="{colour}" data-marker="{shape}">{title}</path>'


def _dash(series: Series) -> str:
    return f' stroke-dasharray="{series.dash}"' if series.dash else ""


def _svg(width: float, height: float, title: str, description: str, body: Iterable[str],
         chart_id: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{_fmt(width)}" height="{_fmt(height)}" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{FONT_FAMILY}" '
        f'font-size="{FONT_SIZE}">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _legend_places(labels: Sequence[str], sample_width: float, y: float, width: float,
                   x0: float) -> tuple[list[tuple[float, float]], float]:
    """Where each legend entry starts (x, top), wrapped over lines, and the height used."""
    places, x, line = [], x0, 0
    for label in labels:
        item_width = sample_width + len(label) * FONT_SIZE * 0.6 + 14
        if x > x0 and x + item_width > width:
            x, line = x0, line + 1
        places.append((x, y + line * 16))
        x += item_width
    return places, (line + 1) * 16 if labels else 0


def _legend(segments: Sequence[Segment], y: float, width: float,
            x0: float = 0) -> tuple[str, float]:
    """Swatch + words per segment, wrapped over lines; returns markup and the height used."""
    places, height = _legend_places([s.label for s in segments], 14, y, width, x0)
    parts = []
    for segment, (x, top) in zip(segments, places, strict=True):
        parts.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(top)}" width="10" height="10" rx="2" '
            f'fill="{segment.colour}"/>'
        )
        parts.append(_text(x + 14, top + 9, segment.label))
    return "".join(parts), height


def _line_legend(series: Sequence[Series], y: float, width: float,
                 x0: float = 0) -> tuple[str, float]:
    """A line sample in each series' dash pattern, its marker and its words, wrapped over lines."""
    places, height = _legend_places([e.label for e in series], 30, y, width, x0)
    parts = []
    for entry, (x, top) in zip(series, places, strict=True):
        middle = top + 5
        parts.append(f'<line x1="{_fmt(x)}" y1="{_fmt(middle)}" x2="{_fmt(x + 24)}" '
                     f'y2="{_fmt(middle)}" stroke="{entry.colour}" stroke-width="2"'
                     f'{_dash(entry)} data-legend="1"/>')
        parts.append(_marker(entry.marker, x + 12, middle, entry.colour).replace(
            " data-marker=", ' data-legend="1" data-marker=', 1))
        parts.append(_text(x + 30, middle + 4, entry.label))
    return "".join(parts), height


def bar_chart(bars: Sequence[Bar], *, title: str, description: str = "", width: int = 520,
              label_width: int = 170, bar_height: int = 16, gap: int = 8,
              max_value: float | None = None) -> str:
    """Horizontal bars with their labels on the left and value text on the right.

    The scale is ``max_value`` or the largest maximum/value, so bars with a ``maximum`` compare in
    absolute points (a 40-point section looks bigger than a 10-point one).
    """
    chart_id = _chart_id("bar", title, tuple(bars))
    value_width = 92
    plot_width = width - label_width - value_width
    scale = max_value or max([b.maximum or 0 for b in bars] + [b.value for b in bars] + [1])
    height = max(1, len(bars)) * (bar_height + gap) + gap
    body = []
    for index, bar in enumerate(bars):
        top = gap + index * (bar_height + gap)
        middle = top + bar_height / 2 + FONT_SIZE * 0.35
        label = _truncate(bar.label, label_width - 8)
        body.append(_text(label_width - 8, middle, label, anchor="end", full=bar.label))
        if bar.maximum:
            track = plot_width * bar.maximum / scale
            body.append(
                f'<rect x="{label_width}" y="{top}" width="{_fmt(track)}" height="{bar_height}" '
                f'fill="{TRACK_COLOUR}" stroke="{GRID_COLOUR}" stroke-width="0.5"/>'
            )
        length = plot_width * max(0.0, bar.value) / scale
        body.append(
            f'<rect x="{label_width}" y="{top}" width="{_fmt(length)}" height="{bar_height}" '
            f'fill="{bar.colour}"/>'
        )
        end = label_width + plot_width * max(bar.value, bar.maximum or 0) / scale
        value_text = bar.value_text or (
            f"{_fmt(bar.value)} / {_fmt(bar.maximum)}" if bar.maximum else _fmt(bar.value)
        )
        body.append(_text(end + 6, middle, value_text, colour=MUTED_COLOUR))
    if not bars:
        body.append(_text(width / 2, height / 2 + 4, "—", anchor="middle", colour=MUTED_COLOUR))
    return _svg(width, height, title, description, body, chart_id)


def stacked_bar_chart(rows: Sequence[StackedRow], segments: Sequence[Segment], *, title: str,
                      description: str = "", width: int = 520, label_width: int = 150,
                      bar_height: int = 18, gap: int = 8) -> str:
    """Horizontal stacked bars (e.g. enterprises per grade in each area) with a worded legend."""
    chart_id = _chart_id("stacked", title, tuple(rows), tuple(segments))
    total_width = 48
    plot_width = width - label_width - total_width
    totals = [sum(row.values.get(s.key, 0) for s in segments) for row in rows]
    scale = max(totals + [1])
    legend, legend_height = _legend(segments, gap, width)
    top0 = gap + legend_height + 4
    height = top0 + max(1, len(rows)) * (bar_height + gap)
    body = [legend]
    for index, (row, total) in enumerate(zip(rows, totals, strict=True)):
        top = top0 + index * (bar_height + gap)
        middle = top + bar_height / 2 + FONT_SIZE * 0.35
        body.append(_text(label_width - 8, middle, _truncate(row.label, label_width - 8),
                          anchor="end", full=row.label))
        x = float(label_width)
        for segment in segments:
            value = row.values.get(segment.key, 0)
            if value <= 0:
                continue
            length = plot_width * value / scale
            body.append(
                f'<rect x="{_fmt(x)}" y="{top}" width="{_fmt(length)}" height="{bar_height}" '
                f'fill="{segment.colour}" stroke="#ffffff" stroke-width="0.5">'
                f"<title>{escape(row.label)}: {escape(segment.label)} {_fmt(value)}</title></rect>"
            )
            if length >= 18:
                text_colour = (GRADE_TEXT_COLOURS.get(segment.key) or "#ffffff")
                body.append(_text(x + length / 2, middle, _fmt(value), anchor="middle",
                                  colour=text_colour, size=FONT_SIZE - 1))
            x += length
        body.append(_text(x + 6, middle, _fmt(total), colour=MUTED_COLOUR))
    return _svg(width, height, title, description, body, chart_id)


def _y_axis(ticks: Sequence[tuple[float, str]], left: float, right: float,
            to_y) -> list[str]:
    parts = []
    for value, label in ticks:
        y = to_y(value)
        parts.append(
            f'<line x1="{_fmt(left)}" y1="{_fmt(y)}" x2="{_fmt(right)}" y2="{_fmt(y)}" '
            f'stroke="{GRID_COLOUR}" stroke-width="0.6"/>'
        )
        parts.append(_text(left - 6, y + FONT_SIZE * 0.35, label, anchor="end",
                           colour=MUTED_COLOUR))
    return parts


def _x_labels(labels: Sequence[str], xs: Sequence[float], y: float, plot_width: float) -> list[str]:
    # Thin the labels out when they would overlap; the first and last always show.
    room = plot_width / max(1, len(labels))
    longest = max((len(label) for label in labels), default=1) * FONT_SIZE * 0.6
    step = max(1, math.ceil(longest / max(room, 1)))
    parts = []
    for index, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if index % step == 0 or index == len(labels) - 1:
            parts.append(_text(x, y, label, anchor="middle", colour=MUTED_COLOUR))
    return parts


def line_chart(x_labels: Sequence[str], series: Sequence[Series], *, title: str,
               description: str = "", width: int = 520, height: int = 200,
               y_min: float = 0, y_max: float | None = None,
               y_ticks: Sequence[tuple[float, str]] | None = None, left: int = 44,
               x_notes: Sequence[str] | None = None, unit: str = "") -> str:
    """Lines with markers over evenly spaced x labels; a legend names each series with its dash
    pattern and marker. ``x_notes`` (e.g. each point's n) go under the labels and into every
    point's tooltip; ``unit`` follows the values in the tooltips."""
    chart_id = _chart_id("line", title, tuple(x_labels), tuple(series), tuple(x_notes or ()))
    values = [v for s in series for v in s.values if v is not None]
    top_value = y_max if y_max is not None else max(values + [y_min + 1])
    legend, legend_height = _line_legend(series if len(series) > 1 else [], 4, width, left)
    notes_height = 14 if x_notes else 0
    top, bottom, right = 10 + legend_height, height - 24 - notes_height, width - 14
    span = (top_value - y_min) or 1

    def to_y(value: float) -> float:
        return bottom - (value - y_min) / span * (bottom - top)

    count = len(x_labels)
    xs = [left + 10 + (right - left - 20) * (i / (count - 1) if count > 1 else 0.5)
          for i in range(count)]
    ticks = y_ticks or [(y_min + span * i / 4, _fmt(y_min + span * i / 4)) for i in range(5)]
    body = [legend, *_y_axis(ticks, left, right, to_y)]
    for s in series:
        body += _series_marks(s, xs, to_y, x_labels, x_notes, unit)
    body += _x_labels(x_labels, xs, bottom + 16, right - left)
    if x_notes:
        body += _x_labels(list(x_notes), xs, bottom + 30, right - left)
    return _svg(width, height, title, description, body, chart_id)


def _series_marks(s: Series, xs: Sequence[float], to_y, x_labels: Sequence[str],
                  x_notes: Sequence[str] | None, unit: str) -> list[str]:
    """One series' line (in its dash pattern) and a marker per known value with a tooltip."""
    known = [(i, x, v) for i, (x, v) in enumerate(zip(xs, s.values, strict=False))
             if v is not None]
    parts = []
    if len(known) > 1:
        path = " ".join(f"{_fmt(x)},{_fmt(to_y(v))}" for _, x, v in known)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{s.colour}" '
                     f'stroke-width="2"{_dash(s)}/>')
    for i, x, value in known:
        tooltip = f"{s.label}: {_fmt(value)}{unit}"
        if x_notes:
            tooltip = f"{x_labels[i]} · {tooltip} ({x_notes[i]})"
        parts.append(_marker(s.marker, x, to_y(value), s.colour, tooltip))
    return parts


def grade_history_chart(history: Sequence[tuple[date, object]], *, title: str,
                        grade_words: Mapping[str, str],
                        date_label: Callable[[date], str] | None = None,
                        description: str = "", width: int = 520, height: int = 170,
                        empty_text: str = "—") -> str:
    """An enterprise's grades over time, oldest first, on a five-step axis labelled in words.

    ``grade_words`` maps each grade ('very_low' … 'very_high') to its words in the page's language;
    each axis label carries its colour swatch, and each dot the colour and words of its grade.
    ``date_label`` writes a date (e.g. ``lambda d: formatting.format_date(d, lang)``; Vietnamese
    when not given).
    """
    label = date_label or (lambda day: formatting.format_date(day, "vi"))
    chart_id = _chart_id("history", title, tuple(history), tuple(grade_words.items()))
    left = 24 + int(max(len(w) for w in grade_words.values()) * FONT_SIZE * 0.6)
    top, bottom, right = 10, height - 24, width - 14

    def to_y(rank: float) -> float:
        return bottom - rank / (len(GRADE_ORDER) - 1) * (bottom - top)

    body = _y_axis([(i, grade_words[key]) for i, key in enumerate(GRADE_ORDER)],
                   left, right, to_y)
    for rank, key in enumerate(GRADE_ORDER):
        body.append(f'<rect x="{left - 4}" y="{_fmt(to_y(rank) - 4)}" width="8" height="8" '
                    f'fill="{GRADE_COLOURS[key]}"/>')
    if not history:
        body.append(_text((left + right) / 2, (top + bottom) / 2, empty_text, anchor="middle",
                          colour=MUTED_COLOUR))
        return _svg(width, height, title, description, body, chart_id)
    count = len(history)
    xs = [left + 24 + (right - left - 40) * (i / (count - 1) if count > 1 else 0.5)
          for i in range(count)]
    points = [(x, to_y(GRADE_ORDER.index(grade_key(g)))) for x, (_, g) in zip(xs, history,
                                                                               strict=True)]
    if count > 1:
        path = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{MUTED_COLOUR}" '
                    f'stroke-width="1.5"/>')
    for (x, y), (day, grade) in zip(points, history, strict=True):
        key = grade_key(grade)
        body.append(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="5" fill="{GRADE_COLOURS[key]}" '
            f'stroke="{TEXT_COLOUR}" stroke-width="0.8"><title>{escape(label(day))}: '
            f"{escape(grade_words[key])}</title></circle>"
        )
    body += _x_labels([label(day) for day, _ in history], xs, height - 8, right - left)
    return _svg(width, height, title, description, body, chart_id)


def donut_chart(slices: Sequence[Segment], values: Mapping[str, float], *, title: str,
                description: str = "", centre_text: str = "", size: int = 160,
                width: int = 360, centre_label: str = "") -> str:
    """A ring of ``values`` per segment, the total (or ``centre_text``) in the middle with
    ``centre_label`` under it saying what it counts, and a legend that names each segment with
    its count and share."""
    chart_id = _chart_id("donut", title, tuple(slices), tuple(values.items()))
    total = sum(values.get(s.key, 0) for s in slices)
    radius, thickness = size / 2 - 4, size * 0.18
    cx = cy = size / 2
    mid = radius - thickness / 2
    body = [f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(mid)}" fill="none" '
            f'stroke="{TRACK_COLOUR}" stroke-width="{_fmt(thickness)}"/>']
    angle = -math.pi / 2
    for segment in slices:
        value = values.get(segment.key, 0)
        if total <= 0 or value <= 0:
            continue
        sweep = 2 * math.pi * value / total
        if sweep >= 2 * math.pi - 1e-9:
            body.append(f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(mid)}" fill="none" '
                        f'stroke="{segment.colour}" stroke-width="{_fmt(thickness)}"/>')
            break
        x1, y1 = cx + mid * math.cos(angle), cy + mid * math.sin(angle)
        x2, y2 = cx + mid * math.cos(angle + sweep), cy + mid * math.sin(angle + sweep)
        large = 1 if sweep > math.pi else 0
        body.append(
            f'<path d="M{x1:.2f} {y1:.2f} A{mid:.2f} {mid:.2f} 0 {large} 1 {x2:.2f} {y2:.2f}" '
            f'fill="none" stroke="{segment.colour}" stroke-width="{_fmt(thickness)}">'
            f"<title>{escape(segment.label)}: {_fmt(value)}</title></path>"
        )
        angle += sweep
    hole = mid - thickness / 2
    label = _truncate(centre_label, 2 * hole - 8, FONT_SIZE - 1)
    body.append(_text(cx, cy + (1 if label else 7), centre_text or _fmt(total),
                      anchor="middle", size=20, weight="bold"))
    if label:
        body.append(_text(cx, cy + 17, label, anchor="middle", size=FONT_SIZE - 1,
                          colour=MUTED_COLOUR, full=centre_label))
    for index, segment in enumerate(slices):
        value = values.get(segment.key, 0)
        share = f" ({value / total * 100:.0f} %)" if total > 0 else ""
        y = 14 + index * 20
        body.append(f'<rect x="{size + 16}" y="{y}" width="12" height="12" rx="2" '
                    f'fill="{segment.colour}"/>')
        body.append(_text(size + 34, y + 10, f"{segment.label}: {_fmt(value)}{share}"))
    height = max(size, 14 + len(slices) * 20)
    return _svg(width, height, title, description, body, chart_id)


def grade_segments(grade_words: Mapping[str, str]) -> list[Segment]:
    """Legend entries for the five grades, lowest first, in the words given."""
    return [Segment(key, grade_words[key], GRADE_COLOURS[key]) for key in GRADE_ORDER]
