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
from datetime import UTC, date, datetime, timedelta, timezone
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

from riskapp import charts

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


_LABELS: dict[str, dict[str, str]] = {
    "doc_title": {
        "vi": "Báo cáo đánh giá nguy cơ lây nhiễm tại nơi làm việc",
        "en": "Workplace infection risk assessment report",
    },
    "enterprise": {"vi": "Doanh nghiệp", "en": "Enterprise"},
    "name": {"vi": "Tên doanh nghiệp", "en": "Name"},
    "tax_code": {"vi": "Mã số thuế", "en": "Tax code"},
    "address": {"vi": "Địa chỉ", "en": "Address"},
    "area": {"vi": "Địa bàn", "en": "Area"},
    "industry": {"vi": "Ngành nghề", "en": "Industry"},
    "headcount": {"vi": "Số lao động", "en": "Head-count"},
    "assessment": {"vi": "Thông tin đánh giá", "en": "Assessment"},
    "assessed_on": {"vi": "Ngày đánh giá", "en": "Assessment date"},
    "submitted_by": {"vi": "Người nộp", "en": "Submitted by"},
    "checklist": {"vi": "Bộ tiêu chí", "en": "Checklist"},
    "version": {"vi": "phiên bản", "en": "version"},
    "area_level": {"vi": "Cấp độ dịch địa bàn", "en": "Area epidemic level"},
    "level_1": {"vi": "Cấp 1 – nguy cơ thấp (xanh)", "en": "Level 1 – low (green)"},
    "level_2": {"vi": "Cấp 2 – nguy cơ trung bình (vàng)", "en": "Level 2 – medium (yellow)"},
    "level_3": {"vi": "Cấp 3 – nguy cơ cao (cam)", "en": "Level 3 – high (orange)"},
    "level_4": {"vi": "Cấp 4 – nguy cơ rất cao (đỏ)", "en": "Level 4 – very high (red)"},
    "next_due": {"vi": "Hạn đánh giá lại", "en": "Next assessment due"},
    "engine": {"vi": "Phiên bản chấm điểm", "en": "Scoring engine version"},
    "result": {"vi": "Kết quả đánh giá", "en": "Result"},
    "grade": {"vi": "Mức nguy cơ", "en": "Risk grade"},
    "score": {"vi": "Điểm nguy cơ", "en": "Risk score"},
    "score_band": {"vi": "Mức theo điểm", "en": "Score band"},
    "decision": {"vi": "Quyết định", "en": "Decision"},
    "points_by_section": {"vi": "Điểm nguy cơ theo nhóm tiêu chí", "en": "Risk points by section"},
    "points_by_section_desc": {
        "vi": "Điểm nguy cơ đạt được trên điểm tối đa của từng nhóm tiêu chí.",
        "en": "Risk points scored out of the maximum of each section.",
    },
    "grade_history": {"vi": "Lịch sử mức nguy cơ", "en": "Grade history"},
    "grade_history_desc": {
        "vi": "Mức nguy cơ của doanh nghiệp qua các lần đánh giá, cũ nhất trước.",
        "en": "The enterprise's grade at each assessment, oldest first.",
    },
    "no_history": {"vi": "Chưa có lần đánh giá nào", "en": "No assessment yet"},
    "escalations": {"vi": "Quy tắc nâng mức nguy cơ", "en": "Escalations"},
    "no_escalations": {
        "vi": "Không có quy tắc nào nâng mức: mức nguy cơ là mức theo điểm.",
        "en": "No rule raised the grade: the grade is the score band.",
    },
    "rule": {"vi": "Quy tắc", "en": "Rule"},
    "change": {"vi": "Thay đổi", "en": "Change"},
    "reason": {"vi": "Lý do", "en": "Reason"},
    "items_title": {"vi": "Kết quả từng tiêu chí", "en": "Items"},
    "item": {"vi": "Mã", "en": "Item"},
    "question": {"vi": "Tiêu chí", "en": "Question"},
    "answer": {"vi": "Trả lời", "en": "Answer"},
    "points": {"vi": "Điểm", "en": "Points"},
    "outcome": {"vi": "Kết quả", "en": "Outcome"},
    "failed": {"vi": "Không đạt", "en": "Failed"},
    "passed": {"vi": "Đạt", "en": "Passed"},
    "not_counted": {"vi": "Không tính", "en": "Not counted"},
    "critical": {"vi": "trọng yếu", "en": "critical"},
    "reason_na": {"vi": "Trả lời: không áp dụng", "en": "Answered: not applicable"},
    "reason_not_applicable": {
        "vi": "Không áp dụng với doanh nghiệp này",
        "en": "Does not apply to this enterprise",
    },
    "total": {"vi": "Tổng", "en": "Total"},
    "remediation": {"vi": "Kế hoạch khắc phục", "en": "Remediation plan"},
    "priority": {"vi": "Ưu tiên", "en": "Priority"},
    "action": {"vi": "Biện pháp", "en": "Action"},
    "due_on": {"vi": "Hạn", "en": "Due"},
    "status": {"vi": "Trạng thái khi lập báo cáo", "en": "Status at the time"},
    "priority_legend": {
        "vi": "P1: trước ca làm việc tiếp theo (1 ngày) · P2: trong 7 ngày · P3: trong 30 ngày.",
        "en": "P1: before the next shift (1 day) · P2: within 7 days · P3: within 30 days.",
    },
    "no_remediation": {
        "vi": "Không có tiêu chí nào cần khắc phục.",
        "en": "No item needs remediation.",
    },
    "improvement": {"vi": "Phương án hạ mức nguy cơ", "en": "Improvement plan"},
    "fix_items": {"vi": "Tiêu chí cần khắc phục", "en": "Items to fix"},
    "grade_after": {"vi": "Mức nguy cơ sau khắc phục", "en": "Grade after the fixes"},
    "score_after": {"vi": "Điểm sau khắc phục", "en": "Score after the fixes"},
    "blocked_by": {"vi": "Bị chặn bởi", "en": "Blocked by"},
    "no_improvement": {
        "vi": "Không cần phương án: mức nguy cơ đã ở mức thấp nhất.",
        "en": "No plan needed: the grade is already the lowest.",
    },
    "evidence": {"vi": "Ảnh minh chứng", "en": "Evidence"},
    "signoff": {"vi": "Xác nhận", "en": "Sign-off"},
    "prepared_by": {"vi": "Người lập báo cáo", "en": "Prepared by"},
    "representative": {"vi": "Đại diện doanh nghiệp", "en": "Enterprise representative"},
    "sign_hint": {"vi": "(Ký, ghi rõ họ tên)", "en": "(Signature and full name)"},
    "sign_date": {"vi": "Ngày ….. tháng ….. năm ……", "en": "Date: ………………………"},
    "verify_title": {"vi": "Xác minh báo cáo", "en": "Verify this report"},
    "verify_text": {
        "vi": "Quét mã QR hoặc mở địa chỉ dưới đây để kiểm tra báo cáo. Báo cáo được ký số "
        "(Ed25519); khóa công khai được công bố trên trang xác minh.",
        "en": "Scan the QR code or open the address below to check this report. The report is "
        "digitally signed (Ed25519); the public key is published on the verification site.",
    },
    "report_id": {"vi": "Mã báo cáo", "en": "Report"},
    "generated_at": {"vi": "Lập lúc", "en": "Generated"},
    "verification_code": {"vi": "Mã xác minh", "en": "Verification code"},
    "page": {"vi": "Trang", "en": "Page"},
    "page_of": {"vi": "/", "en": "of"},
    "qr_alt": {"vi": "Mã QR dẫn tới trang xác minh", "en": "QR code to the verification page"},
}

