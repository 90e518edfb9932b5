"""The assessment life cycle: draft → submitted (immutable snapshot) → superseded.

Services flush, never commit: the request (or the task) that calls them commits once.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError

from riskapp import checklists, territory
from riskapp.assessments import actions
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.forensics import services as forensics
from riskapp.models import (
    GRADED_STATUSES,
    AreaLevel,
    Assessment,
    AssessmentStatus,
    Enterprise,
    EnterpriseStatus,
    Finding,
    Grade,
)
from riskapp.models.types import utcnow
from riskapp.reports.services import schedule_render
from riskapp.reviews import services as reviews
from riskapp.rounds import receipts
from riskapp.scoring import (
    Checklist,
    Context,
    InvalidAnswers,
    Problem,
    Result,
    coerce_answers,
    score,
    validate,
)
from riskapp.tenancy import scoped
from riskapp.webhooks import payloads

# Context keys the officer declares in the form; the rest comes from the profile and the area.
DECLARED_CONTEXT_KEYS = ("confirmed_case_14d",)


# One cap on a stored answer, for the form, autosave and the API alike: the longest real answer
# is a number or an option id; without it a million characters went into a draft.
MAX_ANSWER_LENGTH = 200


class StaleDraft(Exception):
    """Someone else saved the draft since this form was opened."""

    def __init__(self, current: Assessment):
        super().__init__("draft changed since it was opened")
        self.current = current


class LockVersionMissing(StaleDraft):
    """A save that does not say which version it was read at: it could overwrite anything
    saved meanwhile, so it is refused like a stale one (nothing stored, the typing kept)."""


def new_submit_token() -> str:
    return secrets.token_urlsafe(24)


def checklist_of(assessment: Assessment) -> Checklist:
    return checklists.definition(assessment.checklist_version)


def result_of(assessment: Assessment, effective: bool = False) -> Result | None:
    """The stored engine result (the effective one after re-grading, when asked and present)."""
    data = assessment.effective_result if effective and assessment.effective_result else None
    data = data or assessment.result
    return Result.from_dict(data) if data else None


def current_draft(enterprise: Enterprise) -> Assessment | None:
    return db.session.scalar(
        select(Assessment)
        .where(Assessment.enterprise_id == enterprise.id,
               Assessment.status == AssessmentStatus.DRAFT)
        .order_by(Assessment.id.desc())
        .limit(1)
    )


def current_submitted(enterprise_id: int) -> Assessment | None:
    return db.session.scalar(
        select(Assessment)
        .where(
            Assessment.enterprise_id == enterprise_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
        )
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        .limit(1)
    )


def start_draft(enterprise: Enterprise, user, on: date | None = None) -> Assessment:
    """The enterprise's open draft, or a new one on the province's active checklist version."""
    return open_draft(enterprise, user, on)[0]


def open_draft(enterprise: Enterprise, user, on: date | None = None) -> tuple[Assessment, bool]:
    """The enterprise's open draft, and whether this call made it.

    The database keeps one open draft per enterprise (uq_assessment_one_draft): when a parallel
    request inserts first, this insert is undone (a savepoint) and that draft is returned."""
    draft = current_draft(enterprise)
    if draft is not None:
        return draft, False
    version = checklists.active_version(enterprise.province_id, on)
    draft = Assessment(
        enterprise_id=enterprise.id,
        province_id=enterprise.province_id,
        checklist_version_id=version.id,
        status=AssessmentStatus.DRAFT,
        answers={},
        context={"confirmed_case_14d": False},
        created_by_id=getattr(user, "id", None),
        lock_version=1,
    )
    try:
        with db.session.begin_nested():
            db.session.add(draft)
    except IntegrityError:
        existing = current_draft(enterprise)
        if existing is None:
            raise
        return existing, False
    record("assessment_started", draft, user=user)
    return draft, True


def build_context(enterprise: Enterprise, declared: dict | None, on: date,
                  level: int | None = None) -> Context:
    """The context at assessment time: profile flags, area level (looked up unless given), what
    the officer declared."""
    if level is None:
        level, _row = territory.level_of(enterprise.area, on)
    declared = declared or {}
    return Context(
        area_level=level,
        has_canteen=bool(enterprise.has_canteen),
        has_shuttle=bool(enterprise.has_shuttle),
        has_dormitory=bool(enterprise.has_dormitory),
        confirmed_case_14d=bool(declared.get("confirmed_case_14d", False)),
    )


def save_draft(
    draft: Assessment,
    raw_answers: dict[str, str],
    declared: dict | None,
    expected_lock_version: int | None,
    user=None,
) -> tuple[Problem, ...]:
    """Store partial answers as typed; returns the problems a submit would still report
    (missing answers excepted). Raises StaleDraft when the draft changed meanwhile, and
    LockVersionMissing when the caller does not say which version it read."""
    if draft.status != AssessmentStatus.DRAFT:
        raise ValueError("only drafts can be edited")
    if expected_lock_version is None:
        raise LockVersionMissing(draft)
    if expected_lock_version != draft.lock_version:
        raise StaleDraft(draft)
    checklist = checklist_of(draft)
    known = {item.id for item in checklist.items}
    # Over-long answers are refused by the form and the API with a message; never stored.
    answers = {k: v for k, v in (raw_answers or {}).items()
               if k in known and len(str(v)) <= MAX_ANSWER_LENGTH}
    merged = {**(draft.answers or {}), **answers}
    merged = {k: v for k, v in merged.items() if v not in ("", None)}
    # Compare-and-set on the version so two concurrent saves cannot both win.
    changed = db.session.execute(
        update(Assessment)
        .where(Assessment.id == draft.id, Assessment.lock_version == draft.lock_version)
        .values(
            answers=merged,
            context={k: bool((declared or {}).get(k, False)) for k in DECLARED_CONTEXT_KEYS},
            lock_version=draft.lock_version + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(draft)
    if changed != 1:
        raise StaleDraft(draft)
    return draft_problems(draft)


def draft_problems(draft: Assessment) -> tuple[Problem, ...]:
    """The problems a submit of the stored draft would report, missing answers excepted."""
    checklist = checklist_of(draft)
    today = territory.province_today(draft.province_id)
    context = build_context(draft.enterprise, draft.context, today)
    typed = coerce_answers(checklist, draft.answers or {})
    return validate(checklist, context, typed, partial=True)


def check_submission(draft: Assessment, on: date) -> tuple[Problem, ...]:
    checklist = checklist_of(draft)
    context = build_context(draft.enterprise, draft.context, on)
    return validate(checklist, context, coerce_answers(checklist, draft.answers or {}))


def submit(draft: Assessment, user, submit_token: str | None = None,
           on: date | None = None) -> Assessment:
    """Grade the draft and freeze it; the previous submitted assessment is superseded.

    Idempotent: submitting a draft that is already submitted, or reusing a submit token,
    returns the assessment that was made the first time. Raises InvalidAnswers when the
    answers are incomplete or wrong (nothing is stored then)."""
    earlier = _made_before(draft, submit_token)
    if earlier is not None:
        return earlier
    on = on or territory.province_today(draft.province_id)
    checklist = checklist_of(draft)
    context = build_context(draft.enterprise, draft.context, on)
    result = score(checklist, context, coerce_answers(checklist, draft.answers or {}), on)
    if not _claim(draft, submit_token):
        return draft
    previous = current_submitted_except(draft.enterprise_id, draft.id)
    _freeze(draft, result, context, on, user)
    grade_before = (previous.effective_grade or previous.grade) if previous is not None else None
    if previous is not None:
        previous.status = AssessmentStatus.SUPERSEDED
        previous.superseded_at = utcnow()
        previous.superseded_by_id = draft.id
    actions.create_actions(draft, result, replacing=previous)
    db.session.flush()
    payloads.emit_assessment("assessment.submitted", draft)
    reviews.enter_review(draft, user)
    refresh_enterprise_status(draft.enterprise_id)
    receipts.record_receipt(draft)  # reporting rounds count it in the same transaction
    record("assessment_submitted", draft,
           details={"grade": result.grade.value, "score": result.score}, user=user)
    if previous is not None:
        payloads.emit_grade_changed(draft, grade_before, draft.grade)
    _after_submit(draft)
    return draft


def _made_before(draft: Assessment, submit_token: str | None) -> Assessment | None:
    """What an earlier submit of this draft (or with this token) made, if any."""
    if submit_token:
        earlier = _by_submit_token(
            select(Assessment.id).where(Assessment.enterprise_id == draft.enterprise_id),
            submit_token)
        if earlier is not None:
            return earlier
    return None if draft.is_draft else draft


def _claim(draft: Assessment, submit_token: str | None) -> bool:
    """Mark the draft submitted atomically: a concurrent submit of the same draft loses here."""
    claimed = db.session.execute(
        update(Assessment)
        .where(Assessment.id == draft.id, Assessment.status == AssessmentStatus.DRAFT)
        .values(status=AssessmentStatus.SUBMITTED, submit_token=submit_token)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(draft)
    return claimed == 1


def _freeze(draft: Assessment, result: Result, context: Context, on: date, user) -> None:
    """The immutable snapshot: typed answers, context, result and its headline figures."""
    draft.answers = result.answers_dict()
    draft.context = context.to_dict()
    draft.result = result.to_dict()
    draft.assessed_on = on
    draft.score = result.score
    draft.band = result.band
    draft.grade = result.grade
    draft.failed_critical = len(result.failed_critical)
    draft.next_due_on = result.next_assessment_due_on
    draft.submitted_at = utcnow()
    draft.area_id = draft.enterprise.area_id
    draft.submitted_by_id = getattr(user, "id", None)


def submit_form(draft: Assessment, user, submit_token: str | None,
                form_is_valid: bool) -> Assessment:
    """Submit from the web form: a form whose fields did not validate is refused with every
    problem of the stored draft (InvalidAnswers), else `submit`."""
    if not form_is_valid:
        raise InvalidAnswers(check_submission(draft, territory.province_today(draft.province_id)))
    submitted = submit(draft, user, submit_token)
    # Only a form filled on the site has a meaningful time spent (the too-fast signal).
    submitted.submitted_via = submitted.submitted_via or "web"
    return submitted


def _after_submit(assessment: Assessment) -> None:
    """Queue the report rendering and the forensic signals."""
    # Bulk loaders (the demo seed) switch this off: reports then render on first download,
    # and `flask forensics-scan` finds the signals.
    if current_app.config.get("REPORTS_AUTORENDER", True):
        schedule_render(assessment)
        forensics.queue_scan(assessment)


def current_submitted_except(enterprise_id: int, assessment_id: int) -> Assessment | None:
    return db.session.scalar(
        select(Assessment)
        .where(
            Assessment.enterprise_id == enterprise_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
            Assessment.id != assessment_id,
        )
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        .limit(1)
    )


def refresh_enterprise_status(enterprise_id: int) -> EnterpriseStatus:
    """Recompute the enterprise's roll-up row from its current assessment (same transaction)."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    status = db.session.get(EnterpriseStatus, enterprise_id)
    if status is None:
        status = EnterpriseStatus(enterprise_id=enterprise_id)
        db.session.add(status)
    status.province_id = enterprise.province_id
    status.area_id = enterprise.area_id
    status.industry = enterprise.industry
    status.headcount = enterprise.headcount
    current = current_submitted(enterprise_id)
    status.current_assessment_id = current.id if current else None
    status.assessed_on = current.assessed_on if current else None
    status.score = current.score if current else None
    status.declared_grade = current.grade if current else None
    status.effective_grade = (current.effective_grade or current.grade) if current else None
    status.failed_critical = current.failed_critical if current else 0
    status.next_due_on = current.current_next_due_on if current else None
    status.regraded_at = current.regraded_at if current else None
    previous = None
    if current is not None:
        previous = db.session.scalar(
            select(Assessment.grade).where(Assessment.superseded_by_id == current.id).limit(1)
        )
    status.previous_grade = previous
    status.assessment_count = db.session.scalar(
        select(func.count())
        .select_from(Assessment)
        .where(
            Assessment.enterprise_id == enterprise_id,
            Assessment.status.in_(GRADED_STATUSES),
        )
    )
    finding = None
    if current is not None:
        finding = db.session.scalar(
            select(Finding)
            .where(Finding.assessment_id == current.id)
            .order_by(Finding.created_at.desc(), Finding.id.desc())
            .limit(1)
        )
    status.audited_grade = finding.grade if finding else None
    status.audited_on = finding.visited_on if finding else None
    db.session.flush()
    return status



