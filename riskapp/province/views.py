"""Province routes: the dashboard and the lists behind it, the map, exports, area levels,
imports and checklists; each reads the filters, calls a service and renders or redirects."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from riskapp import checklists, clock, formatting, territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.extensions import costly_limit, limiter, user_or_address
from riskapp.filters import STATE_LABELS, Filters, area_choices, read_filters
from riskapp.i18n import current_lang
from riskapp.models import ChecklistVersion, Enterprise
from riskapp.province import (
    aggregates,
    area_forms,
    area_listing,
    bp,
    cache,
    exports,
    figures,
    followup,
    guided_start,
    import_areas,
    import_files,
    imports,
    lists,
    maps,
    proposals,
    regrade,
    uploads,
    versions,
)
from riskapp.province.forms import (
    WHOLE_PROVINCE,
    AreaLevelForm,
    ChecklistActivateForm,
    ChecklistUploadForm,
    ImportApplyForm,
    ImportForm,
    LevelProposalForm,
    ProposalDecisionForm,
)
from riskapp.reviews import queue as review_queue
from riskapp.templating import AREA_LEVEL_LABELS, grade_label
from riskapp.tenancy import (
    MANAGERS,
    PLATFORM_ADMINS,
    PROVINCE_ADMINS,
    READERS,
    STAFF,
    allows,
    area_in_reach,
    current_province_id,
    current_scope,
    get_area_or_404,
    get_or_404,
    may_open,
    route,
)


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def _active_checklist():
    return checklists.definition(checklists.active_version(current_province_id()))


def _dashboard_figures(filters: Filters) -> dict:
    areas, declared = aggregates.by_area_and_declared(filters)
    head = aggregates.fold(areas)
    industries = aggregates.by_industry(filters)
    trend = aggregates.trend(filters)
    shown = trend.readable()  # sparse weeks fold into four-week windows
    return {
        "head": head, "areas": areas, "industries": industries, "trend": trend,
        "trend_span": shown.span_weeks,
        "declared": declared, "audit": aggregates.declared_vs_audited(filters),
        "charts": {
            "donut": figures.grade_donut(head),
            "areas": figures.grade_stack(areas, _("Final grade by area")),
            "industries": figures.grade_stack(industries, _("Final grade by industry")),
            "trend": figures.trend_chart(shown),
            "reporting": figures.reporting_bars(areas),
        },
    }


# The session key holding when this user last changed province data: their dashboard then shows
# figures built after it, whatever other viewers are served.
FIGURES_AFTER = "figures_after"


@bp.after_app_request
def _remember_own_change(response):
    if (request.method in ("POST", "PUT", "PATCH", "DELETE") and response.status_code < 400
            and not request.path.startswith("/api/") and allows(READERS | PLATFORM_ADMINS)):
        session[FIGURES_AFTER] = time.time()
    return response


@route(bp, "/", roles=READERS)
def dashboard():
    form, filters = read_filters()
    refresh = request.args.get("refresh") == "1"
    cached = cache.figures(
        aggregates.figures_key(filters, current_lang()), aggregates.figures_version(),
        lambda: _dashboard_figures(filters),
        stale_seconds=current_app.config["FIGURES_STALE_SECONDS"],
        not_before=time.time() if refresh else session.get(FIGURES_AFTER, 0.0),
    )
    return render_template(
        "province/dashboard.html", form=form, filters=filters, **cached.value,
        figures_built_at=datetime.fromtimestamp(cached.built_at, UTC),
        regrade=regrade.last_regrade(current_province_id()),
        start=guided_start.guided_start(current_scope()),
        reach=territory.reach_label(current_province_id(), current_scope().area_ids),
        proposals_pending=(proposals.pending_count() if may_open("province.approve_proposal")
                           else 0),
        # Not cached: a reviewer expects the figure to move with each decision.
        pending_reviews=review_queue.pending_count() if allows(STAFF) else None,
    )


@route(bp, "/reporting", roles=READERS)
def reporting():
    form, filters = read_filters()
    areas = aggregates.by_area(filters)
    return render_template("province/reporting.html", form=form, filters=filters,
                           head=aggregates.fold(areas), areas=areas,
                           chart=figures.reporting_bars(areas),
                           page=followup.overdue_page(filters, _page_number()))


@route(bp, "/gaps", roles=READERS)
def gaps():
    form, filters = read_filters()
    rows, assessed = aggregates.gaps(filters, checklist=_active_checklist())
    return render_template("province/gaps.html", form=form, filters=filters, gaps=rows,
                           assessed=assessed, chart=figures.gap_bars(rows))


@route(bp, "/enterprises", roles=READERS)
def enterprises():
    form, filters = read_filters()
    return render_template("province/enterprises.html", form=form, filters=filters,
                           page=lists.enterprise_page(filters, _page_number()),
                           tree=territory.area_tree(current_province_id()),
                           state_labels=STATE_LABELS)


@route(bp, "/enterprises/<int:enterprise_id>", roles=READERS)
def enterprise(enterprise_id: int):
    enterprise = get_or_404(Enterprise, enterprise_id)
    detail = lists.enterprise_detail(enterprise)
    return render_template(
        "province/enterprise.html", enterprise=enterprise, status=detail.status,
        history=detail.history, actions=detail.open_actions, findings=detail.findings,
        done_actions=detail.done_actions,
        area_path=territory.area_path(enterprise.area),
        chart=figures.history_chart(detail.history),
        current=detail.current,
    )


@route(bp, "/map.json", roles=READERS)
def map_data():
    _form, filters = read_filters()
    etag = maps.map_version(filters)
    if etag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{etag}"', "Vary": "Accept-Encoding"})
    plain, packed = cache.map_document(etag, lambda: maps.map_markers_json(filters))
    gzip_ok = "gzip" in request.accept_encodings
    response = Response(packed if gzip_ok else plain, mimetype="application/json")
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "private, no-cache"  # revalidate: a 304 costs ~nothing
    response.set_etag(etag)
    return response


@route(bp, "/map/<int:enterprise_id>.json", roles=READERS)
def map_popup(enterprise_id: int):
    enterprise = get_or_404(Enterprise, enterprise_id)
    grade = enterprise.status.effective_grade if enterprise.status else None
    return jsonify({"name": enterprise.name, "tax_code": enterprise.tax_code,
                    "grade": grade_label(grade), "headcount": enterprise.headcount,
                    "url": url_for("province.enterprise", enterprise_id=enterprise.id)})


# ----------------------------------------------------------------------------- exports

EXPORT_FORMATS = ("csv", "xlsx")


def _exported_filters(fmt: str) -> Filters:
    """The request's filters, for an export in a format we make (else 404)."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    _form, filters = read_filters()
    return filters


