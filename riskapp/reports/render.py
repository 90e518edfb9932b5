"""PDF report of a submitted assessment: plain data in, PDF bytes out (no Flask, no ORM).

The template (``templates/reports/assessment.html``, autoescaped) and the print stylesheet
(``static/css/report.css``, fonts under ``static/fonts``) are rendered by WeasyPrint through
``safe_url_fetcher``, which reaches only ``data:`` URLs and the project's own static files.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from riskapp import charts, clock, formatting
from riskapp.reports.data import ReportData
from riskapp.reports.labels import labels, review_statement
from riskapp.reports.pdf import PROJECT_ROOT, render_pdf

TEMPLATES_DIR = PROJECT_ROOT / "templates"
TEMPLATE_NAME = "reports/assessment.html"


def _text(value: Any, lang: str) -> str:
    """A bilingual engine Text in ``lang``, or the value itself as a string."""
    if value is None:
        return ""
    if hasattr(value, "get") and not isinstance(value, dict | str):
        return value.get(lang)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _number(value: float | int, lang: str) -> str:
    """A count or measure as the report writes it: no decimals when whole, else one (1.250,5)."""
    return formatting.format_number(value, lang, 1, trim_whole=True)


def _out_of(points: float | int, maximum: float | int, lang: str) -> str:
    return f"{_number(points, lang)} / {_number(maximum, lang)}"


def _report_time(value: datetime, lang: str, zone_name: str) -> str:
    """The province's wall-clock time with its offset named (GMT+7 in Vietnam); a naive value is
    shown as it is."""
    if value.tzinfo is None:
        return formatting.format_datetime(value, lang)
    zone = clock.zone(zone_name)
    return (f"{formatting.format_datetime(value, lang, zone)} "
            f"({clock.utc_offset_label(value, zone)})")


def priority_text(priority: Any) -> str:
    """'P1' whether the engine gives 'P1', 1 or an enum member."""
    value = priority.value if isinstance(priority, Enum) else priority
    if isinstance(value, int):
        return f"P{value}"
    return str(value).upper()


def qr_svg(url: str) -> str:
    """The verification URL as an inline SVG QR code (medium error correction)."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=2, border=2, dark="#000")


def _capitalised(text: str) -> str:
    # Grade words are lower case for use inside sentences; labels start with a capital.
    return text[:1].upper() + text[1:]


def _grade_words(lang: str, grade_type: type) -> dict[str, str]:
    return {charts.grade_key(g): _capitalised(_text(g.label, lang)) for g in grade_type}


def _grade_view(grade: Any, lang: str) -> dict[str, str]:
    return {
        "key": charts.grade_key(grade),
        "words": _capitalised(_text(grade.label, lang)),
        "colour": charts.grade_colour(grade),
        "text_colour": charts.grade_text_colour(grade),
    }


def _item_row(outcome: Any, item: Any, text: dict[str, str], lang: str) -> dict[str, Any]:
    if not outcome.counted:
        state, state_key = text["not_counted"], "not-counted"
    elif outcome.failed:
        state, state_key = text["failed"], "failed"
    else:
        state, state_key = text["passed"], "passed"
    return {
        "id": outcome.item_id,
        "question": _text(item.question, lang),
        "critical": bool(outcome.critical),
        "answer": formatting.answer_words(item, outcome.answer, lang),
        "points": _out_of(outcome.points, outcome.max_points, lang) if outcome.counted else "—",
        "state": state,
        "state_key": state_key,
        "note": text.get(f"reason_{outcome.not_counted_reason}", "") if not outcome.counted else "",
    }


def _item_sections(data: ReportData, text: dict[str, str]) -> list[dict[str, Any]]:
    """The items table: each section's title and its rows, in the checklist's order."""
    lang, checklist = data.lang, data.checklist
    titles = {s.id: _text(s.title, lang) for s in checklist.sections}
    rows_by_section: dict[str, list[dict[str, Any]]] = {s.id: [] for s in checklist.sections}
    for outcome in data.result.items:
        row = _item_row(outcome, checklist.item(outcome.item_id), text, lang)
        rows_by_section.setdefault(outcome.section, []).append(row)
    return [
        {"title": titles.get(section_id, section_id), "rows": rows}
        for section_id, rows in rows_by_section.items() if rows
    ]


def _section_chart(data: ReportData, text: dict[str, str]) -> str:
    lang = data.lang
    bars = [
        charts.Bar(
            label=_text(s.title, lang),
            value=float(s.points),
            maximum=float(s.max_points),
            colour="#455a64",
            value_text=_out_of(s.points, s.max_points, lang),
        )
        for s in data.result.sections if s.max_points
    ]
    return charts.bar_chart(
        bars, title=text["points_by_section"], description=text["points_by_section_desc"],
        width=340, label_width=162, bar_height=11, gap=5,
    )


def _history_chart(data: ReportData, text: dict[str, str]) -> str:
    lang = data.lang
    return charts.grade_history_chart(
        [(p.assessed_on, p.grade) for p in data.history],
        title=text["grade_history"], description=text["grade_history_desc"],
        grade_words=_grade_words(lang, type(data.result.grade)), width=340, height=150,
        empty_text=text["no_history"],
        date_label=lambda day: formatting.format_short_date(day, lang),
    )


