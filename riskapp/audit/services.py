"""The auditor's workspace: enterprises of their areas, on-site findings, ZIP exports of reports.

Everything here reaches tenant data through riskapp.tenancy; a background ZIP export rebuilds the
requesting user's scope so it can never include more than that user could open.
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select

from riskapp import checklists, clock, jobs, links, storage, territory
from riskapp.assessments.services import refresh_enterprise_status
from riskapp.audit import visits
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.filters import Filters, enterprises
from riskapp.formatting import answer_words
from riskapp.i18n import current_lang
from riskapp.models import (
    GRADED_STATUSES,
    Assessment,
    AssessmentStatus,
    Enterprise,
    Finding,
    Job,
    JobStatus,
    Report,
    ReportStatus,
    User,
)
from riskapp.models.types import utcnow
from riskapp.pagination import Page, paginate
from riskapp.reports import bundle
from riskapp.reports import services as reports
from riskapp.scoring import (
    Checklist,
    Context,
    InvalidAnswers,
    ItemResult,
    Problem,
    Result,
    coerce_answers,
    score,
    validate,
)
from riskapp.tenancy import Scope, scope_for, scoped

ZIP_JOB_KIND = "audit_zip"
ZIP_TASK = "riskapp.audit.services:build_zip_task"
PAGE_SIZE = 50


# --------------------------------------------------------------------------- the filtered list


def enterprise_query(filters: Filters, scope: Scope | None = None) -> Select:
    """Enterprises within the scope and the filters, with their roll-up row, by name."""
    return enterprises(filters, scope).order_by(Enterprise.name, Enterprise.id)


def enterprise_page(filters: Filters, number: int = 1, scope: Scope | None = None) -> Page:
    return paginate(enterprise_query(filters, scope), number, PAGE_SIZE)


# --------------------------------------------------------------------------- read-only assessment


@dataclass(frozen=True)
class ItemRow:
    item_id: str
    section: str
    question: str
    declared: str
    points: int | None
    max_points: int
    counted: bool
    failed: bool
    critical: bool
    observed: str | None = None  # the latest finding's answer, when it differs
    # The engine's outcome of that observed answer (points, counted, failed), from the
    # finding's own grading: the row's points above stay the declared answer's.
    observed_outcome: ItemResult | None = None


def item_rows(assessment: Assessment, lang: str, finding: Finding | None = None) -> list[ItemRow]:
    """Every item of a submitted assessment with the declared answer and its outcome, and the
    latest finding's differing answer with its own outcome."""
    checklist = checklists.definition(assessment.checklist_version)
    result = Result.from_dict(assessment.result)
    observed = (finding.answers or {}) if finding else {}
    observed_outcomes = _observed_outcomes(finding) if observed else {}
    rows = []
    for outcome in result.items:
        item = checklist.item(outcome.item_id)
        seen = outcome.item_id in observed
        rows.append(
            ItemRow(
                item_id=outcome.item_id,
                section=checklist.section(item.section).title.get(lang),
                question=item.question.get(lang),
                declared=answer_words(item, outcome.answer, lang),
                points=outcome.points,
                max_points=outcome.max_points,
                counted=outcome.counted,
                failed=outcome.failed,
                critical=outcome.critical,
                observed=answer_words(item, observed[outcome.item_id], lang) if seen else None,
                observed_outcome=observed_outcomes.get(outcome.item_id) if seen else None,
            )
        )
    return rows


def _observed_outcomes(finding: Finding) -> dict[str, ItemResult]:
    """Per item, the outcome the engine gave when it graded the finding's answers."""
    return {item.item_id: item for item in Result.from_dict(finding.result).items}


def enterprise_assessments(enterprise_id: int) -> list[Assessment]:
    """The enterprise's graded assessments in reach, newest first."""
    return list(
        db.session.scalars(
            scoped(select(Assessment), Assessment)
            .where(Assessment.enterprise_id == enterprise_id,
                   Assessment.status.in_(GRADED_STATUSES))
            .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        )
    )


# --------------------------------------------------------------------------- findings


class FindingProblems(ValueError):
    """The observed answers cannot be graded; `.problems` maps item ids (or None) to messages."""

    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__("; ".join(p.message.en for p in problems))
        self.problems = problems


def applicable_items(assessment: Assessment):
    """The items the auditor can observe: those that applied in the assessment's context."""
    checklist = checklists.definition(assessment.checklist_version)
    context = Context.from_dict(assessment.context)
    return [item for item in checklist.items if checklist.applies(item, context)]


