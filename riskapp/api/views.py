"""API routes: short views over the existing services; every object through tenancy helpers."""

from __future__ import annotations

from datetime import date

from flask import abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from riskapp import checklists, search, territory
from riskapp.api import bp, serialize
from riskapp.api.common import (
    MAX_ID,
    Invalid,
    api_route,
    choice_arg,
    error,
    int_arg,
    json_body,
    paginate,
    text_arg,
    text_in_lang,
    token_user_key,
)
from riskapp.api.openapi import document
from riskapp.assessments import actions as remediation
from riskapp.assessments import services as assessments
from riskapp.db import db
from riskapp.errors import problem
from riskapp.extensions import report_pdf_limit
from riskapp.filters import GRADE_FILTERS, VSIC_LETTERS, Filters
from riskapp.filters import enterprises as filtered_enterprises
from riskapp.models import (
    OFFICER_ACTION_STATUSES,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    Enterprise,
    RemediationAction,
    ReportStatus,
)
from riskapp.province import aggregates as province
from riskapp.reports import services as reports
from riskapp.reports.views import serve_stored_report
from riskapp.scoring import InvalidAnswers
from riskapp.tenancy import (
    EVERYONE,
    OFFICERS,
    READERS,
    TENANT_USERS,
    current_scope,
    get_area_or_404,
    get_assessment_or_404,
    get_or_404,
    own_enterprise_or_404,
)

MAX_NOTE_LENGTH = 2000
REPORT_RETRY_AFTER_SECONDS = 5
ID = f"int(max={MAX_ID})"  # a path id PostgreSQL's integer can hold, else 404


@bp.route("/openapi.json")
def openapi():
    return jsonify(document())


# ----------------------------------------------------------------------------- enterprises


def _list_filters() -> Filters:
    return Filters(area_id=int_arg("area_id", None, maximum=MAX_ID),
                   industry=choice_arg("industry", VSIC_LETTERS),
                   grade=choice_arg("grade", GRADE_FILTERS),
                   q=text_arg("q", search.MAX_QUERY_LENGTH))


@api_route("/enterprises", scope="read", roles=TENANT_USERS)
def enterprises():
    return paginate(filtered_enterprises(_list_filters()).order_by(Enterprise.id),
                    serialize.enterprise)


@api_route(f"/enterprises/<{ID}:enterprise_id>", scope="read", roles=TENANT_USERS)
def enterprise(enterprise_id: int):
    row = get_or_404(Enterprise, enterprise_id)
    return serialize.enterprise(row, row.status)


# ----------------------------------------------------------------------------- checklists


def _public(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if not key.startswith("_")}


@api_route("/checklists", scope="read", roles=EVERYONE)
def checklist_list():
    entries = sorted(checklists.catalogue(current_scope().province_id).values(),
                     key=lambda e: (e["key"], e["version"]))
    return {"items": [_public(entry) for entry in entries]}


@api_route(f"/checklists/<key>/<{ID}:version>", scope="read", roles=EVERYONE)
def checklist_detail(key: str, version: int):
    entry = checklists.catalogue(current_scope().province_id).get((key, version))
    if entry is None:
        abort(404)
    engine = entry.get("_engine") or checklists.definition(entry["_row"])
    return {**_public(entry), "definition": engine.to_dict()}


# ----------------------------------------------------------------------------- assessments


@api_route("/assessments", scope="read", roles=TENANT_USERS)
def assessment_list():
    status = choice_arg("status", tuple(s.value for s in AssessmentStatus))
    enterprise_id = int_arg("enterprise_id", None, maximum=MAX_ID)
    statement = assessments.assessments_in_reach(
        AssessmentStatus(status) if status else None, enterprise_id)
    return paginate(statement, serialize.assessment)


@api_route("/assessments", scope="write", roles=OFFICERS, methods=("POST",))
def assessment_start():
    draft, created = assessments.open_draft(own_enterprise_or_404(), current_user)
    db.session.commit()
    return serialize.assessment(draft), 201 if created else 200


@api_route(f"/assessments/<{ID}:assessment_id>", scope="read", roles=TENANT_USERS)
def assessment_detail(assessment_id: int):
    return serialize.assessment(get_assessment_or_404(assessment_id))


def _problem_errors(problems) -> list[dict]:
    return [error(p.code, text_in_lang(p.message), item_id=p.item_id) for p in problems]


