"""PDF report of a submitted assessment: plain data in, PDF bytes out (no Flask, no ORM).

The template (``templates/reports/assessment.html``, autoescaped) and the print stylesheet
(``static/css/report.css``, fonts under ``static/fonts``) are rendered by WeasyPrint through
``safe_url_fetcher``, which reaches only ``data:`` URLs and the project's own static files.
"""

from __future__ import annotations

import base64
import mimetypes
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from numbers import Real
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from riskapp import charts, formatting

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
# Base URL of the report: relative references (css/report.css, fonts/…) resolve inside static/.
STATIC_BASE_URL = STATIC_DIR.as_uri() + "/"
TEMPLATE_NAME = "reports/assessment.html"
# Reports show Vietnam time (UTC+7 all year, no daylight saving).
REPORT_TIMEZONE = timezone(timedelta(hours=7), "GMT+7")


@dataclass(frozen=True)
class EnterpriseInfo:
    name: str
    tax_code: str
    address: str
    area: str  # path of the area tree, e.g. "Thanh Hóa › Thị xã Nghi Sơn"
    industry: str  # label, already in the report's language
    headcount: int


@dataclass(frozen=True)
class HistoryPoint:
    assessed_on: date
    grade: Any  # riskapp.scoring.Grade


@dataclass(frozen=True)
class ActionInfo:
    item_id: str
    priority: Any  # as the engine gives it ("P1" or an enum)
    action: str  # already in the report's language
    due_on: date
    status: str  # label of the status when the report was generated


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, as plain values (no ORM objects)."""

    report_id: str
    verification_code: str
    verify_url: str
    generated_at: datetime
    lang: str
    enterprise: EnterpriseInfo
    assessed_on: date
    submitted_by: str
    area_level: int
    checklist: Any  # riskapp.scoring.Checklist
    result: Any  # riskapp.scoring.Result
    history: tuple[HistoryPoint, ...] = ()
    actions: tuple[ActionInfo, ...] = ()
    evidence_thumbnails: tuple[str, ...] = ()  # data: URLs of images, shown when present


# msgctxt of the report's labels: the printed wording is its own (the web pages say "Tên" where the
# report says "Tên doanh nghiệp"), so a label never shares a catalogue entry with a page.
REPORT_CONTEXT = "report"


def N_(context: str, msgid: str) -> str:
    """Mark ``msgid`` for extraction under ``context`` (babel.cfg); labels() translates it."""
    return msgid


_LABELS: dict[str, str] = {
    "doc_title": N_("report", "Workplace infection risk assessment report"),
    "enterprise": N_("report", "Enterprise"),
    "name": N_("report", "Name"),
    "tax_code": N_("report", "Tax code"),
    "address": N_("report", "Address"),
    "area": N_("report", "Area"),
    "industry": N_("report", "Industry"),
    "headcount": N_("report", "Head-count"),
    "assessment": N_("report", "Assessment"),
    "assessed_on": N_("report", "Assessment date"),
    "submitted_by": N_("report", "Submitted by"),
    "checklist": N_("report", "Checklist"),
    "version": N_("report", "version"),
    "area_level": N_("report", "Area epidemic level"),
    "level_1": N_("report", "Level 1 – low (green)"),
    "level_2": N_("report", "Level 2 – medium (yellow)"),
    "level_3": N_("report", "Level 3 – high (orange)"),
    "level_4": N_("report", "Level 4 – very high (red)"),
    "next_due": N_("report", "Next assessment due"),
    "engine": N_("report", "Scoring engine version"),
    "result": N_("report", "Result"),
    "grade": N_("report", "Risk grade"),
    "score": N_("report", "Risk score"),
    "score_band": N_("report", "Score band"),
    "decision": N_("report", "Decision"),
    "points_by_section": N_("report", "Risk points by section"),
    "points_by_section_desc": N_(
        "report",
        "Risk points scored out of the maximum of each section."
    ),
    "grade_history": N_("report", "Grade history"),
    "grade_history_desc": N_("report", "The enterprise's grade at each assessment, oldest first."),
    "no_history": N_("report", "No assessment yet"),
    "escalations": N_("report", "Escalations"),
    "no_escalations": N_("report", "No rule raised the grade: the grade is the score band."),
    "rule": N_("report", "Rule"),
    "change": N_("report", "Change"),
    "reason": N_("report", "Reason"),
    "items_title": N_("report", "Items"),
    "item": N_("report", "Item"),
    "question": N_("report", "Question"),
    "answer": N_("report", "Answer"),
    "points": N_("report", "Points"),
    "outcome": N_("report", "Outcome"),
    "failed": N_("report", "Failed"),
    "passed": N_("report", "Passed"),
    "not_counted": N_("report", "Not counted"),
    "critical": N_("report", "critical"),
    "reason_na": N_("report", "Answered: not applicable"),
    "reason_not_applicable": N_("report", "Does not apply to this enterprise"),
    "total": N_("report", "Total"),
    "remediation": N_("report", "Remediation plan"),
    "priority": N_("report", "Priority"),
    "action": N_("report", "Action"),
    "due_on": N_("report", "Due"),
    "status": N_("report", "Status at the time"),
    "priority_legend": N_(
        "report",
        "P1: before the next shift (1 day) · P2: within 7 days · P3: within 30 days."
    ),
    "no_remediation": N_("report", "No item needs remediation."),
    "improvement": N_("report", "Improvement plan"),
    "fix_items": N_("report", "Items to fix"),
    "grade_after": N_("report", "Grade after the fixes"),
    "score_after": N_("report", "Score after the fixes"),
    "blocked_by": N_("report", "Blocked by"),
    "no_improvement": N_("report", "No plan needed: the grade is already the lowest."),
    "evidence": N_("report", "Evidence"),
    "signoff": N_("report", "Sign-off"),
    "prepared_by": N_("report", "Prepared by"),
    "representative": N_("report", "Enterprise representative"),
    "sign_hint": N_("report", "(Signature and full name)"),
    "sign_date": N_("report", "Date: ………………………"),
    "verify_title": N_("report", "Verify this report"),
    "verify_text": N_(
        "report",
        "Scan the QR code or open the address below to check this report. The report is "
        "digitally signed (Ed25519); the public key is published on the verification site."
    ),
    "report_id": N_("report", "Report"),
    "generated_at": N_("report", "Generated"),
    "verification_code": N_("report", "Verification code"),
    "page": N_("report", "Page"),
    "page_of": N_("report", "of"),
    "qr_alt": N_("report", "QR code to the verification page"),
}

SUPPORTED_LANGS = ("vi", "en")


def labels(lang: str) -> dict[str, str]:
    """Every fixed string of the report in ``lang`` ('vi' or 'en'), from the Babel catalogue."""
    if lang not in SUPPORTED_LANGS:
        raise ValueError(f"unsupported report language: {lang!r}")
    catalogue = formatting.translations(lang)
    return {key: catalogue.pgettext(REPORT_CONTEXT, msgid) for key, msgid in _LABELS.items()}


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


def _report_time(value: datetime, lang: str) -> str:
    """Vietnam time with its zone named; a naive value is shown as it is."""
    if value.tzinfo is None:
        return formatting.format_datetime(value, lang)
    return f"{formatting.format_datetime(value, lang, REPORT_TIMEZONE)} (GMT+7)"


def priority_text(priority: Any) -> str:
    """'P1' whether the engine gives 'P1', 1 or an enum member."""
    value = priority.value if isinstance(priority, Enum) else priority
    if isinstance(value, int):
        return f"P{value}"
    return str(value).upper()


def _answer_text(item: Any, answer: Any, lang: str) -> str:
    if answer is None:
        return "—"
    for option in getattr(item, "options", None) or ():
        if option.id == answer:
            return _text(option.label, lang)
    if isinstance(answer, bool):
        return str(answer)
    if isinstance(answer, Real):
        unit = getattr(item, "unit", None)
        if unit is not None:
            suffix = " " + _text(unit, lang)
        else:
            suffix = " %" if "percent" in str(getattr(item, "kind", "")).lower() else ""
        return _number(answer, lang) + suffix
    return str(answer)


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
        "answer": _answer_text(item, outcome.answer, lang),
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
        "generated_at": _report_time(data.generated_at, lang),
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
        "next_due": formatting.format_date(result.next_assessment_due_on, lang),
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
        "total_points": _number(result.score_points, lang),
        "total_max": _number(result.score_max, lang),
    }


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


def _data_url_response(url: str) -> URLFetcherResponse:
    header, comma, payload = url[len("data:"):].partition(",")
    if not comma:
        raise ValueError("malformed data: URL")
    parameters = header.split(";")
    media_type = parameters[0] or "text/plain"
    if "base64" in parameters[1:]:
        body = base64.b64decode(unquote(payload), validate=False)
    else:
        body = unquote(payload).encode("utf-8")
    return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})


def safe_url_fetcher(url: str, headers: dict | None = None) -> URLFetcherResponse:
    """Fetch ``data:`` URLs and files under the project's static/ folder; refuse anything else.

    WeasyPrint's default fetcher follows ``file://`` (and http), so text that reached the template
    could otherwise embed /etc/passwd; this one raises ValueError and WeasyPrint skips the resource.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme == "data":
        return _data_url_response(url)
    if scheme == "file":
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused remote file URL: {url}")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(STATIC_DIR) or not path.is_file():
            raise ValueError(f"refused file outside the static folder: {url}")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": media_type}
        )
    raise ValueError(f"refused URL scheme {scheme or '(none)'!r}: {url}")


class SafeURLFetcher(URLFetcher):
    """WeasyPrint fetcher object (v70 expects a URLFetcher) delegating to ``safe_url_fetcher``."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        return safe_url_fetcher(url, headers)


_local = threading.local()


def _fetcher() -> SafeURLFetcher:
    # URLFetcher is an OpenerDirector with per-request state: one per thread.
    fetcher = getattr(_local, "fetcher", None)
    if fetcher is None:
        fetcher = _local.fetcher = SafeURLFetcher()
    return fetcher


def _font_config() -> FontConfiguration:
    # Loading the shipped fonts into Fontconfig costs about 30 ms a render, so it is done once;
    # a FontConfiguration (Pango font map) is not thread-safe, hence one per thread.
    font_config = getattr(_local, "font_config", None)
    if font_config is None:
        font_config = _local.font_config = FontConfiguration()
    return font_config


def render_pdf(html: str) -> bytes:
    """Render report HTML to PDF with the safe fetcher; relative URLs resolve inside static/."""
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=_fetcher())
    return document.write_pdf(font_config=_font_config())


def render_report(data: ReportData) -> bytes:
    """The unsigned PDF of a report; sign it with ``riskapp.reports.signing.sign_report``."""
    return render_pdf(build_report_html(data))