def _same(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return a == b


def _observed_changes(assessment: Assessment, checklist: Checklist, declared: dict,
                      observed_raw: dict[str, str]) -> dict:
    """The typed observed answers that differ from the declared ones (at least one)."""
    given = {k: v for k, v in observed_raw.items() if v not in ("", None)}
    typed = coerce_answers(checklist, given)
    applicable = {item.id for item in applicable_items(assessment)}
    observed = {
        item_id: value
        for item_id, value in typed.items()
        if item_id in applicable and not _same(value, declared.get(item_id))
    }
    if not observed:
        raise FindingProblems(())
    return observed


def _grade(checklist: Checklist, context: Context, answers: dict, on: date) -> Result:
    problems = validate(checklist, context, answers)
    if problems:
        raise FindingProblems(problems)
    try:
        return score(checklist, context, answers, on)
    except InvalidAnswers as error:
        raise FindingProblems(error.problems) from error


class VisitBeforeAssessment(ValueError):
    """A visit dated before the assessment it checks."""


def takes_findings(assessment: Assessment) -> bool:
    """Findings are recorded on the enterprise's current submitted assessment only."""
    return assessment.status == AssessmentStatus.SUBMITTED


def record_finding(
    assessment: Assessment,
    auditor: User,
    visited_on: date,
    observed_raw: dict[str, str],
    note: str | None = None,
    confirmed: bool = False,
    stamp: dict | None = None,
) -> Finding:
    """Store an on-site finding and grade the observed answers with the same engine and context.

    Only the items whose observed answer differs from the declared one are kept. Confirmed means
    the auditor saw what was declared. Raises FindingProblems when the observed answers cannot be
    graded, VisitBeforeAssessment for a visit dated before the assessment, and ValueError when
    the assessment is not the current submitted one. `stamp`: the phone form's client id, place
    and time (riskapp.audit.capture)."""
    if not takes_findings(assessment):
        raise ValueError("findings are recorded on the current submitted assessment")
    if assessment.assessed_on and visited_on < assessment.assessed_on:
        raise VisitBeforeAssessment(_("The visit cannot be before the assessment date."))
    checklist = checklists.definition(assessment.checklist_version)
    context = Context.from_dict(assessment.context)
    declared = dict(assessment.answers or {})
    observed = {} if confirmed else _observed_changes(assessment, checklist, declared,
                                                      observed_raw)
    result = _grade(checklist, context, {**declared, **observed}, visited_on)
    finding = Finding(
        assessment_id=assessment.id, enterprise_id=assessment.enterprise_id,
        province_id=assessment.province_id, auditor_id=auditor.id, visited_on=visited_on,
        confirmed=confirmed, answers=observed, note=(note or "").strip() or None,
        result=result.to_dict(), score=result.score, grade=result.grade, **(stamp or {}),
    )
    db.session.add(finding)
    db.session.flush()
    refresh_enterprise_status(assessment.enterprise_id)
    record(
        "finding_recorded",
        finding,
        details={
            "assessment_id": assessment.id,
            "confirmed": confirmed,
            "items": sorted(observed),
            "declared_grade": assessment.grade.value if assessment.grade else None,
            "audited_grade": result.grade.value,
        },
        user=auditor,
    )
    visits.visits_done_by_finding(assessment.enterprise_id, auditor)
    return finding


# --------------------------------------------------------------------------- ZIP export


def start_zip(filters: Filters, user: User, enterprise_ids: list[int] | None = None) -> Job:
    """Queue a ZIP of the latest reports of the filtered enterprises (built after the commit);
    with `enterprise_ids` (the auditor's visits), only those among them."""
    job = Job(
        id=str(uuid.uuid4()),
        kind=ZIP_JOB_KIND,
        status=JobStatus.QUEUED,
        progress=0,
        total=0,
        # The worker has no request: the reports it renders link to the address asked from.
        params={"filters": filters.args(), "base_url": links.base_url(), "lang": current_lang(),
                "enterprise_ids": enterprise_ids},
        created_by_id=user.id,
        province_id=user.province_id,
    )
    db.session.add(job)
    db.session.flush()
    record("zip_export_started", job, details={"filters": filters.args()}, user=user)
    jobs.enqueue(ZIP_TASK, job.id, key=f"zip:{job.id}", province_id=job.province_id)
    return job


def job_status(job: Job) -> dict:
    done = job.status == JobStatus.DONE
    percent = int(100 * job.progress / job.total) if job.total else (100 if done else 0)
    return {
        "id": job.id,
        "status": job.status.value,
        "progress": job.progress,
        "total": job.total,
        "percent": percent,
        "error": job.error if job.status == JobStatus.FAILED else None,
    }


def _exports_dir() -> Path:
    path = Path(current_app.config["STORAGE_DIR"]) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _zip_entry(enterprise: Enterprise, assessment: Assessment) -> bundle.IndexRow:
    name = bundle.entry_name(enterprise.tax_code, enterprise.name, assessment.assessed_on)
    return bundle.IndexRow(enterprise.tax_code, enterprise.name, assessment.grade,
                           assessment.assessed_on, assessment.submitted_at, name,
                           made_in_id=assessment.area_id, area_id=enterprise.area_id)


def _zip_given_up(job_id: str, *, reason: str) -> None:
    """The export's worker died on every attempt."""
    jobs.mark_failed(Job, job_id, reason)


@jobs.task(budget=1800, attempts=2, on_give_up=_zip_given_up)
def build_zip_task(job_id: str) -> str:
    """Background task: write the ZIP, updating the job's progress after each report."""
    return jobs.run_progress_row(Job, job_id, _build_zip, "ZIP export")


def _build_zip(job: Job) -> str:
    user = db.session.get(User, job.created_by_id) if job.created_by_id else None
    # The requesting user's reach, rebuilt here: the export never holds more than they could open.
    scope = scope_for(user) if user else None
    filters = Filters.from_args((job.params or {}).get("filters", {}))
    statement = enterprise_query(filters, scope) if scope else None
    chosen = (job.params or {}).get("enterprise_ids")
    if statement is not None and chosen is not None:
        statement = statement.where(Enterprise.id.in_(chosen))
    rows = db.session.execute(statement).all() if statement is not None else []
    targets = [
        (enterprise, status.current_assessment_id)
        for enterprise, status in rows
        if status is not None and status.current_assessment_id
    ]
    job.status = JobStatus.RUNNING
    job.started_at = utcnow()
    job.total = len(targets)
    job.progress = 0
    db.session.commit()

    final_path = _exports_dir() / f"{job.id}.zip"
    # Published under its name by the commit that marks the job done; a failure removes it.
    with storage.staging(final_path) as temp_path:
        with zipfile.ZipFile(temp_path, "w", compression=zipfile.ZIP_STORED) as archive:
            included = _write_reports(archive, job, targets)
    job.status = JobStatus.DONE
    job.result_path = str(final_path)
    job.result_name = _result_name(job)
    job.params = {**(job.params or {}), "report_ids": included}
    job.finished_at = utcnow()
    db.session.commit()
    return "done"


def _result_name(job: Job) -> str:
    """The name the ZIP is downloaded as: the province's day and the job's short id."""
    day = territory.province_today(job.province_id)
    return f"bao-cao-{day.isoformat()}-{job.id[:8]}.zip"


def _write_reports(archive: zipfile.ZipFile, job: Job, targets: list) -> list[int]:
    """Each target's report into the archive, then the index; the ids of the reports written."""
    params = job.params or {}
    base_url = params.get("base_url")
    included: list[int] = []
    index: list[bundle.IndexRow] = []
    for enterprise, assessment_id in targets:
        assessment = db.session.get(Assessment, assessment_id)
        report = (reports.report_of(assessment_id, "vi")
                  or reports.schedule_render(assessment, base_url=base_url))
        db.session.commit()
        # This is a background worker: rendering a missing report here blocks no request.
        reports.ensure_rendered(report, base_url)
        if report.status == ReportStatus.READY:
            entry = _zip_entry(enterprise, assessment)
            archive.writestr(entry.file_name, reports.stored_pdf(report))
            index.append(entry)
            included.append(report.id)
        job.progress += 1
        db.session.commit()
    tz = clock.zone(territory.province_zone(job.province_id))  # the day a submission counts on
    tree = territory.area_tree(job.province_id)
    archive.writestr(bundle.INDEX_NAME,
                     bundle.index_csv(index, params.get("lang", "vi"), tz, tree))
    return included


def record_zip_download(job: Job, user: User) -> int:
    """One report_downloaded entry per report in the ZIP: every enterprise sees the download."""
    report_ids = (job.params or {}).get("report_ids", [])
    for report in db.session.scalars(select(Report).where(Report.id.in_(report_ids))):
        reports.record_download(report, user, via="zip")
    return len(report_ids)
