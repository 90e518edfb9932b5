"""Assessments (draft → submitted → superseded), on-site findings and the per-enterprise roll-up."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.db import Base, JSONType
from riskapp.models.checklist import ChecklistVersion
from riskapp.models.enterprise import Enterprise
from riskapp.models.enums import AssessmentStatus, Grade, ReviewStatus
from riskapp.models.types import TZDateTime, enum_column, utcnow

# Assessments that carry a grade: the current one and those it replaced (never a draft).
GRADED_STATUSES = (AssessmentStatus.SUBMITTED, AssessmentStatus.SUPERSEDED)


OPEN_DRAFT = text("status = 'draft'")


class Assessment(Base):
    __tablename__ = "assessment"
    __table_args__ = (
        Index("ix_assessment_enterprise_status", "enterprise_id", "status"),
        # Revision 0007: one open draft per enterprise, kept by the database (parallel "new
        # assessment" posts all passed a check-then-insert and made several).
        Index("uq_assessment_one_draft", "enterprise_id", unique=True,
              sqlite_where=OPEN_DRAFT, postgresql_where=OPEN_DRAFT),
        # Revision 0005: the roll-up finds the assessment a submit replaced without a full scan.
        Index("ix_assessment_superseded_by", "superseded_by_id"),
        Index("ix_assessment_province_status_date", "province_id", "status", "assessed_on"),
        # Added by revision 0004: the weekly trend under an industry or size filter reads
        # this index (a date range) instead of the assessment rows.
        Index("ix_assessment_trend", "province_id", "assessed_on", "status", "enterprise_id",
              "grade"),
        # Revision 0011: the review queue (pending, oldest first) is a range of this index.
        Index("ix_assessment_review_queue", "province_id", "review_status", "status",
              "submitted_at", "id"),
        Index("ix_assessment_corrects", "corrects_id"),
        # Revision 0018: assessments of other enterprises with the very same answers.
        Index("ix_assessment_answers_hash", "province_id", "answers_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    # The enterprise's area when it was submitted: history stays where it was made after a
    # merge, split or the 2025 reform moves the enterprise.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"))
    checklist_version_id: Mapped[int] = mapped_column(ForeignKey("checklist_version.id"))
    status: Mapped[AssessmentStatus] = mapped_column(
        enum_column(AssessmentStatus), default=AssessmentStatus.DRAFT
    )
    # Drafts keep raw form strings; a submitted assessment keeps the typed answers it was graded on.
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    context: Mapped[dict | None] = mapped_column(JSONType)
    result: Mapped[dict | None] = mapped_column(JSONType)
    assessed_on: Mapped[date | None] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float)
    band: Mapped[Grade | None] = mapped_column(enum_column(Grade))
    grade: Mapped[Grade | None] = mapped_column(enum_column(Grade))
    failed_critical: Mapped[int] = mapped_column(Integer, default=0)
    next_due_on: Mapped[date | None] = mapped_column(Date)
    # The grade under the area's current epidemic level; the submitted snapshot above never changes.
    effective_grade: Mapped[Grade | None] = mapped_column(enum_column(Grade))
    effective_area_level: Mapped[int | None] = mapped_column(Integer)
    effective_result: Mapped[dict | None] = mapped_column(JSONType)
    effective_next_due_on: Mapped[date | None] = mapped_column(Date)
    regraded_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # Optimistic lock for drafts edited by two people at once.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    # Makes a repeated submit (double click, retry) land once.
    submit_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # Revision 0018: how it was submitted ("web" form, else NULL: API, import, seed) and the
    # hash of its normalised answers (riskapp/forensics/answers.py).
    submitted_via: Mapped[str | None] = mapped_column(String(8))
    answers_hash: Mapped[str | None] = mapped_column(String(64))
    superseded_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL")
    )

    # The authority's review (NULL for a draft); an assessment submitted before reviews existed
    # counts as accepted automatically (revision 0011).
    review_status: Mapped[ReviewStatus | None] = mapped_column(enum_column(ReviewStatus))
    # The assessment returned for correction that this one corrects.
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL")
    )

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    checklist_version: Mapped[ChecklistVersion] = relationship(lazy="joined")

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT

    @property
    def current_grade(self) -> Grade | None:
        return self.effective_grade or self.grade

    @property
    def accepted_grade(self) -> Grade | None:
        """The declared grade once the authority accepted it (by review or automatically)."""
        return self.grade if self.review_status and self.review_status.is_accepted else None

    @property
    def current_next_due_on(self) -> date | None:
        """THE next-assessment due date every page, the API and the PDF show: the re-graded one
        (a level change may move it) else the submitted one."""
        return self.effective_next_due_on or self.next_due_on


class Finding(Base):
    """An auditor's on-site finding on a submitted assessment, graded with the same engine."""

    __tablename__ = "finding"
    __table_args__ = (
        Index("ix_finding_province_created", "province_id", "created_at"),
        # Added by revision 0015: a finding sent again from the phone (offline sync) is the same.
        Index("uq_finding_client", "province_id", "auditor_id", "client_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    auditor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    visited_on: Mapped[date] = mapped_column(Date)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Only the items whose observed answer differs from the declared one.
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSONType)
    score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[Grade | None] = mapped_column(enum_column(Grade))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # Revision 0015, the phone form: the id the browser made (idempotent sync), and where and
    # when the auditor was, when they allowed the browser to say so.
    client_id: Mapped[str | None] = mapped_column(String(40))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    observed_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    assessment: Mapped[Assessment] = relationship(lazy="joined")


class EnterpriseStatus(Base):
    """One row per enterprise: what the dashboards read, kept current in the writing transaction."""

    __tablename__ = "enterprise_status"
    __table_args__ = (
        Index("ix_enterprise_status_province_grade", "province_id", "effective_grade"),
        Index("ix_enterprise_status_province_area", "province_id", "area_id"),
        Index("ix_enterprise_status_province_industry", "province_id", "industry"),
        # Added by revision 0002_province for the province dashboard.
        Index("ix_enterprise_status_area_grade", "province_id", "area_id", "effective_grade"),
        Index("ix_enterprise_status_industry_grade", "province_id", "industry", "effective_grade"),
        Index("ix_enterprise_status_province_audited", "province_id", "audited_grade"),
        Index("ix_enterprise_status_province_assessed", "province_id", "assessed_on"),
        # Added by revision 0004 (covering indexes: the dashboard reads indexes, not rows).
        Index("ix_enterprise_status_dashboard", "province_id", "area_id", "effective_grade",
              "declared_grade", "next_due_on", "current_assessment_id", "industry", "headcount",
              "assessed_on"),
        Index("ix_enterprise_status_industry_dashboard", "province_id", "industry",
              "effective_grade", "next_due_on", "current_assessment_id", "headcount", "area_id",
              "declared_grade", "assessed_on"),
        Index("ix_enterprise_status_ranking", "province_id", "effective_grade", "failed_critical",
              "current_assessment_id", "area_id", "industry", "headcount"),
        Index("ix_enterprise_status_due_dashboard", "province_id", "next_due_on",
              "current_assessment_id", "area_id", "industry", "headcount", "effective_grade"),
        Index("ix_enterprise_status_current", "current_assessment_id", "province_id", "area_id",
              "industry", "headcount", "effective_grade"),
        Index("ix_enterprise_status_province_regraded", "province_id", "regraded_at"),
        Index("ix_enterprise_status_province_updated", "province_id", "updated_at"),
    )

    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    industry: Mapped[str] = mapped_column(String(1))
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    current_assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL")
    )
    assessed_on: Mapped[date | None] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float)
    declared_grade: Mapped[Grade | None] = mapped_column(enum_column(Grade))
    effective_grade: Mapped[Grade | None] = mapped_column(enum_column(Grade))
    previous_grade: Mapped[Grade | None] = mapped_column(enum_column(Grade))
    failed_critical: Mapped[int] = mapped_column(Integer, default=0)
    next_due_on: Mapped[date | None] = mapped_column(Date)
    audited_grade: Mapped[Grade | None] = mapped_column(enum_column(Grade))
    audited_on: Mapped[date | None] = mapped_column(Date)
    assessment_count: Mapped[int] = mapped_column(Integer, default=0)
    regraded_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)