# ---------------------------------------------------------------------------
# The officer's pages: form context, progress, history, actions, profile.
# List queries go through tenancy.scoped so they stay inside the caller's reach.


def form_context(draft: Assessment, declared: dict | None = None,
                 on: date | None = None) -> tuple[Context, AreaLevel | None]:
    """The context a draft is filled in under (profile, area level in force, the declared facts:
    the draft's unless given), and the area level row in force."""
    on = on or territory.province_today(draft.province_id)
    level, level_row = territory.level_of(draft.enterprise.area, on)
    declared = draft.context if declared is None else declared
    return build_context(draft.enterprise, declared, on, level), level_row


@dataclass(frozen=True)
class LevelRise:
    """The area's epidemic level in force now is higher than the one the assessment was made
    under: stricter measures apply, so the officer should reassess."""

    before: int
    after: int
    since: date | None  # when the higher level came into force


def level_rise(current: Assessment | None, level: int,
               level_row: AreaLevel | None) -> LevelRise | None:
    """How the level rose since ``current`` was made (None when it did not, or no assessment)."""
    if current is None:
        return None
    before = int((current.context or {}).get("area_level") or level)
    if level <= before:
        return None
    return LevelRise(before, level, level_row.effective_from if level_row else None)


def section_progress(checklist: Checklist, context: Context, answers: dict,
                     invalid: Collection[str] = ()) -> dict[str, dict]:
    """Per section: how many of the items that apply have a valid answer (and how many apply);
    an answer with a problem (`invalid` item ids) is not done yet."""
    progress = {}
    for section in checklist.sections:
        applicable = [i for i in checklist.items_in(section.id) if checklist.applies(i, context)]
        answered = sum(1 for i in applicable
                       if answers.get(i.id) not in (None, "") and i.id not in invalid)
        progress[section.id] = {"answered": answered, "total": len(applicable)}
    return progress


