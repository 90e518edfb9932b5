"""Officer routes: each loads its objects through tenancy, validates a form, calls a service."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from riskapp import charts, formatting, territory
from riskapp.assessments import actions as remediation
from riskapp.assessments import bp, owners, services
from riskapp.assessments.forms import (
    ActionForm,
    ProfileForm,
    assessment_form_class,
    field_name,
    item_settings,
    newer_answers,
)
from riskapp.db import db
from riskapp.i18n import current_lang
from riskapp.models import ActionStatus, Assessment, RemediationAction
from riskapp.models.types import utcnow
from riskapp.reports import services as reports
from riskapp.reviews import corrections
from riskapp.reviews import services as reviews
from riskapp.rounds import services as round_services
from riskapp.scoring import InvalidAnswers, Result
from riskapp.templating import ACTION_STATUS_LABELS, grade_words
from riskapp.tenancy import OFFICERS, get_or_404, own_enterprise_or_404, route

# --- overview ---------------------------------------------------------------------------------


@route(bp, "/", roles=OFFICERS)
def home():
    enterprise = own_enterprise_or_404()
    current = services.current_submitted(enterprise.id)
    history = services.grade_history()
    history_chart = charts.grade_history_chart(
        history,
        title=_("Grade history"),
        description=_("The grade of each submitted assessment, oldest first."),
        grade_words=grade_words(),
        date_label=lambda day: formatting.format_date(day, current_lang()),
        empty_text=_("No submitted assessment yet"),
    )
    level, level_row = territory.level_of(enterprise.area)
    return render_template(
        "assessments/home.html",
        enterprise=enterprise,
        current=current,
        draft=services.current_draft(enterprise),
        next_due=current.current_next_due_on if current else None,
        actions_by_priority=remediation.open_actions_by_priority(),
        assigned=owners.assigned_to_me(),
        history=history,
        history_chart=history_chart,
        downloads=reports.download_log(enterprise.id, limit=5),
        area_level=level,
        level_rise=services.level_rise(current, level, level_row),
        rounds=round_services.targets_of_enterprise(
            enterprise.id, territory.province_today(enterprise.province_id)),
        **_review_box(current),
    )


def _review_box(assessment: Assessment | None) -> dict:
    """What templates/reviews/_officer_status.html needs about a submission's review."""
    review = reviews.review_of(assessment.id) if assessment is not None else None
    questions = {}
    if review is not None and review.comments:
        checklist = services.checklist_of(assessment)
        questions = {c.item_id: checklist.item(c.item_id).question.get(current_lang())
                     for c in review.comments}
    return {"reviewed": assessment, "review": review, "review_questions": questions}


@route(bp, "/assessments/<int:assessment_id>/correct", roles=OFFICERS, methods=["POST"])
def correct(assessment_id: int):
    """Start (or reopen) the draft correcting a returned assessment, its answers copied."""
    returned = get_or_404(Assessment, assessment_id)
    try:
        draft = corrections.start_correction(returned, current_user)
    except reviews.ReviewRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for(".home"))
    db.session.commit()
    flash(_("Correction started: your answers are copied. Items the province commented on are "
            "marked."), "success")
    return redirect(url_for(".edit", assessment_id=draft.id))


# --- enterprise profile -----------------------------------------------------------------------


@route(bp, "/profile", roles=OFFICERS, methods=["GET", "POST"])
def profile():
    enterprise = own_enterprise_or_404()
    form = ProfileForm(obj=enterprise)
    if form.validate_on_submit():
        values = {name: form[name].data for name in services.PROFILE_FIELDS}
        changed = services.update_profile(enterprise, values, user=current_user)
        db.session.commit()
        if changed:
            flash(_("Profile saved. An open draft uses these facts from now on; submitted "
                    "assessments keep the ones they were graded on."), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for(".profile"))
    level, level_row = territory.level_of(enterprise.area)
    status = 422 if form.errors else 200
    return render_template(
        "assessments/profile.html",
        form=form,
        enterprise=enterprise,
        area_path=territory.area_path(enterprise.area),
        area_level=level,
        area_level_row=level_row,
    ), status


# --- assessments ------------------------------------------------------------------------------


@route(bp, "/assessments", roles=OFFICERS)
def list_assessments():
    enterprise = own_enterprise_or_404()
    return render_template(
        "assessments/list.html",
        assessments=services.list_assessments(),
        draft=services.current_draft(enterprise),
    )


