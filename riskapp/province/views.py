"""Province routes: short views over riskapp.province.services and friends."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

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
from flask_login import current_user, login_required
from sqlalchemy import select

from riskapp import checklists
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.extensions import costly_limit, limiter, user_or_address
from riskapp.i18n import current_lang
from riskapp.models import (
    ActionStatus,
    Assessment,
    AssessmentStatus,
    ChecklistVersion,
    Enterprise,
    EnterpriseStatus,
    Finding,
    Grade,
    RemediationAction,
    Role,
)
from riskapp.province import bp, cache, exports, figures, imports, regrade, services, versions
from riskapp.province.forms import (
    AreaLevelForm,
    ChecklistActivateForm,
    ChecklistUploadForm,
    FilterForm,
    ImportApplyForm,
    ImportForm,
    filters_from,
)
from riskapp.tenancy import current_scope, get_area_or_404, get_or_404, roles_required

READERS = (Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER, Role.AUDITOR)
ADMIN = (Role.PROVINCE_ADMIN,)


def _area_choices() -> list[tuple[int, str]]:
    scope = current_scope()
    tree = services.area_tree(scope.province_id)
    return [(area_id, "\u2003" * depth + tree.names[area_id])
            for area_id, depth in tree.depth_first(services.visible_roots(scope))]


def _filters() -> tuple[FilterForm, services.Filters]:
    """The filters of this request; an area outside the user's reach answers 404."""
    from riskapp.templating import VSIC_SECTIONS, grade_label

    form = FilterForm(request.args).setup(_area_choices(), grade_label, VSIC_SECTIONS)
    form.validate()
    filters = filters_from(form, request.args)
    if filters.area_id is None and request.args.get("area_id"):
        try:
            get_area_or_404(int(request.args["area_id"]))
        except ValueError:
            pass
    return form, filters


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def _active_checklist():
    return checklists.definition(checklists.active_version(current_scope().province_id))


def _dashboard_figures(filters: services.Filters) -> dict:
    areas, declared = services.by_area_and_declared(filters)
    head = services.fold(areas)
    industries = services.by_industry(filters)
    trend = services.trend(filters)
    return {
        "head": head, "areas": areas, "industries": industries, "trend": trend,
        "declared": declared, "audit": services.declared_vs_audited(filters),
        "charts": {
            "donut": figures.grade_donut(head),
            "areas": figures.grade_stack(areas, _("Final grade by area")),
            "industries": figures.grade_stack(industries, _("Final grade by industry")),
            "trend": figures.trend_chart(trend),
            "reporting": figures.reporting_bars(areas),
        },
    }


# The session key holding when this user last changed province data: their dashboard then shows
# figures built after it, whatever other viewers are served.
FIGURES_AFTER = "figures_after"


@bp.after_app_request
def _remember_own_change(response):
    if (request.method in ("POST", "PUT", "PATCH", "DELETE") and response.status_code < 400
            and not request.path.startswith("/api/") and current_user.is_authenticated
            and current_user.role in (*READERS, Role.PLATFORM_ADMIN)):
        session[FIGURES_AFTER] = time.time()
    return response


@bp.route("/")
@login_required
@roles_required(*READERS)
def dashboard():
    form, filters = _filters()
    refresh = request.args.get("refresh") == "1"
    cached = cache.figures(
        services.figures_key(filters, current_lang()), services.figures_version(),
        lambda: _dashboard_figures(filters),
        stale_seconds=current_app.config["FIGURES_STALE_SECONDS"],
        not_before=time.time() if refresh else session.get(FIGURES_AFTER, 0.0),
    )
    return render_template(
        "province/dashboard.html", form=form, filters=filters, **cached.value,
        figures_built_at=datetime.fromtimestamp(cached.built_at, UTC),
        regrade=services.last_regrade(current_scope().province_id),
    )


@bp.route("/reporting")
@login_required
@roles_required(*READERS)
def reporting():
    form, filters = _filters()
    areas = services.by_area(filters)
    return render_template("province/reporting.html", form=form, filters=filters,
                           head=services.fold(areas), areas=areas,
                           chart=figures.reporting_bars(areas),
                           page=services.enterprise_page(
                               services.replace_filters(filters, state="unreported"),
                               _page_number()))


@bp.route("/inspect")
@login_required
@roles_required(*READERS)
def inspect_first():
    form, filters = _filters()
    return render_template("province/inspect.html", form=form, filters=filters,
                           page=services.inspection_ranking(filters, _page_number()))


@bp.route("/gaps")
@login_required
@roles_required(*READERS)
def gaps():
    form, filters = _filters()
    rows, assessed = services.gaps(filters, checklist=_active_checklist())
    return render_template("province/gaps.html", form=form, filters=filters, gaps=rows,
                           assessed=assessed, chart=figures.gap_bars(rows))


