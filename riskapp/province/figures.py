"""The province's charts, built by riskapp.charts from the aggregates: the one code path that
serves the dashboard pages and any PDF report of them."""

from __future__ import annotations

from flask_babel import gettext as _

from riskapp import charts, formatting
from riskapp.i18n import current_lang
from riskapp.models import Grade
from riskapp.province.aggregates import Tally, Trend
from riskapp.templating import grade_words


def grade_donut(tally: Tally) -> str:
    words = grade_words()
    return charts.donut_chart(
        list(reversed(charts.grade_segments(words))), tally.by_grade,
        title=_("Enterprises by final grade"),
        description=_("%(n)d assessed enterprises by final grade", n=tally.assessed),
        centre_text=formatting.format_number(tally.assessed, current_lang()),
        centre_label=_("assessed"),
    )


def grade_stack(tallies: list[Tally], title: str) -> str:
    words = grade_words()
    rows = [charts.StackedRow(t.label, dict(t.by_grade)) for t in tallies]
    return charts.stacked_bar_chart(
        rows, charts.grade_segments(words), title=title,
        description=_("Number of enterprises of each final grade per row"), width=640,
        label_width=190,
    )


def trend_chart(trend: Trend, lang: str | None = None) -> str:
    """Each grade's share of the assessments per point (a week, or a four-week window when
    `Trend.readable` folded sparse weeks); points labelled by their first day and month in
    ``lang`` (the page's), with the number of assessments under each and in every tooltip.
    Lines differ by dash pattern and marker shape as well as colour."""
    words = grade_words()
    shares = trend.shares()
    series = []
    for grade in reversed(Grade):
        dash, marker = charts.GRADE_LINE_STYLES[grade.value]
        series.append(charts.Series(words[grade.value], shares[grade.value],
                                    charts.grade_colour(grade), dash, marker))
    lang = lang or current_lang()
    if trend.span_weeks > 1:
        title = _("Share of each grade per %(n)d weeks", n=trend.span_weeks)
        description = _("Share of the assessments submitted in each %(n)d-week window, by "
                        "submitted grade, %%", n=trend.span_weeks)
    else:
        title = _("Weekly share of each grade")
        description = _("Share of the assessments submitted each week, by submitted grade, %%")
    return charts.line_chart(
        [formatting.format_day_month(week, lang) for week in trend.weeks], series,
        title=title, description=description, width=640, height=260, y_min=0, y_max=100,
        y_ticks=[(v, f"{v} %") for v in (0, 25, 50, 75, 100)],
        x_notes=[f"n = {formatting.format_number(n, lang)}" for n in trend.totals], unit=" %",
    )


def reporting_bars(tallies: list[Tally]) -> str:
    bars = [
        charts.Bar(t.label, round((t.on_time_rate or 0) * 100, 1), 100, "#1565c0",
                   f"{(t.on_time_rate or 0) * 100:.0f} %")
        for t in tallies
    ]
    return charts.bar_chart(bars, title=_("Share with a current assessment, by area"),
                            description=_("Enterprises with a current assessment, % per area"),
                            width=640, label_width=190, max_value=100)


def gap_bars(gaps, limit: int = 12) -> str:
    bars = [
        charts.Bar(f"{gap.item_id} {gap.label}", round(gap.share * 100, 1), 100,
                   "#c62828" if gap.critical else "#ef7d1a", f"{gap.share * 100:.0f} %")
        for gap in gaps[:limit]
    ]
    return charts.bar_chart(bars, title=_("Items failed most often"),
                            description=_("Share of assessed enterprises failing each item, %"),
                            width=640, label_width=260, max_value=100)


def history_chart(assessments) -> str:
    """An enterprise's final grades over time, oldest first."""
    history = [(a.assessed_on, a.current_grade) for a in reversed(assessments)
               if a.assessed_on and a.current_grade]
    return charts.grade_history_chart(history, title=_("Grade history"),
                                      grade_words=grade_words())
