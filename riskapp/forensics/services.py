"""Forensic signals: scanning (after a submit, or a whole province), the list, dismissal.

Services flush, never commit; the background tasks commit their own work.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update

from riskapp import jobs
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.evidence import services as evidence_services
from riskapp.forensics import detect, phash
from riskapp.models import GRADED_STATUSES, Assessment, Enterprise, Evidence, ForensicFlag, User
from riskapp.models.forensics import DISMISSED, FLAG_KINDS, OPEN
from riskapp.models.types import utcnow
from riskapp.pagination import Page, paginate
from riskapp.tenancy import area_subtree_ids, scoped

SCAN_TASK = "riskapp.forensics.services:scan_assessment_task"
BACKFILL_TASK = "riskapp.forensics.services:backfill_task"
BACKFILL_BATCH = 200


# --------------------------------------------------------------------------- scanning


def queue_scan(assessment: Assessment) -> None:
    """Run the detectors on a submitted assessment after the request commits."""
    if current_app.config.get("FORENSICS_ON_SUBMIT", True):
        jobs.enqueue(SCAN_TASK, assessment.id, key=f"forensics:{assessment.id}",
                     province_id=assessment.province_id)


def scan_assessment(assessment: Assessment) -> int:
    """Every detector on one submitted assessment; how many flags were added."""
    answers_hash = detect.store_answers_hash(assessment)
    db.session.flush()
    return (detect.detect_photo_reuse(assessment.province_id, assessment.id)
            + detect.detect_identical_answers(assessment.province_id, answers_hash)
            + detect.detect_implausible(assessment)
            + detect.detect_too_fast(assessment))


@jobs.task(budget=300, attempts=3)
def scan_assessment_task(assessment_id: int) -> dict:
    """Background task: scan one assessment after its submit; commits."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.status not in GRADED_STATUSES:
        return {"added": 0}
    added = scan_assessment(assessment)
    db.session.commit()
    return {"added": added}


def scan_province(province_id: int) -> dict[str, int]:
    """Every detector over every submitted assessment of a province (idempotent)."""
    assessments = db.session.scalars(
        select(Assessment).where(Assessment.province_id == province_id,
                                 Assessment.status.in_(GRADED_STATUSES))
        .order_by(Assessment.id)).all()
    counts = {"implausible": 0, "too_fast": 0}
    for assessment in assessments:
        detect.store_answers_hash(assessment)
        counts["implausible"] += detect.detect_implausible(assessment)
        counts["too_fast"] += detect.detect_too_fast(assessment)
    db.session.flush()
    counts["identical_answers"] = detect.detect_identical_answers(province_id)
    counts["photo_reuse"] = detect.detect_photo_reuse(province_id)
    counts["assessments"] = len(assessments)
    return counts


def backfill_hashes(after_id: int = 0, limit: int = BACKFILL_BATCH) -> tuple[int, int]:
    """Hash up to `limit` stored photos without a pHash (uploaded before 0018) after an id;
    (the last id read, how many were hashed), (0, 0) when none are left."""
    rows = db.session.scalars(
        select(Evidence).where(Evidence.phash.is_(None), Evidence.id > after_id,
                               Evidence.content_type.like("image/%"))
        .order_by(Evidence.id).limit(limit)).all()
    done = 0
    for evidence in rows:
        data = evidence_services.read(evidence)
        evidence.phash = phash.phash_of_bytes(data) if data is not None else None
        done += evidence.phash is not None
    db.session.flush()
    return (rows[-1].id if rows else 0), done


@jobs.task(budget=1800, attempts=3)
def backfill_task() -> dict:
    """Background task: hash existing photos in batches, committing each batch."""
    after_id, total = 0, 0
    while True:
        after_id, done = backfill_hashes(after_id)
        db.session.commit()
        total += done
        if after_id == 0:
            return {"hashed": total}


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class FlagFilters:
    kind: str | None = None
    status: str | None = OPEN
    area_id: int | None = None