def _by_submit_token(ids: Select, submit_token: str) -> Assessment | None:
    """The assessment of a token, looked up by id first.

    The id-only query is a seek in the token's unique index. Selecting the whole row brings the
    eager joins, and SQLite then scans the table when most tokens are NULL (history imported
    without one: ANALYZE then rates the index useless): 150 ms a submit at 1,000,000 rows."""
    found = db.session.scalar(ids.where(Assessment.submit_token == submit_token))
    return db.session.get(Assessment, found) if found is not None else None


def assessment_for_token(submit_token: str | None) -> Assessment | None:
    """The assessment a submit token already produced, within the caller's reach."""
    if not submit_token:
        return None
    return _by_submit_token(scoped(select(Assessment.id), Assessment), submit_token)


def assessments_in_reach(status: AssessmentStatus | None = None,
                         enterprise_id: int | None = None) -> Select:
    """Assessments in reach, newest first, optionally of one status or enterprise."""
    statement = scoped(select(Assessment), Assessment)
    if status is not None:
        statement = statement.where(Assessment.status == status)
    if enterprise_id is not None:
        statement = statement.where(Assessment.enterprise_id == enterprise_id)
    return statement.order_by(Assessment.created_at.desc(), Assessment.id.desc())


def list_assessments() -> list[Assessment]:
    """Every assessment in reach, newest first."""
    return list(db.session.scalars(assessments_in_reach()))


