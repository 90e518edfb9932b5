"""The shared SVG charts: well-formed, accessible, self-contained, and drawn to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from riskapp import charts, formatting
from riskapp.charts import Bar, Segment, Series, StackedRow

SVG = "{http://www.w3.org/2000/svg}"
WORDS = {"very_low": "rất thấp", "low": "thấp", "medium": "trung bình", "high": "cao",
         "very_high": "rất cao"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def own_text(element: ET.Element) -> str:
    """Text of a <text> without its <title> tooltip."""
    parts = [element.text or ""] + [child.tail or "" for child in element]
    return "".join(parts)


def all_charts() -> list[str]:
    return [
        charts.bar_chart([Bar("Tổ chức", 10, 30), Bar("Sàng lọc", 15, 30)], title="Điểm"),
        charts.stacked_bar_chart(
            [StackedRow("Nghi Sơn", {"low": 3, "high": 1})], charts.grade_segments(WORDS),
            title="Phân bố"),
        charts.line_chart(["T1", "T2"], [Series("Điểm", [40.0, 35.5])], title="Điểm theo tháng"),
        charts.grade_history_chart([(date(2021, 8, 1), "medium")], title="Lịch sử",
                                   grade_words=WORDS),
        charts.donut_chart(charts.grade_segments(WORDS), {"low": 2, "very_high": 2},
                           title="Doanh nghiệp"),
    ]


@pytest.mark.parametrize("svg", all_charts())
def test_every_chart_is_accessible_and_self_contained(svg):
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    labelled_by = root.get("aria-labelledby").split()
    assert labelled_by == [title.get("id"), desc.get("id")]
    lowered = svg.lower()
    assert "<script" not in lowered and "href" not in lowered and "url(" not in lowered
    assert " on" not in re.sub(r'"[^"]*"', '""', lowered)  # no event-handler attributes


def test_labels_are_escaped_not_interpreted():
    hostile = '<script>alert("x")</script> & co'
    root = parse(charts.bar_chart([Bar(hostile, 1)], title=hostile, description=hostile))
    assert root.find(f"{SVG}title").text == hostile
    assert "<script>" not in charts.bar_chart([Bar(hostile, 1)], title="t")
    assert not list(root.iter(f"{SVG}script"))


def test_bar_lengths_follow_the_values_on_one_scale():
    root = parse(charts.bar_chart([Bar("a", 5, 10), Bar("b", 20, 40)], title="t"))
    rects = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    track_a, bar_a, track_b, bar_b = rects
    assert bar_a == pytest.approx(track_a / 2, abs=0.01)
    assert bar_b == pytest.approx(track_b / 2, abs=0.01)
    assert track_b == pytest.approx(track_a * 4, abs=0.01)
    assert "5 / 10" in texts(root) and "20 / 40" in texts(root)


def test_long_labels_are_shortened_but_kept_whole_in_a_tooltip():
    label = "Khẩu trang và khoảng cách giữa các vị trí làm việc trong xưởng"
    root = parse(charts.bar_chart([Bar(label, 3, 10)], title="t", label_width=100))
    text = next(t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None)
    assert own_text(text).endswith("…") and len(own_text(text)) < len(label)
    assert text.find(f"{SVG}title").text == label


def test_stacked_bars_pair_every_colour_with_words():
    segments = charts.grade_segments(WORDS)
    root = parse(charts.stacked_bar_chart(
        [StackedRow("Nghi Sơn", {"low": 3, "high": 1}), StackedRow("Sầm Sơn", {"medium": 2})],
        segments, title="t"))
    drawn = texts(root)
    for segment in segments:
        assert segment.label in drawn  # legend words next to each swatch
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert fills == [charts.GRADE_COLOURS[k] for k in ("low", "high", "medium")]
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")
              if r.find(f"{SVG}title") is not None]
    assert widths[0] == pytest.approx(widths[1] * 3, abs=0.02)
    assert widths[2] == pytest.approx(widths[1] * 2, abs=0.02)


def test_grade_colours_follow_the_rules():
    hues = {key: colour for key, colour in charts.GRADE_COLOURS.items()}

    def rgb(hex_colour: str) -> tuple[int, int, int]:
        return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))

    for key in ("very_low", "low"):
        r, g, b = rgb(hues[key])
        assert g > r and g > b  # green
    r, g, b = rgb(hues["medium"])
    assert r > 200 and g > 150 and b < 100  # yellow
    r, g, b = rgb(hues["high"])
    assert r > 200 and 80 < g < 160 and b < 80  # orange
    r, g, b = rgb(hues["very_high"])
    assert r > 150 and g < 80 and b < 80  # red
    assert charts.grade_colour("high") == hues["high"]


def test_grade_history_places_each_assessment_on_its_grade():
    history = [(date(2021, 7, 2), "high"), (date(2021, 8, 1), "medium"),
               (date(2021, 9, 14), "very_high")]
    root = parse(charts.grade_history_chart(history, title="t", grade_words=WORDS))
    dots = list(root.iter(f"{SVG}circle"))
    assert [d.get("fill") for d in dots] == [charts.GRADE_COLOURS[g] for _, g in history]
    xs = [float(d.get("cx")) for d in dots]
    ys = [float(d.get("cy")) for d in dots]
    assert xs == sorted(xs)  # oldest first, left to right
    assert ys[2] < ys[0] < ys[1]  # higher grade drawn higher
    assert dots[1].find(f"{SVG}title").text == "01/08/2021: trung bình"
    for words in WORDS.values():
        assert words in texts(root)  # the axis names every grade


def test_grade_history_dates_are_written_by_the_caller():
    history = [(date(2021, 8, 1), "medium")]
    english = parse(charts.grade_history_chart(
        history, title="t", grade_words=WORDS,
        date_label=lambda day: formatting.format_date(day, "en")))
    assert "1 Aug 2021" in texts(english)
    assert list(english.iter(f"{SVG}circle"))[0].find(f"{SVG}title").text == (
        "1 Aug 2021: trung bình")
    vietnamese = parse(charts.grade_history_chart(history, title="t", grade_words=WORDS))
    assert "01/08/2021" in texts(vietnamese)


def test_grade_history_without_points_says_so():
    root = parse(charts.grade_history_chart([], title="t", grade_words=WORDS,
                                            empty_text="Chưa có"))
    assert "Chưa có" in texts(root)
    assert not list(root.iter(f"{SVG}circle"))


def test_line_chart_draws_a_marker_per_known_value_and_a_legend_for_many_series():
    root = parse(charts.line_chart(
        ["T1", "T2", "T3"],
        [Series("Điểm", [40, None, 30], "#123456"), Series("Ngưỡng", [50, 50, 50], "#654321")],
        title="t", y_max=100))
    assert len([c for c in root.iter(f"{SVG}circle") if not c.get("data-legend")]) == 5
    assert {"Điểm", "Ngưỡng", "T1", "T3"} <= set(texts(root))


def test_donut_shares_add_up_and_are_written():
    segments = charts.grade_segments(WORDS)
    root = parse(charts.donut_chart(segments, {"low": 1, "high": 3}, title="t"))
    drawn = texts(root)
    assert "thấp: 1 (25 %)" in drawn and "cao: 3 (75 %)" in drawn and "4" in drawn
    arcs = [p for p in root.iter(f"{SVG}path")]
    assert [a.get("stroke") for a in arcs] == [charts.GRADE_COLOURS["low"],
                                               charts.GRADE_COLOURS["high"]]
    assert " 1 1 " in arcs[1].get("d")  # the 75 % slice takes the large arc


def test_donut_with_one_slice_is_a_full_ring():
    root = parse(charts.donut_chart([Segment("a", "A", "#111111")], {"a": 5}, title="t"))
    rings = [c for c in root.iter(f"{SVG}circle") if c.get("stroke") == "#111111"]
    assert len(rings) == 1


def test_province_trend_weeks_are_labelled_in_the_pages_language(app):
    from flask import session

    from riskapp.models import Grade
    from riskapp.province.aggregates import Trend
    from riskapp.province.figures import trend_chart

    trend = Trend(weeks=[date(2026, 11, 30), date(2026, 12, 7)],
                  counts={g.value: [1, 2] for g in Grade}, source="weekly roll-up")
    for lang, week in (("vi", "07/12"), ("en", "7 Dec")):
        with app.test_request_context():
            session["lang"] = lang
            assert week in texts(parse(trend_chart(trend)))
    assert "07/12" in texts(parse(trend_chart(trend, "vi")))


def test_donut_centre_figure_says_what_it_counts():
    root = parse(charts.donut_chart(charts.grade_segments(WORDS), {"low": 1, "high": 3}, title="t",
                                    centre_label="đã đánh giá"))
    drawn = texts(root)
    assert "4" in drawn and "đã đánh giá" in drawn


def test_line_chart_series_differ_by_dash_and_marker_shape_not_only_colour():
    series = [Series(f"S{i}", [10 * i, 20, 30], "#333333", dash=dash, marker=marker)
              for i, (dash, marker) in enumerate(charts.LINE_STYLES)]
    root = parse(charts.line_chart(["a", "b", "c"], series, title="t", y_max=100))
    lines = [p for p in root.iter(f"{SVG}polyline")]
    dashes = {line.get("stroke-dasharray") for line in lines}
    assert len(dashes) == len(charts.LINE_STYLES)  # one solid (None) and the rest dashed apart
    shapes = {element.get("data-marker") for element in root.iter()
              if element.get("data-marker")}
    assert len(shapes) == len(charts.LINE_STYLES)
    # The legend draws each series' own dash pattern next to its words.
    legend_lines = [line for line in root.iter(f"{SVG}line") if line.get("data-legend")]
    assert {line.get("stroke-dasharray") for line in legend_lines} == dashes


def test_line_chart_writes_a_note_under_each_point_and_in_its_tooltip():
    root = parse(charts.line_chart(["a", "b"], [Series("S", [40, 60])], title="t",
                                   x_notes=["n = 3", "n = 12"], unit=" %"))
    assert {"n = 3", "n = 12"} <= set(texts(root))
    tips = ["".join(t.itertext()) for c in root.iter(f"{SVG}circle") for t in c
            if not c.get("data-legend")]
    assert tips == ["a · S: 40 % (n = 3)", "b · S: 60 % (n = 12)"]
