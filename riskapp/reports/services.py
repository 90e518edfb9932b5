"""Report delivery: schedule the background render, store the signed PDF, serve and verify it.

A submitted assessment never changes, so its report is rendered once per language, in a background
job (never in a web worker: a render costs about half a second of CPU), signed and stored; downloads
serve the stored bytes.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from flask_babel import force_locale
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from riskapp import checklists, clock, jobs, links, territory
from riskapp.auditlog import record, shown_user
from riskapp.db import db
from riskapp.evidence.services import report_thumbnails
from riskapp.i18n import current_lang
from riskapp.models import (
    GRADED_STATUSES,
    Assessment,
    AssessmentStatus,
    AuditLog,
    Enterprise,
    Province,
    RemediationAction,
    Report,
    ReportStatus,
    User,
)
from riskapp.models.types import utcnow
from riskapp.pagination import Page, paginate
from riskapp.reports import keys, labels, signing
from riskapp.reports.data import ActionInfo, EnterpriseInfo, HistoryPoint, ReportData
from riskapp.reviews import services as reviews
from riskapp.scoring import Result
from riskapp.templating import ACTION_STATUS_LABELS, VSIC_SECTIONS
from riskapp.transparency import services as transparency_log
from riskapp.webhooks import payloads

log = logging.getLogger(__name__)

RENDER_TASK = "riskapp.reports.services:render_report_task"
REPORT_LANGS = ("vi", "en")
DOWNLOAD_ACTION = "report_downloaded"


# --------------------------------------------------------------------------- scheduling


def report_of(assessment_id: int, lang: str = "vi") -> Report | None:
    return db.session.scalar(
        select(Report).where(Report.assessment_id == assessment_id, Report.lang == lang)
    )


def _new_verification_code() -> str:
    while True:
        code = signing.make_verification_code()
        if db.session.scalar(select(Report.id).where(Report.verification_code == code)) is None:
            return code


def schedule_render(assessment: Assessment, lang: str = "vi",
                    base_url: str | None = None) -> Report:
    """The assessment's report in ``lang``, created pending and queued for the background render
    after the commit; an existing ready or queued report is returned as it is. ``base_url`` is the
    address its links carry (default: this request's, see riskapp.links)."""
    if lang not in REPORT_LANGS:
        raise ValueError(f"unsupported report language: {lang!r}")
    if assessment.status == AssessmentStatus.DRAFT:
        raise ValueError("only submitted assessments have reports")
    report = report_of(assessment.id, lang)
    if report is not None:
        if report.status == ReportStatus.FAILED:
            retry_render(report, base_url)
        return report
    code = _new_verification_code()
    # The public id needs the row id; a unique placeholder holds the place until the flush.
    report = Report(
        assessment_id=assessment.id,
        enterprise_id=assessment.enterprise_id,
        province_id=assessment.province_id,
        lang=lang,
        public_id=f"pending-{code}",
        verification_code=code,
        status=ReportStatus.PENDING,
        attempts=0,
    )
    db.session.add(report)
    db.session.flush()
    year = (assessment.assessed_on or territory.province_today(assessment.province_id)).year
    report.public_id = f"RA-{year}-{report.id:06d}"
    db.session.flush()
    _queue_render(report, base_url)
    return report


def _queue_render(report: Report, base_url: str | None) -> None:
    # The worker has no request to read the address from: it travels with the task.
    jobs.enqueue(RENDER_TASK, report.id, base_url or links.base_url(),
                 key=f"report:{report.id}", province_id=report.province_id)


def request_report(assessment: Assessment, lang: str) -> Report:
    """The report to serve for a download: the existing one as it is (a failed render waits for
    the retry button), or one scheduled now. Call it before any write in the request: losing a
    race with a concurrent first download rolls the session back."""
    existing = report_of(assessment.id, lang)
    if existing is not None:
        return existing
    try:
        return schedule_render(assessment, lang)
    except IntegrityError:
        db.session.rollback()
        report = report_of(assessment.id, lang)
        if report is None:
            raise
        return report


def render_stage(report: Report) -> str:
    """'queued' until a worker picks the render up (it counts an attempt first), then
    'rendering' — what the waiting page tells at each refresh. (After a failed render is retried,
    the earlier attempt makes a queued render read as 'rendering'.)"""
    return "rendering" if report.attempts else "queued"


def can_retry(report: Report) -> bool:
    # A pending report needs no button: the dispatcher re-queues a lost render by itself.
    return report.status == ReportStatus.FAILED


def retry_render(report: Report, base_url: str | None = None) -> Report:
    """Queue a failed render again, after the commit."""
    if report.status == ReportStatus.READY:
        return report
    report.status = ReportStatus.PENDING
    report.error = None
    db.session.flush()
    _queue_render(report, base_url)
    return report


def _render_given_up(report_id: int, base_url: str | None = None, *, reason: str) -> None:
    """Every attempt failed: the report says so, with the reason, and offers the retry."""
    db.session.execute(
        update(Report).where(Report.id == report_id, Report.status != ReportStatus.READY)
        .values(status=ReportStatus.FAILED, error=reason[:2000])
    )


def _render_retried(report_id: int, base_url: str | None = None) -> None:
    db.session.execute(
        update(Report).where(Report.id == report_id, Report.status == ReportStatus.FAILED)
        .values(status=ReportStatus.PENDING, error=None)
    )


# --------------------------------------------------------------------------- rendering


def signing_key():
    """The current private key (riskapp/reports/keys.py: the registry, its files)."""
    return keys.current_private_key()


def public_key_pem() -> bytes:
    """The current key's public half (PEM), as /verify/public-key.pem publishes it."""
    return keys.current_row().public_key_pem.encode()


def public_key_for(key_id: str):
    """The public key a report's signature line names (Ed25519PublicKey), None when unknown:
    the one lookup every verifier uses."""
    return keys.public_key_for(key_id)


def key_set():
    """Every signing key with its validity and revocation, for verifying and publishing."""
    return keys.key_set()


def verify_url(code: str, base_url: str | None = None) -> str:
    return links.external("/verify/" + code, base_url)


def _industry_text(enterprise: Enterprise) -> str:
    """'C – Manufacturing (14)': the VSIC section in the active locale, then the division."""
    name = VSIC_SECTIONS.get(enterprise.industry)
    text = enterprise.industry + (f" – {name!s}" if name is not None else "")
    if enterprise.industry_division:
        text += f" ({enterprise.industry_division})"
    return text


def _report_history(assessment: Assessment) -> tuple:
    """The enterprise's submitted grades up to this assessment, oldest first."""
    rows = db.session.execute(
        select(Assessment.assessed_on, Assessment.grade)
        .where(
            Assessment.enterprise_id == assessment.enterprise_id,
            Assessment.status.in_(GRADED_STATUSES),
            or_(
                Assessment.assessed_on < assessment.assessed_on,
                and_(
                    Assessment.assessed_on == assessment.assessed_on,
                    Assessment.id <= assessment.id,
                ),
            ),
        )
        .order_by(Assessment.assessed_on, Assessment.id)
    ).all()
    return tuple(HistoryPoint(on, grade) for on, grade in rows if grade)


def _report_actions(assessment: Assessment, lang: str) -> tuple:
    """The assessment's actions, each status worded in the active locale as it is now."""
    actions = db.session.scalars(
        select(RemediationAction)
        .where(RemediationAction.assessment_id == assessment.id)
        .order_by(RemediationAction.position, RemediationAction.id)
    ).all()
    return tuple(
        ActionInfo(
            item_id=a.item_id,
            priority=a.priority,
            action=a.action_text(lang),
            due_on=a.due_on,
            status=str(ACTION_STATUS_LABELS.get(a.status, a.status.value)),
        )
        for a in actions
    )


def build_report_data(report: Report, base_url: str | None = None):
    """Everything the PDF shows, read from the database into plain values."""
    assessment = db.session.get(Assessment, report.assessment_id)
    enterprise = db.session.get(Enterprise, assessment.enterprise_id)
    province = db.session.get(Province, enterprise.province_id)
    lang = report.lang
    submitter = (
        db.session.get(User, assessment.submitted_by_id) if assessment.submitted_by_id else None
    )
    # The web's catalogue words the industry and the action states, in the report's language.
    with force_locale(lang):
        industry = _industry_text(enterprise)
        actions = _report_actions(assessment, lang)
    return ReportData(
        report_id=report.public_id,
        verification_code=report.verification_code,
        verify_url=verify_url(report.verification_code, base_url),
        generated_at=utcnow(),
        lang=lang,
        enterprise=EnterpriseInfo(
            name=enterprise.name,
            tax_code=enterprise.tax_code,
            address=enterprise.address or "",
            area=f"{province.name} › {territory.area_path(enterprise.area)}",
            industry=industry,
            headcount=enterprise.headcount,
        ),
        assessed_on=assessment.assessed_on,
        submitted_by=(submitter.name or submitter.email) if submitter else "",
        area_level=int((assessment.context or {}).get("area_level", 1)),
        checklist=checklists.definition(assessment.checklist_version),
        result=Result.from_dict(assessment.result),
        history=_report_history(assessment),
        actions=actions,
        evidence_thumbnails=report_thumbnails(assessment.id),
        next_due_on=assessment.current_next_due_on,
        **reviews.report_facts(assessment, province.timezone),
        timezone=province.timezone,
    )



def render_signed(report: Report, base_url: str | None = None) -> tuple[bytes, dict]:
    """Render and sign the report's PDF (CPU-heavy: background work only)."""
    # Imported here: WeasyPrint (tens of MB, a second to load) stays out of the web processes.
    from riskapp.reports import render  # noqa: PLC0415

    data = build_report_data(report, base_url)
    payload = signing.canonical_payload(data)
    pdf = signing.sign_report(render.render_report(data), payload, signing_key())
    return pdf, payload


@jobs.task(budget=120, attempts=3, on_give_up=_render_given_up, on_retry=_render_retried)
def render_report_task(report_id: int, base_url: str | None = None) -> str:
    """Background task: render, sign and store one report; a failure is stored on the report
    and raised, so the outbox tries again (the last failure marks the report failed).
    ``base_url``: the address of the request that queued it (its links point there)."""
    # populate_existing: a caller's session may hold this row from before another worker's commit.
    report = db.session.get(Report, report_id, populate_existing=True)
    if report is None:
        return "missing"
    if report.status == ReportStatus.READY:
        return "ready"
    report.attempts = (report.attempts or 0) + 1
    db.session.commit()
    try:
        pdf, payload = render_signed(report, base_url)
    except Exception as error:  # noqa: BLE001 - any render failure is stored on the report
        log.warning("report %s failed to render: %r", report_id, error)
        db.session.rollback()
        raise
    report.pdf = pdf
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.size_bytes = len(pdf)
    report.payload = payload
    report.status = ReportStatus.READY
    report.error = None
    report.generated_at = utcnow()
    payloads.emit_report_ready(report)
    transparency_log.log_report(report)
    db.session.commit()
    return "ready"


def ensure_rendered(report: Report, base_url: str | None = None) -> Report:
    """Render a report now unless it is ready (background jobs only, e.g. the ZIP export)."""
    db.session.refresh(report)
    if report.status != ReportStatus.READY:
        try:
            render_report_task(report.id, base_url)
        except Exception:  # noqa: BLE001 - the caller goes on without it; its own item retries
            log.warning("report %s left out: it did not render", report.id)
        db.session.refresh(report)
    return report


# --------------------------------------------------------------------------- delivery


def stored_pdf(report: Report) -> bytes:
    """The stored bytes (deferred column: loaded only when served)."""
    return db.session.scalar(select(Report.pdf).where(Report.id == report.id))


def _file_day(assessment: Assessment) -> str:
    """The day a report's file is named by: its assessment's, else the province's today."""
    return (assessment.assessed_on or territory.province_today(assessment.province_id)).isoformat()


def download_filename(report: Report, assessment: Assessment, enterprise: Enterprise) -> str:
    day = _file_day(assessment)
    prefix = "report" if report.lang == "en" else "bao-cao"
    return f"{prefix}-{enterprise.tax_code}-{day}.pdf"


def unicode_filename(report: Report, assessment: Assessment, enterprise: Enterprise) -> str:
    day = _file_day(assessment)
    prefix = "Report" if report.lang == "en" else "Báo cáo"
    name = " ".join(enterprise.name.replace("/", " ").replace("\\", " ").split())
    return f"{prefix} {name} {day}.pdf"


def content_disposition(ascii_name: str, utf8_name: str, disposition: str = "attachment") -> str:
    """An ASCII file name for old clients and the RFC 5987 UTF-8 one for the rest."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in ascii_name)
    return f"{disposition}; filename=\"{safe}\"; filename*=UTF-8''{quote(utf8_name, safe='')}"


def record_download(report: Report, user=None, via: str | None = None) -> None:
    details = {
        "report": report.public_id,
        "lang": report.lang,
        "assessment_id": report.assessment_id,
    }
    if via:
        details["via"] = via
    record(DOWNLOAD_ACTION, report, details=details, user=user)


@dataclass(frozen=True)
class DownloadEntry:
    at: datetime
    who: str
    email: str | None
    role: object
    report: str
    lang: str
    via: str | None


DOWNLOAD_LOG_PAGE_SIZE = 50


def _downloads(enterprise_id: int):
    return (
        select(AuditLog, User)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.enterprise_id == enterprise_id, AuditLog.action == DOWNLOAD_ACTION)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )


def _download_entry(entry: AuditLog, user: User | None) -> DownloadEntry:
    details = entry.details or {}
    return DownloadEntry(
        at=entry.at,
        who=user.name if user and user.name else shown_user(entry),
        email=entry.user_email,
        role=user.role if user else None,
        report=details.get("report", entry.object_id or ""),
        lang=details.get("lang", "vi"),
        via=details.get("via"),
    )


def download_page(enterprise_id: int, number: int = 1,
                  per_page: int = DOWNLOAD_LOG_PAGE_SIZE) -> Page:
    """Who downloaded the enterprise's reports and when, newest first, one page."""
    return paginate(_downloads(enterprise_id), number, per_page, row=_download_entry)


def download_log(enterprise_id: int, limit: int = 200) -> list[DownloadEntry]:
    """The latest downloads of the enterprise's reports, newest first."""
    rows = db.session.execute(_downloads(enterprise_id).limit(limit)).all()
    return [_download_entry(entry, user) for entry, user in rows]


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class PublicReport:
    """What the public verification page may show: nothing beyond the report itself."""

    code: str
    public_id: str
    # What the report says, from its signed payload: a later rename must not change what the
    # page vouches for.
    enterprise_name: str
    tax_code: str
    assessed_on: date
    grade: object
    score: float | None
    renamed_to: str | None  # the enterprise's name today, when it differs from the signed one
    current: bool
    superseded_on: date | None
    sha256: str
    size_bytes: int | None
    generated_at: datetime | None
    lang: str
    timezone: str = clock.DEFAULT_TIMEZONE  # the province's: /verify shows its times there
    # The authority's review of the grade today (it may have moved since the report was signed).
    review_now: str | None = None


def _signed_facts(payload: dict, assessment: Assessment, enterprise: Enterprise) -> dict:
    """Name, tax code, date, grade and score as the report's signed payload states them (the
    assessment's own values for a payload without them)."""
    signed_enterprise = payload.get("enterprise") or {}
    assessed_on = payload.get("assessed_on")
    return {
        "enterprise_name": signed_enterprise.get("name") or enterprise.name,
        "tax_code": signed_enterprise.get("tax_code") or enterprise.tax_code,
        "assessed_on": date.fromisoformat(assessed_on) if assessed_on else assessment.assessed_on,
        "grade": payload.get("grade") or assessment.grade,
        "score": payload.get("score", assessment.score),
    }


def find_public_report(code: str) -> PublicReport | None:
    """A ready report by its verification code; None for unknown, malformed or unfinished codes."""
    normalised = signing.normalise_verification_code(code)
    if normalised is None:
        return None
    report = db.session.scalar(
        select(Report).where(
            Report.verification_code == normalised, Report.status == ReportStatus.READY
        )
    )
    if report is None:
        return None
    assessment = db.session.get(Assessment, report.assessment_id)
    enterprise = db.session.get(Enterprise, report.enterprise_id)
    zone = territory.province_zone(enterprise.province_id) or clock.DEFAULT_TIMEZONE
    signed = _signed_facts(report.payload or {}, assessment, enterprise)
    return PublicReport(
        code=report.verification_code,
        public_id=report.public_id,
        **signed,
        renamed_to=enterprise.name if enterprise.name != signed["enterprise_name"] else None,
        current=assessment.status == AssessmentStatus.SUBMITTED,
        superseded_on=clock.local_date(assessment.superseded_at, zone),
        sha256=report.sha256,
        size_bytes=report.size_bytes,
        generated_at=report.generated_at,
        lang=report.lang,
        timezone=zone,
        review_now=_review_now(assessment, zone),
    )


def _review_now(assessment: Assessment, zone: str) -> str | None:
    facts = reviews.report_facts(assessment, zone)
    lang = current_lang() if current_lang() in labels.SUPPORTED_LANGS else "vi"
    return labels.review_statement(facts["review_status"], facts["review_decided_on"], lang)


@dataclass(frozen=True)
class UploadCheck:
    genuine: bool
    reason: str  # key of a message the page words (see templates/verify/_upload_result.html)
    sha256: str
    report: PublicReport | None = None
    # The signature check itself: the key that signed (its revocation, a note beside a pass).
    verification: signing.Verification | None = None


# A failed signature check → the page's message key (anything else: "bad_signature").
_UPLOAD_REASONS = {signing.CHANGED: "changed", signing.UNKNOWN_KEY: "unknown_key",
                   signing.REVOKED_KEY: "revoked_key",
                   signing.OUTSIDE_VALIDITY: "outside_validity"}


def check_upload(pdf: bytes, expected: PublicReport | None = None) -> UploadCheck:
    """Is this file a genuine report issued here (and, when given, the expected one)?

    Genuine means: the signature checks against our key, the signed payload names a report we
    issued, and the file is byte for byte the stored one."""
    verification = signing.verify_report_with_keys(pdf, key_set())
    digest = verification.sha256 or hashlib.sha256(pdf).hexdigest()
    if not verification.valid:
        return UploadCheck(False, _UPLOAD_REASONS.get(verification.outcome, "bad_signature"),
                           digest, expected, verification)
    code = str((verification.payload or {}).get("verification_code", ""))
    issued = find_public_report(code)
    if issued is None:
        return UploadCheck(False, "unknown_report", digest, expected)
    if expected is not None and issued.code != expected.code:
        return UploadCheck(False, "other_report", digest, expected)
    if issued.sha256 != digest:
        return UploadCheck(False, "not_stored_copy", digest, issued, verification)
    return UploadCheck(True, "genuine", digest, issued, verification)