SUPPORTED_LANGS = ("vi", "en")


def labels(lang: str) -> dict[str, str]:
    """Every fixed string of the report in ``lang`` ('vi' or 'en')."""
    if lang not in SUPPORTED_LANGS:
        raise ValueError(f"unsupported report language: {lang!r}")
    return {key: texts[lang] for key, texts in _LABELS.items()}


def _text(value: Any, lang: str) -> str:
    """A bilingual engine Text in ``lang``, or the value itself as a string."""
    if value is None:
        return ""
    if hasattr(value, "get") and not isinstance(value, dict | str):
        return value.get(lang)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def format_number(value: float | int, lang: str, decimals: int | None = None) -> str:
    """A number as the language writes it: 1.250,5 in Vietnamese, 1,250.5 in English."""
    value = float(value)
    if decimals is None:
        decimals = 0 if value.is_integer() else 1
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_date(value: date, lang: str) -> str:
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.strftime("%d %b %Y")


def format_datetime(value: datetime, lang: str) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(REPORT_TIMEZONE)
    zone = " (GMT+7)" if value.tzinfo is not None else ""
    return f"{format_date(value.date(), lang)} {value:%H:%M}{zone}"


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
        return format_number(answer, lang) + suffix
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


def _build_view(data: ReportData) -> dict[str, Any]:
    """Turn the report data into the flat strings and rows the template prints."""
    lang, result, checklist = data.lang, data.result, data.checklist
    text = labels(lang)
    grade_words = _grade_words(lang, type(result.grade))
    section_titles = {s.id: _text(s.title, lang) for s in checklist.sections}

    rows_by_section: dict[str, list[dict[str, Any]]] = {s.id: [] for s in checklist.sections}
    for outcome in result.items:
        item = checklist.item(outcome.item_id)
        if not outcome.counted:
            state, state_key = text["not_counted"], "not-counted"
        elif outcome.failed:
            state, state_key = text["failed"], "failed"
        else:
            state, state_key = text["passed"], "passed"
        rows_by_section.setdefault(outcome.section, []).append({
            "id": outcome.item_id,
            "question": _text(item.question, lang),
            "critical": bool(outcome.critical),
            "answer": _answer_text(item, outcome.answer, lang),
            "points": (
                f"{format_number(outcome.points, lang)} / {format_number(outcome.max_points, lang)}"
                if outcome.counted else "—"
            ),
            "state": state,
            "state_key": state_key,
            "note": (
                text.get(f"reason_{outcome.not_counted_reason}", "")
                if not outcome.counted else ""
            ),
        })
    item_sections = [
        {"title": section_titles.get(section_id, section_id), "rows": rows}
        for section_id, rows in rows_by_section.items() if rows
    ]

    bars = [
        charts.Bar(
            label=_text(s.title, lang),
            value=float(s.points),
            maximum=float(s.max_points),
            colour="#455a64",
            value_text=f"{format_number(s.points, lang)} / {format_number(s.max_points, lang)}",
        )
        for s in result.sections if s.max_points
    ]
    section_chart = charts.bar_chart(
        bars, title=text["points_by_section"], description=text["points_by_section_desc"],
        width=340, label_width=162, bar_height=11, gap=5,
    )
    history = [(p.assessed_on, p.grade) for p in data.history]
    history_chart = charts.grade_history_chart(
        history, title=text["grade_history"], description=text["grade_history_desc"],
        grade_words=grade_words, width=340, height=150, empty_text=text["no_history"],
        date_format="%d/%m/%y" if lang == "vi" else "%d %b %y",
    )

    escalations = [
        {
            "rule": e.rule,
            "from": _grade_view(e.from_grade, lang),
            "to": _grade_view(e.to_grade, lang),
            "reason": _text(e.reason, lang),
        }
        for e in result.escalations
    ]

    if data.actions:
        actions = [
            {"priority": priority_text(a.priority), "item_id": a.item_id, "action": a.action,
             "due_on": format_date(a.due_on, lang), "status": a.status}
            for a in data.actions
        ]
    else:
        actions = [
            {"priority": priority_text(r.priority), "item_id": r.item_id,
             "action": _text(r.action, lang), "due_on": format_date(r.due_on, lang), "status": "—"}
            for r in result.remediation
        ]

    plan = result.improvement_plan
    improvement = None
    if plan is not None and (plan.item_ids or plan.message):
        blocked = plan.blocked_by
        if isinstance(blocked, list | tuple | set | frozenset):
            blocked = ", ".join(str(b) for b in blocked)
        improvement = {
            "message": _text(plan.message, lang),
            "fixes": [
                {"id": item_id, "question": _text(checklist.item(item_id).question, lang)}
                for item_id in plan.item_ids
            ],
            "grade_after": _grade_view(plan.grade_after, lang) if plan.grade_after else None,
            "score_after": (
                format_number(plan.score_after, lang, 1) if plan.score_after is not None else ""
            ),
            "blocked_by": _text(blocked, lang) if blocked else "",
        }

    enterprise = data.enterprise
    return {
        "lang": lang,
        "t": text,
        "report_id": data.report_id,
        "verification_code": data.verification_code,
        "verify_url": data.verify_url,
        "generated_at": format_datetime(data.generated_at, lang),
        "enterprise": {
            "name": enterprise.name,
            "tax_code": enterprise.tax_code,
            "address": enterprise.address,
            "area": enterprise.area,
            "industry": enterprise.industry,
            "headcount": format_number(enterprise.headcount, lang),
        },
        "assessed_on": format_date(data.assessed_on, lang),
        "submitted_by": data.submitted_by,
        "area_level": data.area_level,
        "area_level_text": text.get(f"level_{data.area_level}", str(data.area_level)),
        "area_level_colour": {1: "#1b7f3b", 2: "#f2c12e", 3: "#ef7d1a", 4: "#c62828"}.get(
            data.area_level, "#607d8b"),
        "checklist_id": result.checklist_id,
        "checklist_version": result.checklist_version,
        "checklist_title": _text(checklist.title, lang),
        "engine_version": result.engine_version,
        "next_due": (
            format_date(result.next_assessment_due_on, lang)
            if result.next_assessment_due_on else "—"
        ),
        "grade": _grade_view(result.grade, lang),
        "band": _grade_view(result.band, lang),
        "score": format_number(result.score, lang, 1),
        "decision": _text(result.decision, lang),
        "section_chart": section_chart,
        "history_chart": history_chart,
        "escalations": escalations,
        "item_sections": item_sections,
        "total_points": format_number(result.score_points, lang),
        "total_max": format_number(result.score_max, lang),
        "actions": actions,
        "improvement": improvement,
        "evidence": [url for url in data.evidence_thumbnails if url.startswith("data:image/")],
        "qr_svg": qr_svg(data.verify_url),
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


# A typical garment factory in Nghi Sơn at epidemic level 3: medium by score, raised by the rules.
SAMPLE_ANSWERS: dict[str, Any] = {
    "ORG-1": "yes", "ORG-2": "no", "ORG-3": "yes", "ORG-4": "yes",
    "CTX-1": 620, "CTX-2": 4200, "CTX-3": "coworkers", "CTX-4": "no",
    "SCR-1": "partial", "SCR-2": "all", "SCR-3": "yes", "SCR-4": "no", "SCR-5": "no",
    "HYG-1": "yes", "HYG-2": 85, "HYG-3": "some", "HYG-4": "incomplete",
    "MSK-1": "yes", "MSK-2": "yes", "MSK-3": "partial", "MSK-4": "yes", "MSK-5": "na",
    "VEN-1": "partial", "CAN-1": "one_to_two", "CAN-2": "no",
    "TRN-1": 40, "TRN-2": 2, "TRN-3": "all", "VAC-1": 72, "COM-1": "yes",
}


def sample_report_data(lang: str = "vi") -> ReportData:
    """A realistic report scored by the real engine, for previews, tests and benchmarks."""
    from riskapp.scoring import DEFAULT_CHECKLIST_ID, Grade, get_checklist, score

    checklist = get_checklist(DEFAULT_CHECKLIST_ID)
    assessed_on = date(2021, 10, 18)
    context = {"area_level": 3, "has_canteen": True, "has_shuttle": True}
    result = score(checklist, context, SAMPLE_ANSWERS, assessed_on)
    status = {"vi": ("Đang thực hiện", "Chưa thực hiện"), "en": ("In progress", "Open")}[lang]
    actions = tuple(
        ActionInfo(entry.item_id, entry.priority, entry.action.get(lang), entry.due_on,
                   status[0] if index < 2 else status[1])
        for index, entry in enumerate(result.remediation)
    )
    history = (
        HistoryPoint(date(2021, 7, 5), Grade.HIGH),
        HistoryPoint(date(2021, 8, 2), Grade.MEDIUM),
        HistoryPoint(date(2021, 9, 6), Grade.LOW),
        HistoryPoint(date(2021, 9, 27), Grade.MEDIUM),
        HistoryPoint(assessed_on, result.grade),
    )
    code = "7KQ2-9XHD"
    return ReportData(
        report_id="RPT-2021-000123",
        verification_code=code,
        verify_url=f"https://riskapp.thanhhoa.gov.vn/verify/{code}",
        generated_at=datetime(2021, 10, 18, 2, 30, tzinfo=UTC),
        lang=lang,
        enterprise=EnterpriseInfo(
            name="Công ty TNHH May mặc Hải Hà – Nghi Sơn",
            tax_code="2801234567",
            address="Lô C4, Khu kinh tế Nghi Sơn, phường Hải Hòa",
            area="Thanh Hóa › Thị xã Nghi Sơn",
            industry=("C14 – Sản xuất trang phục" if lang == "vi"
                      else "C14 – Manufacture of wearing apparel"),
            headcount=1250,
        ),
        assessed_on=assessed_on,
        submitted_by="Nguyễn Thị Hương",
        area_level=3,
        checklist=checklist,
        result=result,
        history=history,
        actions=actions,
    )
