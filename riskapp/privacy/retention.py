"""The daily retention job: each province's periods on the province's own day, applied in
batches, each committed, so a run killed halfway is finished by the next one and nothing is
done twice (every batch selects only what is still past its time and not yet handled).

Files go with the commit of their rows (storage.remove_on_commit). One audit entry per province
and kind, with the count, is written with the kind's last batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import Select, and_, delete, func, or_, select, update

from riskapp import storage
from riskapp.audit.services import ZIP_JOB_KIND
from riskapp.auditlog import forget_addresses, record
from riskapp.db import db
from riskapp.evidence.services import path_of
from riskapp.models import (
    OFFICER_ACTION_STATUSES,
    Assessment,
    AssessmentStatus,
    AuditLog,
    AuditLogPersonal,
    Evidence,
    Job,
    JobStatus,
    Notification,
    NotificationDelivery,
    OneTimeToken,
    Province,
    RemediationAction,
    User,
)
from riskapp.privacy import erasure
from riskapp.privacy.kinds import (
    ACCOUNTS,
    BY_CODE,
    DELIVERIES,
    EVIDENCE,
    FILES,
    LINKS,
    LOGINS,
)
from riskapp.privacy.settings import cutoff, periods

BATCH = 500


@dataclass(frozen=True)
class Step:
    """One kind in one province: the ids still past their time, and how to handle a batch."""

    ids: Callable[[int, datetime], Select]
    apply: Callable[[list[int]], None]


# --- what is past its time ---------------------------------------------------------------------

def _evidence_ids(province_id: int, before: datetime) -> Select:
    assessment_done = select(Assessment.id).where(
        Assessment.id == Evidence.assessment_id, Assessment.status != AssessmentStatus.DRAFT,
        func.coalesce(Assessment.superseded_at, Assessment.submitted_at) < before)
    # The current assessment's actions still under way keep their evidence, whatever its age.
    under_way = select(RemediationAction.id).join(
        Assessment, Assessment.id == RemediationAction.assessment_id).where(
        RemediationAction.assessment_id == Evidence.assessment_id,
        RemediationAction.item_id == Evidence.item_id,
        RemediationAction.status.in_(OFFICER_ACTION_STATUSES),
        Assessment.status == AssessmentStatus.SUBMITTED)
    return select(Evidence.id).where(
        Evidence.province_id == province_id, Evidence.created_at < before,
        or_(Evidence.finding_id.is_not(None), assessment_done.exists()),
        ~under_way.exists())


def _delivery_ids(province_id: int, before: datetime) -> Select:
    return select(Notification.id).where(
        Notification.province_id == province_id, Notification.created_at < before,
        Notification.body != "")


def _token_ids(province_id: int, before: datetime) -> Select:
    return select(OneTimeToken.id).join(User, User.id == OneTimeToken.user_id).where(
        User.province_id == province_id,
        or_(OneTimeToken.used_at < before, OneTimeToken.expires_at < before))


def _export_ids(province_id: int, before: datetime) -> Select:
    return select(Job.id).where(
        Job.province_id == province_id, Job.kind == ZIP_JOB_KIND,
        Job.status.in_((JobStatus.DONE, JobStatus.FAILED)), Job.result_path.is_not(None),
        func.coalesce(Job.finished_at, Job.created_at) < before)


def _account_ids(province_id: int, before: datetime) -> Select:
    return select(User.id).where(
        User.province_id == province_id, User.is_active_account.is_(False),
        User.email.not_like("erased-%@invalid"),
        func.coalesce(User.last_login_at, User.created_at) < before)


# --- handling one batch (flush only; the loop commits) ----------------------------------------

def _delete_evidence(ids: list[int]) -> None:
    rows = db.session.execute(select(Evidence.stored_name, Evidence.thumbnail_name)
                              .where(Evidence.id.in_(ids))).all()
    db.session.execute(delete(Evidence).where(Evidence.id.in_(ids))
                       .execution_options(synchronize_session=False))
    for names in rows:
        for name in filter(None, names):
            storage.remove_on_commit(path_of(name))


def _blank_deliveries(ids: list[int]) -> None:
    db.session.execute(update(Notification).where(Notification.id.in_(ids))
                       .values(body="", context=None).execution_options(synchronize_session=False))
    # A provider's refusal may quote the phone number or address it was sent to.
    db.session.execute(update(NotificationDelivery)
                       .where(NotificationDelivery.notification_id.in_(ids))
                       .values(last_error=None).execution_options(synchronize_session=False))


def _delete_tokens(ids: list[int]) -> None:
    db.session.execute(delete(OneTimeToken).where(OneTimeToken.id.in_(ids))
                       .execution_options(synchronize_session=False))


def _drop_exports(ids: list[int]) -> None:
    paths = db.session.scalars(select(Job.result_path).where(Job.id.in_(ids))).all()
    db.session.execute(update(Job).where(Job.id.in_(ids)).values(result_path=None)
                       .execution_options(synchronize_session=False))
    for path in paths:
        storage.remove_on_commit(Path(path))


def _pseudonymise_accounts(ids: list[int]) -> None:
    for user in db.session.scalars(select(User).where(User.id.in_(ids))):
        erasure.pseudonymise(user)


STEPS = {
    EVIDENCE: Step(_evidence_ids, _delete_evidence),
    DELIVERIES: Step(_delivery_ids, _blank_deliveries),
    LINKS: Step(_token_ids, _delete_tokens),
    FILES: Step(_export_ids, _drop_exports),
    ACCOUNTS: Step(_account_ids, _pseudonymise_accounts),
}


# --- the run ----------------------------------------------------------------------------------

def _logged(province: Province | None, kind: str, count: int) -> None:
    record("privacy_retention", province, object_type=None if province else "audit_log",
           details={"kind": kind, "count": count})


def _run_step(province: Province, kind: str, before: datetime, dry_run: bool,
              batch: int) -> int:
    statement = STEPS[kind].ids(province.id, before)
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(statement.subquery()))
    done = 0
    while True:
        ids = list(db.session.scalars(
            statement.order_by(statement.selected_columns[0]).limit(batch)))
        if ids:
            STEPS[kind].apply(ids)
            done += len(ids)
        last = len(ids) < batch
        if last and done:
            _logged(province, kind, done)
        db.session.commit()
        if last:
            return done


def _import_files(province_id: int, before: datetime) -> list[Path]:
    """Upload files an import's dry run kept (STORAGE_DIR/imports, named "<province>-…") that
    are older than `before`; they have no row, their name says whose they are."""
    folder = Path(current_app.config["STORAGE_DIR"]) / "imports"
    if not folder.is_dir():
        return []
    limit = before.timestamp()
    return [path for path in folder.iterdir()
            if path.name.startswith(f"{province_id}-") and path.is_file()
            and path.stat().st_mtime < limit]


def _drop_import_files(province_id: int, before: datetime, dry_run: bool) -> int:
    found = _import_files(province_id, before)
    for path in () if dry_run else found:
        path.unlink(missing_ok=True)
    return len(found)


def run_province(province: Province, *, dry_run: bool = False, batch: int = BATCH) -> dict:
    """Apply the province's periods on its own day; {kind: count} (what would be, in a dry run)."""
    chosen = periods(province.id)
    counts = {}
    for kind in STEPS:
        before = cutoff(BY_CODE[kind], chosen[kind], province.id)
        counts[kind] = _run_step(province, kind, before, dry_run, batch)
    files_before = cutoff(BY_CODE[FILES], chosen[FILES], province.id)
    dropped = _drop_import_files(province.id, files_before, dry_run)
    if dropped and not dry_run:
        _logged(province, "import_files", dropped)
        db.session.commit()
    counts["import_files"] = dropped
    return counts


