"""The PDF report's fixed wording: English msgids under their own context, translated from the
project's catalogues in the report's language (no Flask: the renderer is plain Python)."""

from __future__ import annotations

from riskapp import formatting

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
    # Which grade this is: the enterprise's own, and what the authority's review made of it.
    "review_pending": N_("report", "Self-declared grade — awaiting review by the province"),
    "review_accepted": N_("report", "Self-declared grade — accepted by the province on "
                          "%(date)s"),
    "review_auto_accepted": N_("report", "Self-declared grade — accepted automatically (the "
                               "province does not review this grade)"),
    "review_returned": N_("report", "Self-declared grade — returned for correction by the "
                          "province on %(date)s"),
    "review_as_of": N_("report", "(review status when this report was generated)"),
}

SUPPORTED_LANGS = ("vi", "en")


def review_statement(status: str | None, decided_on, lang: str) -> str | None:
    """What the authority's review made of a self-declared grade, in ``lang`` (None before
    reviews existed): the report's line, and /verify's line about the review today."""
    if status is None:
        return None
    text = labels(lang)[f"review_{status}"]
    return text % {"date": formatting.format_date(decided_on, lang)} if "%(date)s" in text \
        else text


def labels(lang: str) -> dict[str, str]:
    """Every fixed string of the report in ``lang`` ('vi' or 'en'), from the Babel catalogue."""
    if lang not in SUPPORTED_LANGS:
        raise ValueError(f"unsupported report language: {lang!r}")
    catalogue = formatting.translations(lang)
    return {key: catalogue.pgettext(REPORT_CONTEXT, msgid) for key, msgid in _LABELS.items()}
