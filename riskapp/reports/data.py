"""What a PDF report shows, as plain values read from the database (no ORM objects): the one
input of riskapp.reports.render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


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
    # The assessment's one next due date (re-graded or submitted); None: the result's own.
    next_due_on: date | None = None
    # The authority's review when the report was made (a ReviewStatus value; None before reviews)
    # and the day it was decided.
    review_status: str | None = None
    review_decided_on: date | None = None
    timezone: str = "Asia/Ho_Chi_Minh"  # the province's IANA zone: the footer's time is there