@route(bp, "/assessments/new", roles=OFFICERS, methods=["POST"])
def new():
    draft = services.start_draft(own_enterprise_or_404(), current_user)
    db.session.commit()
    return redirect(url_for(".edit", assessment_id=draft.id))


def _stored_form(assessment: Assessment, form_class):
    """The form filled with the stored draft, its problems shown (missing answers excepted)."""
    form = form_class(formdata=None, data=_draft_form_values(assessment))
    if assessment.answers:
        form.add_problems(services.draft_problems(assessment))
    return form


def _draft_form_values(assessment: Assessment) -> dict:
    answers = assessment.answers or {}
    values = {field_name(item_id): str(value) for item_id, value in answers.items()}
    values["confirmed_case_14d"] = bool((assessment.context or {}).get("confirmed_case_14d"))
    values["lock_version"] = str(assessment.lock_version)
    values["submit_token"] = services.new_submit_token()
    return values


def _render_form(assessment: Assessment, form, *, status: int = 200, saved_values=None,
                 stale: bool = False):
    checklist = services.checklist_of(assessment)
    context, level_row = services.form_context(assessment, form.declared_context())
    typed = form.raw_answers() if request.method == "POST" else (assessment.answers or {})
    return render_template(
        "assessments/edit.html",
        assessment=assessment,
        checklist=checklist,
        form=form,
        context=context,
        area_level_row=level_row,
        items=item_settings(checklist, context, current_lang()),
        progress=services.section_progress(checklist, context, {**(assessment.answers or {}),
                                                                 **typed},
                                           invalid=_items_with_errors(form, checklist)),
        saved_values=saved_values or {},
        stale=stale,
        general_problems=getattr(form, "general_problems", []),
        review_pins=_review_pins(assessment),
    ), status


def _review_pins(draft: Assessment) -> dict:
    """A correction draft: the province's comments on the returned assessment, per item."""
    if draft.corrects_id is None:
        return {}
    return reviews.comments_by_item(reviews.review_of(draft.corrects_id))


@route(bp, "/assessments/<int:assessment_id>/edit", roles=OFFICERS, methods=["GET", "POST"])
def edit(assessment_id: int):
    assessment = get_or_404(Assessment, assessment_id)
    if not assessment.is_draft:
        return _already_submitted(assessment)
    form_class = assessment_form_class(services.checklist_of(assessment), current_lang())
    if request.method == "GET":
        return _render_form(assessment, _stored_form(assessment, form_class))
    form = form_class()
    try:
        problems = _save_typed(assessment, form)
    except services.StaleDraft as stale:
        return _stale_draft(stale, form)
    form.lock_version.data = str(assessment.lock_version)
    action = request.form.get("action", "save")
    if action == "submit":
        return _submit(assessment, form)
    db.session.commit()
    return _saved(assessment, form, problems, action)


ATTACH_ACTION = "attach:"


def _saved(assessment: Assessment, form, problems, action: str):
    """After "Save draft", or an "attach evidence" button (saved, then the attach page)."""
    if action.startswith(ATTACH_ACTION):
        flash(_("Draft saved."), "success")
        return redirect(url_for("evidence.attach", assessment_id=assessment.id,
                                item_id=action.removeprefix(ATTACH_ACTION)))
    form.add_problems(problems)
    if form.errors or problems:
        flash(_("Draft saved. Some answers need attention before you can submit."), "warning")
        return _render_form(assessment, form)
    flash(_("Draft saved."), "success")
    return redirect(url_for(".edit", assessment_id=assessment.id))


def _save_typed(assessment: Assessment, form):
    """Save what the posted form holds as the draft; on StaleDraft nothing is kept."""
    form.validate()
    try:
        return services.save_draft(assessment, form.raw_answers(), form.declared_context(),
                                   form.lock_version_value(), user=current_user)
    except services.StaleDraft:
        db.session.rollback()
        raise


def _already_submitted(assessment: Assessment):
    if request.method == "POST":
        # A repeated submit (double click, back + resubmit) lands on what the first one made.
        earlier = services.assessment_for_token(request.form.get("submit_token"))
        if earlier is not None:
            return redirect(url_for(".result", assessment_id=earlier.id))
    flash(_("This assessment is submitted and can no longer be changed. Start a new "
            "assessment to record changes."), "info")
    return redirect(url_for(".result", assessment_id=assessment.id))