@bp.route("/enterprises")
@login_required
@roles_required(*READERS)
def enterprises():
    form, filters = _filters()
    page = services.enterprise_page(filters, _page_number())
    tree = services.area_tree(current_scope().province_id)
    return render_template("province/enterprises.html", form=form, filters=filters, page=page,
                           tree=tree, state_labels=services.STATE_LABELS)


@bp.route("/enterprises/<int:enterprise_id>")
@login_required
@roles_required(*READERS)
def enterprise(enterprise_id: int):
    enterprise = get_or_404(Enterprise, enterprise_id)
    status = db.session.get(EnterpriseStatus, enterprise.id)
    history = db.session.scalars(
        select(Assessment)
        .where(Assessment.enterprise_id == enterprise.id,
               Assessment.status.in_((AssessmentStatus.SUBMITTED, AssessmentStatus.SUPERSEDED)))
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
    ).all()
    actions = db.session.scalars(
        select(RemediationAction)
        .where(RemediationAction.enterprise_id == enterprise.id,
               RemediationAction.status.in_((ActionStatus.OPEN, ActionStatus.IN_PROGRESS)))
        .order_by(RemediationAction.due_on, RemediationAction.position)
    ).all()
    findings = db.session.scalars(
        select(Finding).where(Finding.enterprise_id == enterprise.id)
        .order_by(Finding.visited_on.desc())
    ).all()
    tree = services.area_tree(enterprise.province_id)
    return render_template(
        "province/enterprise.html", enterprise=enterprise, status=status, history=history,
        actions=actions, findings=findings, area_path=tree.path(enterprise.area_id),
        chart=figures.history_chart(history),
    )


@bp.route("/map.json")
@login_required
@roles_required(*READERS)
def map_data():
    _form, filters = _filters()
    etag = services.map_version(filters)
    if etag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{etag}"', "Vary": "Accept-Encoding"})
    plain, packed = cache.map_document(etag, lambda: services.map_markers_json(filters))
    gzip_ok = "gzip" in request.accept_encodings
    response = Response(packed if gzip_ok else plain, mimetype="application/json")
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "private, no-cache"  # revalidate: a 304 costs ~nothing
    response.set_etag(etag)
    return response


@bp.route("/map/<int:enterprise_id>.json")
@login_required
@roles_required(*READERS)
def map_popup(enterprise_id: int):
    from riskapp.templating import grade_label

    enterprise = get_or_404(Enterprise, enterprise_id)
    status = db.session.get(EnterpriseStatus, enterprise.id)
    grade = status.effective_grade if status else None
    return jsonify({"name": enterprise.name, "tax_code": enterprise.tax_code,
                    "grade": grade_label(grade), "headcount": enterprise.headcount,
                    "url": url_for("province.enterprise", enterprise_id=enterprise.id)})


# ----------------------------------------------------------------------------- exports

