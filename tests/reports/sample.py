"""A realistic report scored by the real engine, for tests, previews and benchmarks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from riskapp.reports.data import ActionInfo, EnterpriseInfo, HistoryPoint, ReportData
from riskapp.scoring import DEFAULT_CHECKLIST_ID, Grade, get_checklist, score

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
    """The sample factory's report in ``lang``, with a grade history and two actions under way."""
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