def _missing_lock_version_message() -> str:
    return _("This page was sent without its version number, so nothing was saved: your "
             "answers are still in the form. Save again to keep them.")


def _stale_draft(stale: services.StaleDraft, form):
    """Someone saved meanwhile (or the form did not say which version it had): nothing of this
    user's is stored; both versions are shown."""
    current = stale.current
    if not current.is_draft:
        return redirect(url_for(".result", assessment_id=current.id))
    form.lock_version.data = str(current.lock_version)
    if isinstance(stale, services.LockVersionMissing):
        flash(_missing_lock_version_message(), "warning")
    else:
        flash(_("Someone else saved this draft while you were editing it. Nothing of yours was "
                "saved: your answers are still in the form, and the answers saved meanwhile are "
                "shown under each question that differs. Save again to keep yours."), "warning")
    return _render_form(current, form, status=409, stale=True,
                        saved_values=newer_answers(services.checklist_of(current), current.answers,
                                                    form.raw_answers(), current_lang()))


def _submit(assessment: Assessment, form):
    try:
        submitted = services.submit_form(assessment, current_user, form.submit_token.data or None,
                                         form_is_valid=not form.errors)
    except InvalidAnswers as refused:
        db.session.commit()  # keep what was typed as the draft
        form.add_problems(refused.problems)
        count = sum(len(errors) for errors in form.errors.values()) + len(form.general_problems)
        flash(_("The assessment was not submitted: %(count)d answers need attention. Your answers "
                "are saved in the draft.", count=count), "error")
        return _render_form(assessment, form, status=422)
    db.session.commit()
    flash(_("Assessment submitted."), "success")
    return redirect(url_for(".result", assessment_id=submitted.id))


@route(bp, "/assessments/<int:assessment_id>/autosave", roles=OFFICERS, methods=["POST"])
def autosave(assessment_id: int):
    """Save the posted form as the draft (the page's script calls this); answers JSON."""
    assessment = get_or_404(Assessment, assessment_id)
    if not assessment.is_draft:
        return jsonify(error=_("This assessment is submitted and can no longer be changed."),
                       redirect=url_for(".result", assessment_id=assessment.id)), 409
    checklist = services.checklist_of(assessment)
    form = assessment_form_class(checklist, current_lang())()
    try:
        problems = _save_typed(assessment, form)
    except services.StaleDraft as stale:
        missing = isinstance(stale, services.LockVersionMissing)
        return jsonify(
            stale=True,
            lock_version=stale.current.lock_version,
            error=_missing_lock_version_message() if missing else _(
                "Someone else saved this draft meanwhile. Your latest changes are not saved: "
                "use Save draft to see both versions."),
            server=_server_version(stale.current, checklist) if stale.current.is_draft else None,
        ), 409
    db.session.commit()
    form.add_problems(problems)
    return jsonify(_autosaved(assessment, checklist, form))


def _server_version(current: Assessment, checklist) -> dict:
    """The draft as saved meanwhile, for the page's side-by-side choice: its form values (the
    same assessment, reached through tenancy above), their words and when it was saved."""
    lang = current_lang()
    answers = {item_id: value for item_id, value in (current.answers or {}).items()
               if checklist.has_item(item_id)}
    return {
        "values": {field_name(item_id): str(value) for item_id, value in answers.items()},
        "words": {item_id: formatting.answer_words(checklist.item(item_id), value, lang)
                  for item_id, value in answers.items()},
        "confirmed_case_14d": bool((current.context or {}).get("confirmed_case_14d")),
        "saved_at": formatting.format_datetime(current.updated_at, lang, get_timezone()),
    }


def _autosaved(assessment: Assessment, checklist, form) -> dict:
    """What the form's script shows after an autosave: version, time, progress, problems."""
    context, _level_row = services.form_context(assessment)
    problems = {item_id: form.item_field(checklist.item(item_id)).errors[0]
                for item_id in _items_with_errors(form, checklist)}
    saved_time = formatting.format_time(utcnow(), current_lang(), get_timezone())
    return {
        "lock_version": assessment.lock_version,
        "message": _("Draft saved at %(time)s", time=saved_time),
        "saved_time": saved_time,
        "progress": services.section_progress(checklist, context, assessment.answers or {},
                                              invalid=problems),
        "problems": problems,
    }