def grade_history() -> list[tuple[date, Grade]]:
    """(date, grade) of every submitted or superseded assessment in reach, oldest first."""
    rows = db.session.execute(
        scoped(select(Assessment.assessed_on, Assessment.grade), Assessment)
        .where(
            Assessment.status.in_(GRADED_STATUSES),
            Assessment.assessed_on.is_not(None),
        )
        .order_by(Assessment.assessed_on, Assessment.id)
    ).all()
    return [(row.assessed_on, row.grade) for row in rows]


PROFILE_FIELDS = ("name", "address", "headcount", "has_canteen", "has_shuttle", "has_dormitory")


def update_profile(enterprise: Enterprise, values: dict, user=None) -> list[str]:
    """Store the profile fields the officer may change; returns the names of those that changed.

    Submitted assessments keep the context they were graded on; only drafts follow the profile."""
    changed = []
    for name in PROFILE_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, str):
            value = value.strip() or (None if name == "address" else value.strip())
        if getattr(enterprise, name) != value:
            setattr(enterprise, name, value)
            changed.append(name)
    if changed:
        db.session.flush()
        refresh_enterprise_status(enterprise.id)
        record("profile_updated", enterprise, details={"changed": changed}, user=user)
    return changed


def findings_of(assessment: Assessment) -> list[Finding]:
    """The auditors' findings on this assessment within the user's reach, newest first."""
    return list(
        db.session.scalars(
            scoped(select(Finding), Finding)
            .where(Finding.assessment_id == assessment.id)
            .order_by(Finding.created_at.desc(), Finding.id.desc())
        )
    )


def latest_finding(assessment: Assessment) -> Finding | None:
    """The auditor's latest finding on this assessment, if any."""
    findings = findings_of(assessment)
    return findings[0] if findings else None