def _export_frame(fmt: str, action: str, name: str, sheet: str, make_frame) -> Response:
    """One table of the filtered figures as CSV or XLSX, logged."""
    filters = _exported_filters(fmt)
    frame = make_frame(filters)
    _log_export(action, fmt, filters, rows=len(frame))
    if fmt == "csv":
        return _download(exports.to_csv(frame), f"{name}.csv", exports.CSV_MIME)
    return _download(exports.to_xlsx({sheet: frame}), f"{name}.xlsx", exports.XLSX_MIME)


@route(bp, "/export/enterprises.<fmt>", roles=READERS)
@limiter.limit(costly_limit, key_func=user_or_address)
def export_enterprises(fmt: str):
    return _export_frame(fmt, "export_enterprises", "enterprises", _("Enterprises"),
                         exports.enterprise_frame)


@route(bp, "/export/assessments.<fmt>", roles=READERS)
@limiter.limit(costly_limit, key_func=user_or_address)
def export_assessments(fmt: str):
    return _export_frame(fmt, "export_assessments", "assessments", _("Assessments"),
                         exports.assessment_frame)


@route(bp, "/export/inspect.<fmt>", roles=READERS)
@limiter.limit(costly_limit, key_func=user_or_address)
def export_inspection(fmt: str):
    return _export_frame(fmt, "export_inspection", "inspect-first", _("Inspect first"),
                         exports.inspection_frame)


@route(bp, "/export/tables.<fmt>", roles=READERS)
@limiter.limit(costly_limit, key_func=user_or_address)
def export_tables(fmt: str):
    filters = _exported_filters(fmt)
    frames = exports.table_frames(filters, checklist=_active_checklist())
    _log_export("export_tables", fmt, filters)
    if fmt == "xlsx":
        return _download(exports.to_xlsx(frames), "province-tables.xlsx", exports.XLSX_MIME)
    names = list(frames)
    index = request.args.get("table", 0, type=int)
    if not 0 <= index < len(names):
        abort(404)
    return _download(exports.to_csv(frames[names[index]]), f"province-table-{index + 1}.csv",
                     exports.CSV_MIME)