def _escalations(data: ReportData) -> list[dict[str, Any]]:
    lang = data.lang
    return [
        {
            "rule": e.rule,
            "from": _grade_view(e.from_grade, lang),
            "to": _grade_view(e.to_grade, lang),
            "reason": _text(e.reason, lang),
        }
        for e in data.result.escalations
    ]


def _actions(data: ReportData) -> list[dict[str, str]]:
    """The remediation plan: the stored actions with their status, else the engine's list."""
    lang = data.lang
    if data.actions:
        return [
            {"priority": priority_text(a.priority), "item_id": a.item_id, "action": a.action,
             "due_on": formatting.format_date(a.due_on, lang), "status": a.status}
            for a in data.actions
        ]
    return [
        {"priority": priority_text(r.priority), "item_id": r.item_id,
         "action": _text(r.action, lang), "due_on": formatting.format_date(r.due_on, lang),
         "status": "—"}
        for r in data.result.remediation
    ]


def _improvement(data: ReportData) -> dict[str, Any] | None:
    """The plan to lower the grade, or None when the engine has nothing to say."""
    lang, plan = data.lang, data.result.improvement_plan
    if plan is None or not (plan.item_ids or plan.message):
        return None
    blocked = plan.blocked_by
    if isinstance(blocked, list | tuple | set | frozenset):
        blocked = ", ".join(str(b) for b in blocked)
    return {
        "message": _text(plan.message, lang),
        "fixes": [
            {"id": item_id, "question": _text(data.checklist.item(item_id).question, lang)}
            for item_id in plan.item_ids
        ],
        "grade_after": _grade_view(plan.grade_after, lang) if plan.grade_after else None,
        "score_after": (
            formatting.format_number(plan.score_after, lang, 1)
            if plan.score_after is not None else ""
        ),
        "blocked_by": _text(blocked, lang) if blocked else "",
    }


def _enterprise(data: ReportData) -> dict[str, str]:
    enterprise = data.enterprise
    return {
        "name": enterprise.name,
        "tax_code": enterprise.tax_code,
        "address": enterprise.address,
        "area": enterprise.area,
        "industry": enterprise.industry,
        "headcount": _number(enterprise.headcount, data.lang),
    }


AREA_LEVEL_COLOURS = {1: "#1b7f3b", 2: "#f2c12e", 3: "#ef7d1a", 4: "#c62828"}


def _header(data: ReportData, text: dict[str, str]) -> dict[str, Any]:
    """The report's identity and the facts of the assessment (masthead, facts table, footer)."""
    lang, result = data.lang, data.result
    return {
        "lang": lang,
        "t": text,
        "report_id": data.report_id,
        "verification_code": data.verification_code,
        "verify_url": data.verify_url,
        "generated_at": _report_time(data.generated_at, lang, data.timezone),
        "enterprise": _enterprise(data),
        "assessed_on": formatting.format_date(data.assessed_on, lang),
        "submitted_by": data.submitted_by,
        "area_level": data.area_level,
        "area_level_text": text.get(f"level_{data.area_level}", str(data.area_level)),
        "area_level_colour": AREA_LEVEL_COLOURS.get(data.area_level, "#607d8b"),
        "checklist_id": result.checklist_id,
        "checklist_version": result.checklist_version,
        "checklist_title": _text(data.checklist.title, lang),
        "engine_version": result.engine_version,
        "next_due": formatting.format_date(data.next_due_on or result.next_assessment_due_on, lang),
        "qr_svg": qr_svg(data.verify_url),
    }


def _outcome(data: ReportData) -> dict[str, Any]:
    """The grade, the score and the totals."""
    lang, result = data.lang, data.result
    return {
        "grade": _grade_view(result.grade, lang),
        "band": _grade_view(result.band, lang),
        "score": formatting.format_number(result.score, lang, 1),
        "decision": _text(result.decision, lang),
        "review_note": _review_note(data),
        "total_points": _number(result.score_points, lang),
        "total_max": _number(result.score_max, lang),
    }


def _review_note(data: ReportData) -> str | None:
    """Which grade the report shows: "Self-declared grade — accepted by the province on …"."""
    return review_statement(data.review_status, data.review_decided_on, data.lang)


def _build_view(data: ReportData) -> dict[str, Any]:
    """Turn the report data into the flat strings and rows the template prints."""
    text = labels(data.lang)
    return {
        **_header(data, text),
        **_outcome(data),
        "section_chart": _section_chart(data, text),
        "history_chart": _history_chart(data, text),
        "escalations": _escalations(data),
        "item_sections": _item_sections(data, text),
        "actions": _actions(data),
        "improvement": _improvement(data),
        "evidence": [url for url in data.evidence_thumbnails if url.startswith("data:image/")],
    }


_environment: Environment | None = None


def _jinja() -> Environment:
    global _environment
    if _environment is None:
        _environment = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    return _environment


def build_report_html(data: ReportData) -> str:
    """The report as an HTML page (autoescaped; SVG charts and QR code are generated markup)."""
    return _jinja().get_template(TEMPLATE_NAME).render(**_build_view(data))


def render_report(data: ReportData) -> bytes:
    """The unsigned PDF of a report; sign it with ``riskapp.reports.signing.sign_report``."""
    return render_pdf(build_report_html(data))
