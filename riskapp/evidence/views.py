"""Evidence routes: the officer's attach page per item, deletion on drafts, and the file itself
for those who need it (tenancy.EVIDENCE_READERS) whose reach includes the assessment."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from riskapp import storage
from riskapp.assessments import services as assessment_services
from riskapp.db import db
from riskapp.evidence import bp, services
from riskapp.models import Assessment, Evidence
from riskapp.reports.services import content_disposition
from riskapp.tenancy import EVIDENCE_READERS, OFFICERS, get_or_404, route


@bp.app_template_global("evidence_by_item")
def evidence_by_item(assessment_id: int) -> dict[str, list[Evidence]]:
    """For templates that already hold an assessment reached through tenancy."""
    return services.evidence_by_item(assessment_id)


def _draft_item_or_404(assessment_id: int, item_id: str) -> Assessment:
    assessment = get_or_404(Assessment, assessment_id)
    if not services.check_item(assessment, item_id):
        abort(404)
    return assessment


def _render_attach(assessment: Assessment, item_id: str, refused=(), status: int = 200):
    checklist = assessment_services.checklist_of(assessment)
    return render_template(
        "evidence/attach.html",
        assessment=assessment,
        item=checklist.item(item_id),
        files=services.evidence_of(assessment.id, item_id),
        refused=refused,
        max_files=services.MAX_FILES_PER_ANSWER,
        max_mb=current_app.config.get("EVIDENCE_MAX_MB", 8),
    ), status


@route(bp, "/assessments/<int:assessment_id>/items/<item_id>", roles=OFFICERS,
       methods=["GET", "POST"])
def attach(assessment_id: int, item_id: str):
    assessment = _draft_item_or_404(assessment_id, item_id)
    if request.method == "GET":
        return _render_attach(assessment, item_id)
    if not assessment.is_draft:
        flash(_("This assessment is submitted: its evidence can no longer be changed."), "error")
        return redirect(url_for(".attach", assessment_id=assessment.id, item_id=item_id))
    limit = services.max_bytes()
    uploads = [services.Upload(file.filename or "", file.stream.read(limit + 1))
               for file in request.files.getlist("files") if file.filename]
    if not uploads:
        flash(_("Choose a photo or a PDF to attach."), "error")
        return _render_attach(assessment, item_id, status=422)
    try:
        stored, refused = services.attach(assessment, item_id, uploads, user=current_user)
    except storage.StorageUnavailable:
        db.session.rollback()  # with the rows go the files this upload had written
        return _render_attach(assessment, item_id, refused=[storage.unavailable_message()],
                              status=503)
    db.session.commit()
    if not stored:
        return _render_attach(assessment, item_id, refused=refused, status=422)
    for message in refused:
        flash(message, "error")
    flash(ngettext("%(num)d file attached.", "%(num)d files attached.", len(stored)), "success")
    return redirect(url_for(".attach", assessment_id=assessment.id, item_id=item_id))


@route(bp, "/<int:evidence_id>/delete", roles=OFFICERS, methods=["POST"])
def delete(evidence_id: int):
    evidence = get_or_404(Evidence, evidence_id)
    back = url_for(".attach", assessment_id=evidence.assessment_id, item_id=evidence.item_id)
    try:
        services.delete(evidence, user=current_user)
    except ValueError:
        flash(_("This assessment is submitted: its evidence can no longer be changed."), "error")
        return redirect(back)
    db.session.commit()
    flash(_("The file was removed."), "success")
    return redirect(back)


def _send(evidence: Evidence, data: bytes | None, content_type: str, inline: bool):
    if data is None:
        abort(404)
    name = services.download_name(evidence)
    response = current_app.response_class(data, mimetype=content_type)
    response.headers["Content-Disposition"] = content_disposition(
        name, name, "inline" if inline else "attachment")
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Whatever a file holds, it runs nothing in this origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@route(bp, "/<int:evidence_id>", roles=EVIDENCE_READERS)
def file(evidence_id: int):
    evidence = get_or_404(Evidence, evidence_id)
    is_image = evidence.content_type.startswith("image/")
    return _send(evidence, services.read(evidence), evidence.content_type, inline=is_image)


@route(bp, "/<int:evidence_id>/thumbnail", roles=EVIDENCE_READERS)
def thumbnail(evidence_id: int):
    evidence = get_or_404(Evidence, evidence_id)
    return _send(evidence, services.read(evidence, thumbnail=True), services.JPEG, inline=True)