def _log_export(action: str, fmt: str, filters: Filters, **details) -> None:
    record(action, object_type="export", details={"format": fmt, **details, **filters.args()})
    db.session.commit()


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ----------------------------------------------------------------------------- area levels


def _area_level_form() -> AreaLevelForm:
    form = AreaLevelForm()
    form.area_id.choices = [(WHOLE_PROVINCE, _("The whole province (every area)")),
                            *area_choices()]
    form.level.choices = list(AREA_LEVEL_LABELS.items())
    return form


def proposal_form(form: LevelProposalForm | None = None) -> LevelProposalForm:
    """An area admin's level proposal form, over the areas of their reach."""
    form = form or LevelProposalForm(formdata=None)
    form.area_id.choices = area_choices()
    form.level.choices = list(AREA_LEVEL_LABELS.items())
    return form


def _render_areas(form: AreaLevelForm | None = None, status: int = 200, **forms):
    """The areas page (area staff: their areas only); `forms` are the forms that failed
    (area_views, proposal_views)."""
    province_id = current_province_id()
    tree = territory.area_tree(province_id)
    today = territory.province_today(province_id)
    return render_template(
        "province/areas.html", form=form or _area_level_form(), tree=tree,
        rows=territory.picker_rows(province_id, current_scope().area_ids, today),
        levels=territory.levels_in_force(province_id),
        whole_province=current_scope().area_ids is None,
        changes=[change for change in territory.recent_level_changes(province_id)
                 if area_in_reach(change.area_id)],
        proposal_form=forms.get("proposal_form") or proposal_form(),
        proposals=proposals.proposal_rows(province_id),
        decision_form=ProposalDecisionForm(formdata=None),
        groupings=area_listing.open_groupings(province_id, today),
        closed=area_listing.closed_areas(province_id, today),
        add_form=forms.get("add_form") or area_forms.add_form(province_id),
        merge_form=forms.get("merge_form") or area_forms.merge_form(province_id),
    ), status


@route(bp, "/areas", roles=STAFF)
def areas():
    return _render_areas(_area_level_form())


@route(bp, "/areas", roles=PROVINCE_ADMINS, methods=["POST"])
def set_area_level():
    picked = request.form.get("area_id") or ""
    if picked.isdigit() and int(picked) != WHOLE_PROVINCE:
        get_area_or_404(int(picked))  # another province's area: 404
    form = _area_level_form()
    if not form.validate_on_submit():
        return _render_areas(form, status=400)
    if form.area_id.data == WHOLE_PROVINCE:
        rows = regrade.set_province_level(current_province_id(), form.level.data,
                                          form.effective_from.data, current_user, form.note.data)
    else:
        rows = [regrade.set_area_level(get_area_or_404(form.area_id.data), form.level.data,
                                       form.effective_from.data, current_user, form.note.data)]
    if not rows:
        form.area_id.errors.append(_("The province has no areas yet."))
        return _render_areas(form, status=400)
    db.session.commit()
    if rows[0].is_in_force(clock.today()):
        flash(_("Level saved; the current assessments below this area are being re-graded."),
              "success")
    else:
        flash(_("Level saved; enterprises will be re-graded from %(day)s.",
                day=formatting.format_date(form.effective_from.data, current_lang())), "success")
    return redirect(url_for("province.areas"))


# ----------------------------------------------------------------------------- imports


@route(bp, "/imports", roles=MANAGERS, methods=["GET", "POST"], endpoint="imports")
def imports_page():
    form = ImportForm()
    plan = apply_form = token = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        try:
            plan, token = uploads.dry_run(data, upload.filename, current_province_id(),
                                          current_user)
        except imports.ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            if token is not None and plan.rows:
                apply_form = ImportApplyForm(formdata=None, filename=upload.filename, token=token)
    elif request.method == "GET":
        token = request.args.get("rejected")  # after applying: the bad rows to download
    return render_template("province/imports.html", form=form, plan=plan, apply_form=apply_form,
                           token=token)


@route(bp, "/imports/template.<any(csv, xlsx):fmt>", roles=MANAGERS)
def import_template(fmt: str):
    data = import_files.template_file(fmt, import_areas.example_area_name(
        current_province_id(), current_scope().area_ids))
    mimetype = import_files.XLSX_TYPE if fmt == "xlsx" else import_files.CSV_TYPE
    return _download(data, f"mau-nhap-doanh-nghiep.{fmt}", mimetype)