@bp.route("/export/enterprises.<fmt>")
@login_required
@roles_required(*READERS)
@limiter.limit(costly_limit, key_func=user_or_address)
def export_enterprises(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _form, filters = _filters()
    frame = exports.enterprise_frame(filters)
    record("export_enterprises", object_type="export", details={"format": fmt,
                                                               "rows": len(frame),
                                                               **filters.args()})
    db.session.commit()
    if fmt == "csv":
        return _download(exports.to_csv(frame), "enterprises.csv", exports.CSV_MIME)
    return _download(exports.to_xlsx({_("Enterprises"): frame}), "enterprises.xlsx",
                     exports.XLSX_MIME)


@bp.route("/export/tables.<fmt>")
@login_required
@roles_required(*READERS)
@limiter.limit(costly_limit, key_func=user_or_address)
def export_tables(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _form, filters = _filters()
    frames = exports.table_frames(filters, checklist=_active_checklist())
    record("export_tables", object_type="export", details={"format": fmt, **filters.args()})
    db.session.commit()
    if fmt == "xlsx":
        return _download(exports.to_xlsx(frames), "province-tables.xlsx", exports.XLSX_MIME)
    names = list(frames)
    index = request.args.get("table", 0, type=int)
    if not 0 <= index < len(names):
        abort(404)
    return _download(exports.to_csv(frames[names[index]]), f"province-table-{index + 1}.csv",
                     exports.CSV_MIME)


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ----------------------------------------------------------------------------- area levels

@bp.route("/areas", methods=["GET", "POST"])
@login_required
@roles_required(Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER)
def areas():
    from riskapp.templating import AREA_LEVEL_LABELS

    scope = current_scope()
    form = AreaLevelForm()
    form.area_id.choices = _area_choices()
    form.level.choices = list(AREA_LEVEL_LABELS.items())
    if request.method == "POST":
        if current_user.role != Role.PROVINCE_ADMIN:
            abort(404)
        if (request.form.get("area_id") or "").isdigit():
            get_area_or_404(int(request.form["area_id"]))  # another province's area: 404
        if form.validate_on_submit():
            area = get_area_or_404(form.area_id.data)
            regrade.set_area_level(area, form.level.data, form.effective_from.data,
                                   current_user, form.note.data)
            db.session.commit()
            if form.effective_from.data > date.today():
                flash(_("Level saved; enterprises will be re-graded from %(day)s.",
                        day=form.effective_from.data.strftime("%d/%m/%Y")), "success")
            else:
                flash(_("Level saved; the current assessments below this area are being "
                        "re-graded."), "success")
            return redirect(url_for("province.areas"))
    tree = services.area_tree(scope.province_id)
    return render_template(
        "province/areas.html", form=form, tree=tree,
        rows=tree.depth_first(services.visible_roots(scope)),
        levels=services.current_levels(scope.province_id),
        changes=services.recent_level_changes(scope.province_id),
    )


# ----------------------------------------------------------------------------- imports

@bp.route("/imports", methods=["GET", "POST"], endpoint="imports")
@login_required
@roles_required(*ADMIN)
def imports_page():
    form = ImportForm()
    plan = apply_form = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        try:
            frame = imports.read_table(data, upload.filename)
        except imports.ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            plan = imports.plan_import(frame, current_user.province_id, upload.filename)
            if plan.ok:
                apply_form = ImportApplyForm(formdata=None, filename=upload.filename,
                                             token=imports.keep_upload(
                                                 data, upload.filename,
                                                 current_user.province_id, current_user.id))
    return render_template("province/imports.html", form=form, plan=plan, apply_form=apply_form)



@bp.route("/imports/apply", methods=["POST"])
@login_required
@roles_required(*ADMIN)
def apply_import():
    form = ImportApplyForm()
    data = imports.load_upload(form.token.data or "", current_user.province_id,
                               current_user.id) if form.validate_on_submit() else None
    if data is None:
        flash(_("That upload has expired; upload the file again."), "error")
        return redirect(url_for("province.imports"))
    frame = imports.read_table(data, form.token.data)
    plan = imports.plan_import(frame, current_user.province_id, form.filename.data or "")
    if not plan.ok:
        flash(_("The data changed since the dry run; check the file again."), "error")
        return render_template("province/imports.html", form=ImportForm(formdata=None),
                               plan=plan, apply_form=None)
    summary = imports.apply_import(plan, current_user.province_id, current_user)
    db.session.commit()
    imports.drop_upload(form.token.data)
    flash(_("Imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged; "
            "%(invited)d officers invited.", **summary), "success")
    return redirect(url_for("province.enterprises"))


# ----------------------------------------------------------------------------- checklists

@bp.route("/checklists", methods=["GET", "POST"], endpoint="checklists")
@login_required
@roles_required(*ADMIN)
def checklists_page():
    province_id = current_user.province_id
    form = ChecklistUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            activation = versions.upload_and_activate(
                form.file.data.read(), form.file.data.filename, province_id,
                form.active_from.data, current_user)
        except versions.ChecklistRejected as error:
            problems = error.problems
        else:
            db.session.commit()
            flash(_("Checklist %(key)s version %(version)d is active from %(day)s.",
                    key=activation.checklist_version.checklist_key,
                    version=activation.checklist_version.version,
                    day=activation.active_from.strftime("%d/%m/%Y")), "success")
            return redirect(url_for("province.checklists"))
    active = checklists.active_version(province_id)
    db.session.commit()  # the shipped default registers itself on first use
    return render_template(
        "province/checklists.html", form=form, problems=problems, active=active,
        definition=checklists.definition(active), activations=versions.activations(province_id),
        all_versions=versions.all_versions(), activate_form=ChecklistActivateForm(formdata=None),
    )



@bp.route("/checklists/activate", methods=["POST"])
@login_required
@roles_required(*ADMIN)
def activate_checklist():
    form = ChecklistActivateForm()
    version = None
    if form.validate_on_submit() and (form.version_id.data or "").isdigit():
        version = db.session.get(ChecklistVersion, int(form.version_id.data))
    if version is None:
        flash(_("Choose a version and a date."), "error")
        return redirect(url_for("province.checklists"))
    versions.activate(version, current_user.province_id, form.active_from.data, current_user)
    db.session.commit()
    flash(_("Checklist %(key)s version %(version)d is active from %(day)s.",
            key=version.checklist_key, version=version.version,
            day=form.active_from.data.strftime("%d/%m/%Y")), "success")
    return redirect(url_for("province.checklists"))


@bp.app_template_global()
def province_grade_words() -> dict[str, str]:
    from riskapp.templating import grade_label

    return {g.value: grade_label(g) for g in Grade}


@bp.app_template_global()
def tile_settings() -> dict[str, str]:
    return {"url": current_app.config.get("MAP_TILE_URL", ""),
            "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", "")}


@bp.app_template_global()
def province_tree():
    return services.area_tree(current_scope().province_id)


@bp.app_template_global()
def list_url(args: dict) -> str:
    """The enterprise list behind a figure (hundreds per page: cheaper than url_for)."""
    from urllib.parse import urlencode

    base = url_for("province.enterprises")
    return f"{base}?{urlencode(args)}" if args else base
