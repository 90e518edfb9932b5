"""Auditor routes: the scoped enterprise list, read-only assessments, findings, ZIP exports."""

from __future__ import annotations

from pathlib import Path

from flask import flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from riskapp import formatting, territory
from riskapp.assessments import services as assessment_services
from riskapp.audit import bp, capture, services, visits
from riskapp.audit.forms import FindingForm
from riskapp.db import db
from riskapp.evidence.services import Upload, finding_photos, max_bytes
from riskapp.extensions import costly_limit, limiter, user_or_address
from riskapp.filters import read_filters
from riskapp.i18n import current_lang
from riskapp.models import Job, JobStatus
from riskapp.models.types import utcnow
from riskapp.scoring.messages import without_item_name
from riskapp.tenancy import (
    AUDITORS,
    FINDING_RECORDERS,
    get_assessment_or_404,
    get_own_or_404,
    route,
)

OBSERVED_PREFIX = "observed-"


@route(bp, "/", roles=AUDITORS)
def index():
    form, filters = read_filters()
    page = services.enterprise_page(filters, request.args.get("page", 1, type=int))
    return render_template("audit/index.html", form=form, page=page, filters=filters,
                           visits=visits.my_visits())


@route(bp, "/assessments/<int:assessment_id>", roles=FINDING_RECORDERS)
def assessment(assessment_id: int):
    record = get_assessment_or_404(assessment_id)
    findings = assessment_services.findings_of(record)
    latest = findings[0] if findings else None
    return render_template(
        "audit/assessment.html",
        assessment=record,
        enterprise=record.enterprise,
        area_path=territory.area_path(record.enterprise.area),
        rows=services.item_rows(record, current_lang(), latest),
        findings=findings,
        latest=latest,
        latest_photos=finding_photos(latest.id) if latest else [],
        history=services.enterprise_assessments(record.enterprise_id),
    )


@route(bp, "/assessments/<int:assessment_id>/finding", roles=FINDING_RECORDERS,
       methods=["GET", "POST"])
def finding(assessment_id: int):
    record = get_assessment_or_404(assessment_id)
    stamp = capture.stamp(request.form)
    sent_before = capture.already_recorded(stamp["client_id"])
    if sent_before is not None:  # the phone sent it again (a retry after a lost answer)
        return _finding_recorded(record, sent_before)
    if not services.takes_findings(record):
        flash(_("A finding is recorded on the current assessment; this one was superseded."),
              "warning")
        return redirect(url_for("audit.assessment", assessment_id=record.id))
    form = FindingForm()
    items = services.applicable_items(record)
    observed = {item.id: request.form.get(OBSERVED_PREFIX + item.id, "").strip()
                for item in items}
    item_errors: dict[str | None, list[str]] = {}
    if form.validate_on_submit():
        try:
            recorded = services.record_finding(record, current_user, form.visited_on.data,
                                               observed, note=form.note.data,
                                               confirmed=form.outcome.data == "confirmed",
                                               stamp=stamp)
        except services.VisitBeforeAssessment as refused:
            form.visited_on.errors.append(str(refused))
        except services.FindingProblems as problems:
            item_errors = _problem_messages(problems, items)
        except IntegrityError:  # the same client id stored by a parallel send meanwhile
            return _lost_race(record, stamp["client_id"])
        else:
            return _commit_finding(record, recorded, stamp["client_id"])
    return _render_finding(record, form, items, observed, item_errors)


def _commit_finding(record, recorded, client: str | None):
    """Photos through the evidence rules, one commit; a parallel send of the same client id
    loses the unique index and answers with the finding the other one stored."""
    uploads = [Upload(f.filename or "photo.jpg", f.stream.read(max_bytes() + 1))
               for f in request.files.getlist("photos") if f.filename]
    refused = capture.attach_photos(recorded, record, uploads, current_user)
    try:
        db.session.commit()
    except IntegrityError:
        return _lost_race(record, client)
    for message in refused:
        flash(message, "error")
    return _finding_recorded(record, recorded, refused)


def _lost_race(record, client: str | None):
    """A parallel send of the same client id won the unique index: answer with its finding."""
    db.session.rollback()
    recorded = capture.already_recorded(client)
    if recorded is None:
        raise RuntimeError("finding refused by the database, and no finding of this client id")
    return _finding_recorded(record, recorded)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _finding_recorded(record, recorded, refused=()):
    back = url_for("audit.assessment", assessment_id=record.id)
    flash(_("The finding was recorded."), "success")  # the page the phone goes to shows it
    if _wants_json():
        return jsonify(finding_id=recorded.id, redirect=back, refused=list(refused),
                       saved_time=formatting.format_time(utcnow(), current_lang(),
                                                         get_timezone()))
    return redirect(back)


def _render_finding(record, form: FindingForm, items, observed: dict, item_errors: dict):
    if request.method == "POST" and _wants_json():
        return jsonify(errors={key or "": value for key, value in
                               {**form.errors, **item_errors}.items()}), 400
    return render_template(
        "audit/finding.html", assessment=record, enterprise=record.enterprise, form=form,
        items=items, declared=record.answers or {}, observed=observed, item_errors=item_errors,
        prefix=OBSERVED_PREFIX,
    ), 400 if request.method == "POST" else 200


def _problem_messages(problems: services.FindingProblems,
                      items) -> dict[str | None, list[str]]:
    """Each problem under its item's input, said without the question the row shows; one about
    no item on the form goes above it."""
    lang = current_lang()
    shown = {item.id: item for item in items}
    messages: dict[str | None, list[str]] = {}
    if not problems.problems:
        messages[None] = [
            _("No observed answer differs from the declared one: choose “Everything as declared”, "
              "or give the answers you observed.")
        ]
    for problem in problems.problems:
        item = shown.get(problem.item_id)
        message = without_item_name(problem.message, item) if item else problem.message
        messages.setdefault(item.id if item else None, []).append(message.get(lang))
    return messages


@route(bp, "/exports", roles=AUDITORS, methods=["POST"])
@limiter.limit(costly_limit, key_func=user_or_address)
def zip_start():
    _form, filters = read_filters(request.form)
    job = services.start_zip(filters, current_user)
    db.session.commit()
    return redirect(url_for("audit.zip_job", job_id=job.id))


def _job_or_404(job_id: str) -> Job:
    return get_own_or_404(Job, job_id, kind=services.ZIP_JOB_KIND)


@route(bp, "/exports/<job_id>", roles=AUDITORS)
def zip_job(job_id: str):
    job = _job_or_404(job_id)
    return render_template("audit/zip.html", job=job, status=services.job_status(job))


@route(bp, "/exports/<job_id>/status", roles=AUDITORS)
def zip_status(job_id: str):
    job = _job_or_404(job_id)
    status = services.job_status(job)
    if job.status == JobStatus.DONE:
        status["download_url"] = url_for("audit.zip_download", job_id=job.id)
    response = jsonify(status)
    response.headers["Cache-Control"] = "no-store"
    return response


@route(bp, "/exports/<job_id>/download", roles=AUDITORS)
def zip_download(job_id: str):
    job = _job_or_404(job_id)
    if job.status != JobStatus.DONE or not job.result_path or not Path(job.result_path).is_file():
        return redirect(url_for("audit.zip_job", job_id=job.id))
    services.record_zip_download(job, current_user)
    db.session.commit()
    return send_file(
        job.result_path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=job.result_name or "reports.zip",
    )