def _answer_error(item_id: str, value, known: set[str]) -> dict | None:
    if item_id not in known:
        return error("unknown_item", _("This checklist has no such item."), item_id=item_id,
                     field="answers")
    if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
        return error("invalid_type", _("An answer is a string or a number."), item_id=item_id,
                     field="answers")
    if value is not None and len(str(value)) > assessments.MAX_ANSWER_LENGTH:
        return error("too_long", _("An answer has at most %(n)d characters.",
                                   n=assessments.MAX_ANSWER_LENGTH),
                     item_id=item_id, field="answers")
    return None


def _raw_answers(answers, draft: Assessment, errors: list[dict]) -> dict[str, str]:
    """The answers as the form would send them (None clears one); problems go to `errors`."""
    if not isinstance(answers, dict):
        errors.append(error("invalid_type", _("Must be an object of item id → answer."),
                            field="answers"))
        return {}
    known = {item.id for item in assessments.checklist_of(draft).items}
    raw: dict[str, str] = {}
    for item_id, value in answers.items():
        problem_ = _answer_error(item_id, value, known)
        if problem_ is not None:
            errors.append(problem_)
        else:
            raw[item_id] = "" if value is None else str(value)
    return raw


def _declared(declared, draft: Assessment, errors: list[dict]) -> dict:
    """The declared facts; leaving them out keeps what the draft already declares."""
    if declared is None:
        return {key: bool((draft.context or {}).get(key, False))
                for key in assessments.DECLARED_CONTEXT_KEYS}
    if not isinstance(declared, dict):
        errors.append(error("invalid_type", _("Must be an object."), field="declared"))
        return declared
    for key, value in declared.items():
        if key not in assessments.DECLARED_CONTEXT_KEYS:
            errors.append(error("unknown_field", _("Not a declared fact."),
                                field=f"declared.{key}"))
        elif not isinstance(value, bool):
            errors.append(error("invalid_type", _("Must be true or false."),
                                field=f"declared.{key}"))
    return declared


def _answers_from(body: dict, draft: Assessment) -> tuple[dict, dict | None, int]:
    """Validate the PATCH body; every problem is listed at once (422), nothing is stored."""
    errors: list[dict] = []
    raw = _raw_answers(body.get("answers", {}), draft, errors)
    declared = _declared(body.get("declared"), draft, errors)
    lock_version = body.get("lock_version")
    if isinstance(lock_version, bool) or not isinstance(lock_version, int):
        errors.append(error("required", _("Send the lock_version you read (a whole number)."),
                            field="lock_version"))
    if errors:
        raise Invalid(errors)
    return raw, declared, lock_version


def _submitted_conflict(row: Assessment):
    return problem(409, _("This assessment is submitted and can no longer be changed."))


@api_route(f"/assessments/<{ID}:assessment_id>/answers", scope="write", roles=OFFICERS,
           methods=("PATCH",))
def assessment_answers(assessment_id: int):
    draft = get_assessment_or_404(assessment_id)
    body = json_body()
    if not draft.is_draft:
        return _submitted_conflict(draft)
    raw, declared, lock_version = _answers_from(body, draft)
    try:
        problems = assessments.save_draft(draft, raw, declared, lock_version, user=current_user)
    except assessments.StaleDraft as stale:
        db.session.rollback()
        body, status, headers = problem(
            409, _("Someone else saved this draft since you read it: read it again and resend."))
        return {**body, "lock_version": stale.current.lock_version}, status, headers
    db.session.commit()
    return {**serialize.assessment(draft), "problems": _problem_errors(problems)}


@api_route(f"/assessments/<{ID}:assessment_id>/submit", scope="write", roles=OFFICERS,
           methods=("POST",))
def assessment_submit(assessment_id: int):
    row = get_assessment_or_404(assessment_id)
    body = json_body(required=False)
    submit_token = body.get("submit_token")
    if submit_token is not None and (not isinstance(submit_token, str)
                                     or not 1 <= len(submit_token) <= 64):
        raise Invalid([error("invalid_type", _("A string of 1 to 64 characters."),
                             field="submit_token")])
    try:
        # Idempotent: a repeated token or an already submitted draft returns what was made first.
        submitted = assessments.submit(row, current_user, submit_token)
    except InvalidAnswers as refused:
        db.session.rollback()
        return problem(422, _("The assessment was not submitted: %(count)d answers need "
                              "attention.", count=len(refused.problems)),
                       errors=_problem_errors(refused.problems))
    db.session.commit()
    return serialize.assessment(submitted)


