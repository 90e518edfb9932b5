"""Auditor routes: the scoped enterprise list, read-only assessments, findings, ZIP exports."""

from __future__ import annotations

from pathlib import Path

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from riskapp import territory
from riskapp.assessments import services as assessment_services
from riskapp.audit import bp, services
from riskapp.audit.forms import FilterForm, FindingForm
from riskapp.db import db
from riskapp.extensions import costly_limit, limiter, user_or_address
from riskapp.i18n import current_lang
from riskapp.models import (
    Area,
    Assessment,
    AssessmentStatus,
    Enterprise,
    Grade,
    JobStatus,
    Role,
)
from riskapp.tenancy import get_area_or_404, get_or_404, roles_required, scoped_areas

OBSERVED_PREFIX = "observed-"


def auditor_route(rule: str, roles=(Role.AUDITOR,), **options):
    """A route of this area: logged in, the given roles only (anyone else gets 404)."""

    def decorator(view):
        return bp.route(rule, **options)(login_required(roles_required(*roles)(view)))

    return decorator


def _area_choices() -> list[tuple[str, str]]:
    areas = db.session.scalars(scoped_areas(select(Area))).all()
    labelled = [(str(area.id), territory.area_path(area)) for area in areas]
    return sorted(labelled, key=lambda choice: choice[1])


def _filters_from(form: FilterForm) -> services.Filters:
    """The filters that validated; an area outside the auditor's reach answers 404."""
    area_id = None
    if form.area.data:
        if not str(form.area.data).isdigit():
            abort(404)
        area_id = get_area_or_404(int(form.area.data)).id
    grade = form.grade.data if not form.grade.errors else None
    industry = form.industry.data if not form.industry.errors else None
    return services.Filters(
        area_id=area_id,
        grade=Grade(grade) if grade else None,
        industry=industry or None,
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
    )


@auditor_route("/")
def index():
    form = FilterForm(request.args, area_choices=_area_choices())
    form.validate()
    filters = _filters_from(form)
    page = services.enterprise_page(filters, request.args.get("page", 1, type=int))
    return render_template("audit/index.html", form=form, page=page, filters=filters)


def _assessment_or_404(assessment_id: int) -> Assessment:
    assessment = get_or_404(Assessment, assessment_id)
    if assessment.status == AssessmentStatus.DRAFT:
        abort(404)
    return assessment


@auditor_route("/assessments/<int:assessment_id>", roles=(Role.AUDITOR, Role.PROVINCE_ADMIN))
def assessment(assessment_id: int):
    record = _assessment_or_404(assessment_id)
    findings = assessment_services.findings_of(record)
    latest = findings[0] if findings else None
    return render_template(
        "audit/assessment.html",
        assessment=record,
        enterprise=db.session.get(Enterprise, record.enterprise_id),
        area_path=territory.area_path(record.enterprise.area),
        rows=services.item_rows(record, current_lang(), latest),
        findings=findings,
        latest=latest,
        history=services.enterprise_assessments(record.enterprise_id),
    )


@auditor_route(
    "/assessments/<int:assessment_id>/finding",
    roles=(Role.AUDITOR, Role.PROVINCE_ADMIN),
    methods=["GET", "POST"],
)
def finding(assessment_id: int):
    record = _assessment_or_404(assessment_id)
    if record.status != AssessmentStatus.SUBMITTED:
        flash(_("A finding is recorded on the current assessment; this one was superseded."),
              "warning")
        return redirect(url_for("audit.assessment", assessment_id=record.id))
    form = FindingForm()
    items = services.applicable_items(record)
    observed = {
        item.id: request.form.get(OBSERVED_PREFIX + item.id, "").strip() for item in items
    }
    item_errors: dict[str | None, list[str]] = {}
    if form.validate_on_submit():
        if record.assessed_on and form.visited_on.data < record.assessed_on:
            form.visited_on.errors.append(_("The visit cannot be before the assessment date."))
        else:
            try:
                services.record_finding(
                    record,
                    current_user,
                    form.visited_on.data,
                    observed,
                    note=form.note.data,
                    confirmed=form.outcome.data == "confirmed",
                )
            except services.FindingProblems as problems:
                item_errors = _problem_messages(problems)
            else:
                db.session.commit()
                flash(_("The finding was recorded."), "success")
                return redirect(url_for("audit.assessment", assessment_id=record.id))
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "audit/finding.html",
            assessment=record,
            enterprise=record.enterprise,
            form=form,
            items=items,
            declared=record.answers or {},
            observed=observed,
            item_errors=item_errors,
            prefix=OBSERVED_PREFIX,
        ),
        status,
    )


def _problem_messages(problems: services.FindingProblems) -> dict[str | None, list[str]]:
    lang = current_lang()
    messages: dict[str | None, list[str]] = {}
    if not problems.problems:
        messages[None] = [
            _("No observed answer differs from the declared one: choose “Everything as declared”, "
              "or give the answers you observed.")
        ]
    for problem in problems.problems:
        messages.setdefault(problem.item_id, []).append(problem.message.get(lang))
    return messages


@auditor_route("/exports", methods=["POST"])
@limiter.limit(costly_limit, key_func=user_or_address)
def zip_start():
    form = FilterForm(request.form, area_choices=_area_choices())
    form.validate()
    job = services.start_zip(_filters_from(form), current_user)
    db.session.commit()
    return redirect(url_for("audit.zip_job", job_id=job.id))


def _job_or_404(job_id: str):
    job = services.job_of(job_id, current_user)
    if job is None:
        abort(404)
    return job


@auditor_route("/exports/<job_id>")
def zip_job(job_id: str):
    job = _job_or_404(job_id)
    return render_template("audit/zip.html", job=job, status=services.job_status(job))


@auditor_route("/exports/<job_id>/status")
def zip_status(job_id: str):
    job = _job_or_404(job_id)
    status = services.job_status(job)
    if job.status == JobStatus.DONE:
        status["download_url"] = url_for("audit.zip_download", job_id=job.id)
    response = jsonify(status)
    response.headers["Cache-Control"] = "no-store"
    return response


@auditor_route("/exports/<job_id>/download")
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