@route(bp, "/imports/rejected/<token>/rows.<any(csv, xlsx):fmt>", roles=MANAGERS)
def rejected_import_rows(token: str, fmt: str):
    try:
        data = uploads.rejected_rows(token, fmt, current_province_id(), current_user)
    except (uploads.UploadExpired, imports.ImportFileError):
        abort(404)
    mimetype = import_files.XLSX_TYPE if fmt == "xlsx" else import_files.CSV_TYPE
    return _download(data, f"dong-chua-nhap.{fmt}", mimetype)


@route(bp, "/imports/apply", roles=MANAGERS, methods=["POST"])
def apply_import():
    form = ImportApplyForm()
    token = form.token.data if form.validate_on_submit() else None
    try:
        summary = uploads.apply_kept_upload(token, form.filename.data or "",
                                            current_province_id(), current_user)
    except uploads.UploadExpired:
        flash(_("That upload has expired; upload the file again."), "error")
        return redirect(url_for("province.imports"))
    except uploads.PlanChanged as changed:
        flash(_("The data changed since the dry run; check the file again."), "error")
        return render_template("province/imports.html", form=ImportForm(formdata=None),
                               plan=changed.plan, apply_form=None, token=None)
    db.session.commit()
    flash(_("Imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged "
            "(%(converted)d from former district-based addresses); %(invited)d officers "
            "invited.", **summary), "success")
    if summary["rejected"]:
        flash(_("%(rejected)d rows with problems were not imported: download them below, fix "
                "them and import that file.", **summary), "error")
        return redirect(url_for("province.imports", rejected=token))
    uploads.drop_upload(token)
    return redirect(url_for("province.enterprises"))


# ----------------------------------------------------------------------------- checklists


def _render_checklists(form: ChecklistUploadForm, problems=(), status: int = 200):
    province_id = current_province_id()
    active = checklists.active_version(province_id)
    db.session.commit()  # the shipped default registers itself on first use
    return render_template(
        "province/checklists.html", form=form, problems=problems, active=active,
        definition=checklists.definition(active), activations=versions.activations(province_id),
        all_versions=versions.all_versions(), activate_form=ChecklistActivateForm(formdata=None),
    ), status


@route(bp, "/checklists", roles=PROVINCE_ADMINS, methods=["GET", "POST"], endpoint="checklists")
def checklists_page():
    form = ChecklistUploadForm()
    if not form.validate_on_submit():
        return _render_checklists(form, status=400 if form.errors else 200)
    try:
        activation = versions.upload_and_activate(
            form.file.data.read(), form.file.data.filename, current_province_id(),
            form.active_from.data, current_user)
    except versions.ChecklistRejected as error:
        return _render_checklists(form, problems=error.problems, status=422)
    db.session.commit()
    version = activation.checklist_version
    flash(_("Checklist %(key)s version %(version)d is active from %(day)s.",
            key=version.checklist_key, version=version.version,
            day=formatting.format_date(activation.active_from, current_lang())), "success")
    return redirect(url_for("province.checklists"))


@route(bp, "/checklists/<int:version_id>/activate", roles=PROVINCE_ADMINS, methods=["POST"])
def activate_checklist(version_id: int):
    version = get_or_404(ChecklistVersion, version_id)  # another province's upload: 404
    form = ChecklistActivateForm()
    if not form.validate_on_submit():
        flash(_("Choose a version and a date."), "error")
        return redirect(url_for("province.checklists"))
    checklists.activate(version, current_province_id(), form.active_from.data, current_user)
    db.session.commit()
    flash(_("Checklist %(key)s version %(version)d is active from %(day)s.",
            key=version.checklist_key, version=version.version,
            day=formatting.format_date(form.active_from.data, current_lang())), "success")
    return redirect(url_for("province.checklists"))


# ----------------------------------------------------------------------------- templates


@bp.app_template_global()
def tile_settings() -> dict[str, str]:
    return {"url": current_app.config.get("MAP_TILE_URL", ""),
            "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", "")}


@bp.app_template_global()
def map_marker_styles() -> list[dict[str, str]]:
    return maps.marker_styles()


@bp.app_template_global()
def province_tree():
    return territory.area_tree(current_province_id())


@bp.app_template_global()
def list_url(args: dict) -> str:
    """The enterprise list behind a figure (hundreds per page: cheaper than url_for)."""
    base = url_for("province.enterprises")
    return f"{base}?{urlencode(args)}" if args else base
