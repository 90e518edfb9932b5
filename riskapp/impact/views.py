"""Impact preview pages: ask for a preview from the level, proposal and activation forms, watch
it run, read it, apply it. Each view validates, calls riskapp.impact.services, commits once."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riskapp.db import db
from riskapp.impact import bp, figures, forms, services
from riskapp.models import ChecklistVersion, ImpactPreview, JobStatus
from riskapp.province import versions
from riskapp.province.forms import (
    WHOLE_PROVINCE,
    ChecklistActivateForm,
    ChecklistUploadForm,
    ProposalDecisionForm,
)
from riskapp.province.proposals import proposal_or_404
from riskapp.tenancy import (
    PROVINCE_ADMINS,
    PROVINCE_STAFF,
    current_province_id,
    get_area_or_404,
    get_or_404,
    route,
)


def _to_preview(preview: ImpactPreview):
    db.session.commit()
    return redirect(url_for("impact.show", preview_id=preview.id))


@route(bp, "/level", roles=PROVINCE_ADMINS, methods=["POST"])
def preview_level():
    picked = request.form.get("area_id") or ""
    if picked.isdigit() and int(picked) != WHOLE_PROVINCE:
        get_area_or_404(int(picked))  # another province's area: 404
    form = forms.level_form()
    if not form.validate_on_submit():
        flash(_("Choose an area, a level and a date."), "error")
        return redirect(url_for("province.areas"))
    area = None if form.area_id.data == WHOLE_PROVINCE else get_area_or_404(form.area_id.data)
    preview = services.start_level_preview(current_province_id(), area, form.level.data,
                                           form.effective_from.data, current_user,
                                           note=form.note.data)
    return _to_preview(preview)


@route(bp, "/proposals/<int:proposal_id>", roles=PROVINCE_ADMINS, methods=["POST"])
def preview_proposal(proposal_id: int):
    proposal = proposal_or_404(proposal_id)
    form = ProposalDecisionForm()
    if not form.validate_on_submit():
        return redirect(url_for("province.areas", _anchor="proposals"))
    preview = services.start_level_preview(
        current_province_id(), get_area_or_404(proposal.area_id), proposal.level,
        proposal.effective_from, current_user, note=form.note.data, proposal=proposal)
    return _to_preview(preview)


@route(bp, "/checklists/<int:version_id>", roles=PROVINCE_ADMINS, methods=["POST"])
def preview_checklist(version_id: int):
    version = get_or_404(ChecklistVersion, version_id)  # another province's upload: 404
    form = ChecklistActivateForm()
    if not form.validate_on_submit():
        flash(_("Choose a version and a date."), "error")
        return redirect(url_for("province.checklists"))
    preview = services.start_checklist_preview(current_province_id(), version,
                                               form.active_from.data, current_user)
    return _to_preview(preview)


@route(bp, "/checklists/upload", roles=PROVINCE_ADMINS, methods=["POST"])
def preview_upload():
    """Check and store an uploaded version without activating it, then preview activating it."""
    form = ChecklistUploadForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("province.checklists"))
    try:
        version = versions.upload(form.file.data.read(), form.file.data.filename,
                                  current_province_id(), current_user)
    except versions.ChecklistRejected as error:
        for problem in error.problems:
            flash(problem, "error")
        return redirect(url_for("province.checklists"))
    preview = services.start_checklist_preview(current_province_id(), version,
                                               form.active_from.data, current_user)
    return _to_preview(preview)


@route(bp, "/<int:preview_id>", roles=PROVINCE_STAFF)
def show(preview_id: int):
    preview = get_or_404(ImpactPreview, preview_id)
    return render_template(
        "impact/preview.html", preview=preview, change=figures.describe(preview),
        figures=figures.page_figures(preview), stale=services.is_stale(preview),
        apply_form=forms.ApplyPreviewForm(formdata=None))


@route(bp, "/<int:preview_id>/status.json", roles=PROVINCE_STAFF)
def status(preview_id: int):
    preview = get_or_404(ImpactPreview, preview_id)
    percent = int(100 * preview.progress / preview.total) if preview.total else (
        100 if preview.status == JobStatus.DONE else 0)
    return jsonify({"status": preview.status.value, "progress": preview.progress,
                    "total": preview.total, "percent": percent})


@route(bp, "/<int:preview_id>/apply", roles=PROVINCE_ADMINS, methods=["POST"])
def apply(preview_id: int):
    preview = get_or_404(ImpactPreview, preview_id)
    form = forms.ApplyPreviewForm()
    if not form.validate_on_submit():
        return redirect(url_for("impact.show", preview_id=preview.id))
    try:
        services.apply(preview, current_user)
    except services.PreviewRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("impact.show", preview_id=preview_id))
    db.session.commit()
    flash(_("The change is applied."), "success")
    return redirect(url_for("impact.show", preview_id=preview.id))
