"""The closed round's PDF summary, rendered in the background from the frozen figures (never
from live data), so it does not change when assessments do."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from riskapp import formatting, jobs
from riskapp.db import db
from riskapp.models import ReportingRound
from riskapp.rounds import snapshot

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE = "rounds/summary_pdf.html"
# A whole province's list runs to thousands of pages: the PDF names the first ones, the XLSX all.
PDF_MISSING_LIMIT = 300
_environment: Environment | None = None


def _jinja() -> Environment:
    global _environment
    if _environment is None:
        _environment = Environment(loader=FileSystemLoader(TEMPLATES_DIR),
                                   autoescape=select_autoescape(default=True),
                                   undefined=StrictUndefined)
    return _environment


def _labels() -> dict[str, str]:
    return {"doc_title": _("Reporting round summary"), "opens_on": _("Opens on"),
            "due_on": _("Due on"), "frozen_on": _("Figures frozen on"), "area": _("Area"),
            "expected": _("Expected"), "received": _("Received"), "on_time": _("On time"),
            "accepted": _("Accepted"), "reporting_rate": _("Reporting rate"),
            "on_time_rate": _("On-time rate"), "total": _("Total"),
            "missing": _("Not reported"), "tax_code": _("Tax code"),
            "enterprise": _("Enterprise"), "officers": _("Officers"),
            "none_missing": _("Every targeted enterprise reported."),
            "more": _("The summary XLSX lists all of them.")}


def _percent(rate: float | None, lang: str) -> str:
    return "–" if rate is None else f"{formatting.format_number(100 * rate, lang, 1)} %"


def _row(figures: dict, label: str, depth: int, lang: str) -> dict:
    tally = snapshot.tally(figures)
    return {"label": label, "depth": depth,
            **{name: formatting.format_number(getattr(tally, name), lang)
               for name in ("expected", "received", "on_time", "accepted")},
            "reporting_rate": _percent(tally.reporting_rate, lang),
            "on_time_rate": _percent(tally.on_time_rate, lang)}


def summary_html(frozen: dict, lang: str) -> str:
    with force_locale(lang):
        view = {
            "lang": lang, "t": _labels(), "title": frozen["title"],
            "opens_on": formatting.format_date(date.fromisoformat(frozen["opens_on"]), lang),
            "due_on": formatting.format_date(date.fromisoformat(frozen["due_on"]), lang),
            "frozen_on": formatting.format_date(date.fromisoformat(frozen["built_on"]), lang),
            "rows": [_row(r, r["label"], r["depth"], lang) for r in frozen["rows"]],
            "total": _row(frozen["total"], _("Total"), 0, lang),
            "missing": frozen["missing"][:PDF_MISSING_LIMIT],
            "missing_count": len(frozen["missing"]),
        }
    return _jinja().get_template(TEMPLATE).render(**view)


@jobs.task(budget=300, attempts=3)
def render_pdf_task(round_id: int, lang: str = "vi") -> str:
    """Render and store the PDF of a closed round once (a repeated run finds it stored)."""
    # WeasyPrint is imported only where a PDF is made.
    from riskapp.reports.pdf import render_pdf  # noqa: PLC0415

    round_ = db.session.get(ReportingRound, round_id, populate_existing=True)
    if round_ is None or round_.snapshot is None:
        return "missing"
    if round_.pdf_file:
        return "ready"
    round_.pdf_file = snapshot.stage_file(round_, "pdf", render_pdf(summary_html(
        round_.snapshot, lang)))
    db.session.commit()
    return "ready"

