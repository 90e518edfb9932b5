"""Review routes: the queue (staff read it), one submission's review page (managers decide),
and the province's setting of which grades are reviewed."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from riskapp import territory
from riskapp.assessments import services as assessments
from riskapp.audit import services as audit_services
from riskapp.db import db
from riskapp.filters import area_choices
from riskapp.i18n import current_lang
from riskapp.models import Assessment, Grade, ReviewDecision
from riskapp.privacy import settings as retention
from riskapp.privacy.forms import RetentionForm
from riskapp.privacy.kinds import KINDS
from riskapp.reviews import bp, queue, services
from riskapp.reviews.forms import DecisionForm, QueueFilterForm, ReviewGradesForm, pinned_comments
from riskapp.targeting.forms import RandomShareForm
from riskapp.tenancy import (
    MANAGERS,
    PROVINCE_ADMINS,
    STAFF,
    current_province,
    get_area_or_404,
    get_assessment_or_404,
    route,
)


@route(bp, "/", roles=STAFF)
def index():
    form = QueueFilterForm(request.args)
    form.area.choices = [SelectChoice("", _("All areas"))] + [
        SelectChoice(area_id, label) for area_id, label in area_choices()]
    area_id = grade = None
    if form.validate():
        area_id = form.area.data and get_area_or_404(form.area.data).id
        grade = Grade(form.grade.data) if form.grade.data else None
    page = queue.queue(request.args.get("page", 1, type=int), area_id=area_id, grade=grade)
    return render_template("reviews/index.html", form=form, page=page,
                           args={k: v for k, v in request.args.items() if k != "page"})


def _render_review(assessment: Assessment, form: DecisionForm, status: int = 200):
    corrected = services.corrected_of(assessment)
    lang = current_lang()
    review = services.review_of(assessment.id)
    corrected_review = services.review_of(corrected.id) if corrected else None
    return render_template(
        "reviews/review.html",
        assessment=assessment,
        enterprise=assessment.enterprise,
        area_path=territory.area_path(assessment.enterprise.area),
        result=assessments.result_of(assessment),
        rows=audit_services.item_rows(assessment, lang),
        form=form,
        review=review,
        by_item=services.comments_by_item(review),
        finding=assessments.latest_finding(assessment),
        corrected=corrected,
        corrected_review=corrected_review,
        pinned=services.comments_by_item(corrected_review),
        changes=queue.changes(corrected, assessment, lang) if corrected else [],
        posted=request.form if request.method == "POST" else {},
    ), status


@route(bp, "/<int:assessment_id>", roles=STAFF)
def review(assessment_id: int):
    assessment = get_assessment_or_404(assessment_id, submitted=True)
    return _render_review(assessment, DecisionForm(formdata=None))


@route(bp, "/<int:assessment_id>", roles=MANAGERS, methods=["POST"], endpoint="decide")
def decide(assessment_id: int):
    assessment = get_assessment_or_404(assessment_id, submitted=True)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Nothing was decided: check the fields marked below."), "error")
        return _render_review(assessment, form, 422)
    item_ids = [row.item_id for row in audit_services.item_rows(assessment, current_lang())]
    try:
        made = services.decide(assessment, ReviewDecision(form.decision.data), current_user,
                               form.comment.data, pinned_comments(request.form, item_ids))
    except services.ReviewRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _render_review(assessment, form, 409)
    db.session.commit()
    accepted = made.decision == ReviewDecision.ACCEPTED
    flash(_("Accepted: the enterprise is told by e-mail.") if accepted
          else _("Returned for correction: the enterprise is told by e-mail."), "success")
    return redirect(url_for(".index"))


def settings_page(form: ReviewGradesForm | None = None, retention_form=None):
    """The province's settings page (reviewed grades, random share, personal data), with the
    posted form kept when it was refused (422)."""
    province = current_province()
    form = form or ReviewGradesForm(formdata=None, data={
        "grades": [grade.value for grade in services.review_grades(province)]})
    share_form = RandomShareForm(formdata=None, percent=round(province.random_share * 100))
    retention_form = retention_form or RetentionForm(formdata=None,
                                                     data=retention.periods(province.id))
    refused = form.errors or retention_form.errors
    return render_template("reviews/settings.html", form=form, share_form=share_form,
                           retention_form=retention_form, retention_kinds=KINDS), \
        422 if refused else 200


@route(bp, "/settings", roles=PROVINCE_ADMINS, methods=["GET", "POST"])
def settings():
    if request.method == "GET":
        return settings_page()
    form = ReviewGradesForm()
    if form.validate_on_submit():
        chosen = {Grade(value) for value in form.grades.data or []}
        changed = services.set_review_grades(current_province(), chosen, current_user)
        db.session.commit()
        flash(_("Saved: submissions of these grades now wait for review.") if changed
              else _("Nothing changed."), "success" if changed else "info")
        return redirect(url_for(".settings"))
    return settings_page(form)