@api_route(f"/assessments/<{ID}:assessment_id>/result", scope="read", roles=TENANT_USERS)
def assessment_result(assessment_id: int):
    row = get_assessment_or_404(assessment_id)
    if row.is_draft or not row.result:
        abort(404)
    effective = assessments.result_of(row, effective=True)
    return {
        "assessment": serialize.assessment(row),
        "regraded": bool(row.effective_result),
        "result": effective.to_dict(),
        "submitted_result": row.result if row.effective_result else None,
    }


@api_route(f"/assessments/<{ID}:assessment_id>/report.pdf", scope="reports", roles=TENANT_USERS)
# The web's download limit, same bucket; the API's own limit still applies as well.
@report_pdf_limit(key_func=token_user_key, override_defaults=False)
def assessment_report(assessment_id: int):
    row = get_assessment_or_404(assessment_id)
    if row.is_draft:
        abort(404)
    lang = choice_arg("lang", reports.REPORT_LANGS) or "vi"
    report = reports.request_report(row, lang)
    if report.status != ReportStatus.READY:
        if reports.can_retry(report):
            reports.retry_render(report)
        db.session.commit()  # the render is queued once this commits
        return ({"status": report.status.value, "retry_after": REPORT_RETRY_AFTER_SECONDS},
                202, {"Retry-After": str(REPORT_RETRY_AFTER_SECONDS), "Cache-Control": "no-store"})
    return serve_stored_report(report, row)


# ----------------------------------------------------------------------------- actions


@api_route("/actions", scope="read", roles=TENANT_USERS)
def action_list():
    status = choice_arg("status", tuple(s.value for s in ActionStatus))
    assessment_id = int_arg("assessment_id", None, maximum=MAX_ID)
    statement = remediation.actions_in_reach(ActionStatus(status) if status else None,
                                             assessment_id)
    # The token's user's province day (the API swaps the session user for the token's).
    today = territory.province_today(current_scope().province_id)
    return paginate(statement, lambda row: serialize.action(row, today))


def _action_changes(body: dict, row: RemediationAction) -> dict:
    errors = []
    changes = {"owner": row.owner, "due_on": row.due_on, "status": row.status, "note": row.note}
    unknown = set(body) - set(changes)
    errors += [error("unknown_field", _("Not a field of an action."), field=key)
               for key in sorted(unknown)]
    for key, limit in (("owner", 255), ("note", MAX_NOTE_LENGTH)):
        if key in body:
            value = body[key]
            if value is not None and not isinstance(value, str):
                errors.append(error("invalid_type", _("Must be a string or null."), field=key))
            elif value is not None and len(value) > limit:
                errors.append(error("too_long", _("At most %(n)d characters.", n=limit),
                                    field=key))
            else:
                changes[key] = value
    if "due_on" in body:
        try:
            changes["due_on"] = date.fromisoformat(body["due_on"])
        except (TypeError, ValueError):
            errors.append(error("invalid_date", _("A date as YYYY-MM-DD."), field="due_on"))
    if "status" in body:
        allowed = {s.value: s for s in OFFICER_ACTION_STATUSES}
        if not isinstance(body["status"], str) or body["status"] not in allowed:
            errors.append(error("invalid_choice", _("One of open, in_progress, done."),
                                field="status"))
        else:
            changes["status"] = allowed[body["status"]]
    if errors:
        raise Invalid(errors)
    return changes


@api_route(f"/actions/<{ID}:action_id>", scope="write", roles=OFFICERS, methods=("PATCH",))
def action_update(action_id: int):
    row = get_or_404(RemediationAction, action_id)
    changes = _action_changes(json_body(), row)
    try:
        remediation.update_action(row, user=current_user, **changes)
    except remediation.ActionLocked:
        db.session.rollback()
        return problem(409, _("This action is verified or replaced and can no longer be "
                              "changed."))
    db.session.commit()
    return serialize.action(row)


# ----------------------------------------------------------------------------- province


@api_route("/province/summary", scope="province", roles=READERS)
def province_summary():
    area_id = int_arg("area_id", None, maximum=MAX_ID)
    if area_id is not None:
        get_area_or_404(area_id)
    filters = Filters(area_id=area_id, industry=choice_arg("industry", VSIC_LETTERS),
                      grade=choice_arg("grade", GRADE_FILTERS))
    head = province.headline(filters)
    return {
        "as_of": territory.province_today(current_scope().province_id).isoformat(),
        "filters": {"area_id": area_id, "industry": filters.industry, "grade": filters.grade},
        "headline": serialize.tally(head),
        "declared_by_grade": province.declared_counts(filters),
        "by_area": [
            {"area_id": row.key[0], "name": row.label, "exact": row.key[1],
             **serialize.tally(row)}
            for row in province.by_area(filters)
        ],
    }