def _items_with_errors(form, checklist) -> list[str]:
    """The items whose answer has a problem shown: typed wrong, or refused by the engine."""
    return [item.id for item in checklist.items if form.item_field(item).errors]


def _section_chart(result: Result, title: str) -> str:
    lang = current_lang()
    bars = [
        charts.Bar(
            label=section.title.get(lang),
            value=section.points,
            maximum=section.max_points,
            colour=charts.GRADE_COLOURS["very_high"] if section.failed else charts.DEFAULT_COLOUR,
        )
        for section in result.sections
        if section.max_points
    ]
    return charts.bar_chart(bars, title=title,
                            description=_("Risk points of each section out of its maximum."))


@route(bp, "/assessments/<int:assessment_id>", roles=OFFICERS)
def result(assessment_id: int):
    assessment = get_or_404(Assessment, assessment_id)
    if assessment.is_draft:
        return redirect(url_for(".edit", assessment_id=assessment.id))
    graded = services.result_of(assessment)
    effective = (services.result_of(assessment, effective=True)
                 if assessment.effective_result else None)
    finding = services.latest_finding(assessment)
    checklist = services.checklist_of(assessment)
    lang = current_lang()
    return render_template(
        "assessments/result.html",
        assessment=assessment,
        checklist=checklist,
        answer_words=lambda item_id, value: formatting.answer_words(checklist.item(item_id),
                                                                    value, lang),
        result=graded,
        effective=effective,
        finding=finding,
        section_chart=_section_chart(graded, _("Risk points per section")),
        report_url=url_for("reports.download", assessment_id=assessment.id),
        actions_by_item={action.item_id: action for action in remediation.actions_of(assessment)},
        draft=services.current_draft(assessment.enterprise),
        **_review_box(assessment),
    )


# --- remediation actions ----------------------------------------------------------------------

def _action_form(action: RemediationAction, formdata=None, users=None) -> ActionForm:
    stored = {"owner": None if action.owner_user_id else action.owner, "due_on": action.due_on,
              "status": action.status.value, "note": action.note,
              "owner_user_id": action.owner_user_id}
    return ActionForm(
        formdata=formdata,
        data=None if formdata else stored,
        prefix=f"action-{action.id}",
        status_labels=ACTION_STATUS_LABELS,
        owner_users=owners.enterprise_users() if users is None else users,
    )


def _render_actions(show: str, failed: tuple[int, ActionForm] | None = None, status: int = 200):
    actions = remediation.list_actions(remediation.ACTION_FILTERS[show])
    users = owners.enterprise_users()
    forms = {action.id: _action_form(action, users=users) for action in actions
             if not action.status.is_locked}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "assessments/actions.html",
        actions=actions,
        forms=forms,
        show=show,
        filters=remediation.ACTION_FILTERS,
        filter_labels={
            "active": _("Open and in progress"),
            **{status.value: ACTION_STATUS_LABELS[status] for status in ActionStatus},
            "all": _("All"),
        },
        failed_id=failed[0] if failed else None,
    ), status


def _show_filter() -> str:
    show = request.args.get("show", "active")
    return show if show in remediation.ACTION_FILTERS else "active"


@route(bp, "/actions", roles=OFFICERS)
def actions():
    return _render_actions(_show_filter())


@route(bp, "/actions/<int:action_id>", roles=OFFICERS, methods=["POST"])
def update_action(action_id: int):
    action = get_or_404(RemediationAction, action_id)
    show = _show_filter()
    if action.status.is_locked:
        flash(_("This action is verified or replaced and can no longer be changed."), "error")
        return redirect(url_for(".actions", show=show))
    form = _action_form(action, formdata=request.form)
    if not form.validate():
        flash(_("The action was not saved: check the fields marked below."), "error")
        return _render_actions(show, failed=(action.id, form), status=422)
    try:
        remediation.update_action(
            action,
            owner=form.owner.data,
            due_on=form.due_on.data,
            status=ActionStatus(form.status.data),
            note=form.note.data,
            user=current_user,
            owner_user=owners.owner_in_reach(form.owner_user_id.data),
        )
    except remediation.ActionLocked:  # verified while the officer was editing
        db.session.rollback()
        flash(_("This action is verified or replaced and can no longer be changed."), "error")
        return redirect(url_for(".actions", show=show))
    db.session.commit()
    flash(_("Action saved."), "success")
    return redirect(url_for(".actions", show=show) + f"#action-{action.id}")