def logins_before() -> datetime:
    """The audit log is one table for every province: an address is forgotten once every
    province's period for login records has passed (the longest wins, so none loses its
    records early)."""
    provinces = db.session.scalars(select(Province.id)).all()
    login_kind = BY_CODE[LOGINS]
    moments = [cutoff(login_kind, periods(pid)[LOGINS], pid) for pid in provinces]
    return min(moments, default=cutoff(login_kind, login_kind.default, None))


def forget_login_addresses(*, dry_run: bool = False) -> int:
    before = logins_before()
    if dry_run:
        return db.session.scalar(
            select(func.count()).select_from(AuditLogPersonal)
            .join(AuditLog, AuditLog.id == AuditLogPersonal.audit_id)
            .where(and_(AuditLogPersonal.ip.is_not(None), AuditLog.at < before)))
    count = forget_addresses(before)
    if count:
        _logged(None, LOGINS, count)
    db.session.commit()
    return count


def run(code: str | None = None, *, dry_run: bool = False, batch: int = BATCH) -> dict:
    """Every province's retention (or one's, by code): {province code: {kind: count}}, the
    addresses of login records under the key "*". Raises LookupError for an unknown code."""
    statement = select(Province).order_by(Province.code)
    if code is not None:
        statement = statement.where(Province.code == code)
    provinces = db.session.scalars(statement).all()
    if code is not None and not provinces:
        raise LookupError(code)
    done = {province.code: run_province(province, dry_run=dry_run, batch=batch)
            for province in provinces}
    done["*"] = {LOGINS: forget_login_addresses(dry_run=dry_run)}
    return done