def flag_page(filters: FlagFilters, number: int | None) -> Page:
    """Flags in the viewer's reach, newest first, with their enterprise's name."""
    statement = scoped(
        select(ForensicFlag, Enterprise.name).join(Enterprise,
                                                   Enterprise.id == ForensicFlag.enterprise_id),
        ForensicFlag)
    if filters.kind in FLAG_KINDS:
        statement = statement.where(ForensicFlag.kind == filters.kind)
    if filters.status in (OPEN, DISMISSED):
        statement = statement.where(ForensicFlag.status == filters.status)
    if filters.area_id is not None:
        statement = statement.where(
            Enterprise.area_id.in_(area_subtree_ids({filters.area_id})))
    statement = statement.order_by(ForensicFlag.id.desc())
    return paginate(statement, number, row=lambda flag, name: (flag, name))


def enterprise_flags(enterprise_id: int) -> list[ForensicFlag]:
    """The open flags of one enterprise in the viewer's reach."""
    return list(db.session.scalars(scoped(
        select(ForensicFlag).where(ForensicFlag.enterprise_id == enterprise_id,
                                   ForensicFlag.status == OPEN)
        .order_by(ForensicFlag.id.desc()), ForensicFlag)))


def evidence_in_reach(flags) -> set[int]:
    """The evidence ids named by these flags that the viewer may open."""
    ids = {value for flag in flags for name, value in (flag.reason or {}).items()
           if name in ("evidence_id", "other_evidence_id")}
    if not ids:
        return set()
    return set(db.session.scalars(scoped(select(Evidence.id).where(Evidence.id.in_(ids)),
                                         Evidence)))


def enterprise_names(flags) -> dict[int, str]:
    """Names of the other enterprises the flags point at, within the viewer's reach."""
    ids = {flag.reason.get("other_enterprise_id") for flag in flags} - {None}
    if not ids:
        return {}
    rows = db.session.execute(scoped(select(Enterprise.id, Enterprise.name)
                                     .where(Enterprise.id.in_(ids)), Enterprise))
    return dict(rows.all())


def open_flag_kinds(province_id: int) -> dict[int, tuple[str, ...]]:
    """enterprise_id → the kinds of its open flags (for the inspection targeting model)."""
    rows = db.session.execute(
        select(ForensicFlag.enterprise_id, ForensicFlag.kind).distinct()
        .where(ForensicFlag.province_id == province_id, ForensicFlag.status == OPEN)
        .order_by(ForensicFlag.enterprise_id, ForensicFlag.kind)).all()
    kinds: dict[int, tuple[str, ...]] = {}
    for enterprise_id, kind in rows:
        kinds[enterprise_id] = (*kinds.get(enterprise_id, ()), kind)
    return kinds


def signals_version(province_id: int) -> tuple:
    """Changes when a flag is raised or dismissed (the targeting cache's key)."""
    return tuple(db.session.execute(
        select(func.max(ForensicFlag.id), func.max(ForensicFlag.dismissed_at))
        .where(ForensicFlag.province_id == province_id)).one())


# --------------------------------------------------------------------------- dismissal


class AlreadyDismissed(Exception):
    """Another reviewer dismissed the flag first."""

    def __init__(self, flag: ForensicFlag, by: str | None):
        super().__init__(by or "")
        self.flag, self.by = flag, by


def dismiss(flag: ForensicFlag, user, note: str) -> ForensicFlag:
    """Dismiss an open flag with a note; exactly one of two concurrent dismissals lands (a
    conditional UPDATE on the status), the other gets AlreadyDismissed naming the winner."""
    note = (note or "").strip()
    if not note:
        raise ValueError("a dismissal needs a note")
    changed = db.session.execute(
        update(ForensicFlag).where(ForensicFlag.id == flag.id, ForensicFlag.status == OPEN)
        .values(status=DISMISSED, dismissed_by_id=user.id, dismissed_at=utcnow(),
                dismissal_note=note)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(flag)
    if changed != 1:
        winner = db.session.get(User, flag.dismissed_by_id) if flag.dismissed_by_id else None
        raise AlreadyDismissed(flag, (winner.name or winner.email) if winner else None)
    record("forensic_flag_dismissed", flag, user=user,
           details={"kind": flag.kind, "key": flag.key, "note": note,
                    "assessment_id": flag.assessment_id})
    return flag
