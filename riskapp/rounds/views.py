"""Reporting round pages: the list, opening a round (with a count preview), its progress, its
exports, closing it and the frozen summary files."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from riskapp import storage, territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.i18n import current_lang
from riskapp.models import ReportingRound, RoundStatus
from riskapp.pagination import DEFAULT_PER_PAGE, Page, page_number
from riskapp.province.exports import XLSX_MIME
from riskapp.rounds import bp, progress, services, snapshot, targets
from riskapp.rounds.forms import RoundForm
from riskapp.rounds.services import RoundPlan, RoundRefused
from riskapp.tenancy import (
    PROVINCE_ADMINS,
    PROVINCE_STAFF,
    STAFF,
    current_province_id,
    current_scope,
    get_or_404,
    route,
)

PDF_MIME = "application/pdf"
STATUS_LABELS = {RoundStatus.DRAFT: _l("draft"), RoundStatus.OPEN: _l("open"),
                 RoundStatus.CLOSED: _l("closed")}


@bp.app_template_global()
def round_status_label(status) -> str:
    return str(STATUS_LABELS.get(status, status))


def _form() -> RoundForm:
    province_id = current_province_id()
    tree = territory.area_tree(province_id)
    rows = [(area_id, tree.names[area_id], depth)
            for area_id, depth in territory.picker_rows(province_id)]
    return RoundForm().setup(rows)


@route(bp, "/", roles=STAFF)
def index():
    return render_template("rounds/index.html", rounds=services.rounds_in_reach())


@route(bp, "/new", roles=PROVINCE_ADMINS, methods=["GET", "POST"])
def new():
    form = _form()
    preview = None
    if request.method == "GET":
        form.opens_on.data = form.opens_on.data or territory.province_today(current_province_id())
    elif "preview" in request.form:
        preview = _preview(form)
    elif form.validate_on_submit():
        return _open(form)
    return render_template("rounds/new.html", form=form, preview=preview)


@route(bp, "/new/preview.json", roles=PROVINCE_ADMINS)
def preview_count():
    """The live count of the open-a-round form (criteria in the query string)."""
    form = _form().with_data(request.args)
    count = _preview(form)
    if count is None:
        return {"text": _("Some criteria are not valid.")}, 400
    return {"count": count, "text": ngettext(
        "%(num)s enterprise matches these criteria today.",
        "%(num)s enterprises match these criteria today.", count)}


def _preview(form: RoundForm) -> int | None:
    """How many enterprises the criteria target today; the title and dates may still be empty."""
    form.validate()
    for field in (form.title, form.opens_on, form.due_on, form.closes_on):
        field.errors = []
    if any(field.errors for field in form.criteria_fields()):
        return None
    province_id = current_province_id()
    return targets.count_matching(province_id, form.criteria(),
                                  territory.province_today(province_id))


def _open(form: RoundForm):
    plan = RoundPlan(form.title.data.strip(), form.opens_on.data, form.due_on.data,
                     form.closes_on.data, form.criteria())
    try:
        round_ = services.open_round(current_province_id(), plan, current_user)
    except RoundRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return render_template("rounds/new.html", form=form, preview=None), 422
    db.session.commit()
    flash(ngettext("The round is open: %(num)s enterprise is expected to report.",
                   "The round is open: %(num)s enterprises are expected to report.",
                   round_.expected), "success")
    return redirect(url_for("rounds.show", round_id=round_.id))


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def page_of_list(items: list, number: int, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """One page of rows already in memory (a closed round's frozen list)."""
    number = page_number(number, len(items), per_page)
    start = (number - 1) * per_page
    return Page(items[start:start + per_page], len(items), number, per_page)


@route(bp, "/<int:round_id>", roles=STAFF)
def show(round_id: int):
    round_ = get_or_404(ReportingRound, round_id)
    scope = current_scope()
    under = request.args.get("area", type=int)
    if round_.status == RoundStatus.CLOSED and round_.snapshot:
        frozen = snapshot.within_reach(round_.snapshot, scope)
        return render_template(
            "rounds/show.html", round_=round_, frozen=frozen,
            total=snapshot.tally(frozen["total"]),
            level=progress.one_level(progress.from_frozen(frozen["rows"]), under),
            page=page_of_list(frozen["missing"], _page_number()))
    rows, total = progress.area_rows(round_, scope)
    return render_template("rounds/show.html", round_=round_, frozen=None, total=total,
                           level=progress.one_level(rows, under),
                           page=progress.missing_page(
                               round_, scope, _page_number(), total,
                               after=progress.parse_key(request.args.get("after")),
                               before=progress.parse_key(request.args.get("before"))))


@route(bp, "/<int:round_id>/progress.xlsx", roles=STAFF)
def export_progress(round_id: int):
    round_ = get_or_404(ReportingRound, round_id)
    scope = current_scope()
    data = (snapshot.within_reach(round_.snapshot, scope) if round_.snapshot
            else snapshot.build(round_, scope, territory.province_today(round_.province_id)))
    record("round_exported", round_, details={"rows": len(data["rows"])})
    db.session.commit()
    return send_file(io.BytesIO(snapshot.workbook(data, current_lang())), mimetype=XLSX_MIME,
                     as_attachment=True, download_name=f"round-{round_.id}-progress.xlsx")


@route(bp, "/<int:round_id>/close", roles=PROVINCE_ADMINS, methods=["POST"])
def close(round_id: int):
    round_ = get_or_404(ReportingRound, round_id)
    try:
        services.close_round(round_, current_user, current_lang())
    except RoundRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("rounds.show", round_id=round_id))
    except storage.StorageUnavailable:
        db.session.rollback()
        flash(storage.unavailable_message(), "error")
        return redirect(url_for("rounds.show", round_id=round_id))
    db.session.commit()
    flash(_("The round is closed; its figures are frozen."), "success")
    return redirect(url_for("rounds.show", round_id=round_id))


@route(bp, "/<int:round_id>/summary.<kind>", roles=PROVINCE_STAFF)
def summary(round_id: int, kind: str):
    round_ = get_or_404(ReportingRound, round_id)
    if kind not in ("xlsx", "pdf"):
        abort(404)
    name = round_.xlsx_file if kind == "xlsx" else round_.pdf_file
    if not name:
        flash(_("The summary is not ready yet: it is made when the round is closed."), "info")
        return redirect(url_for("rounds.show", round_id=round_id))
    record("round_summary_downloaded", round_, details={"kind": kind})
    db.session.commit()
    return send_file(snapshot.files_dir() / name, as_attachment=True,
                     mimetype=XLSX_MIME if kind == "xlsx" else PDF_MIME,
                     download_name=f"round-{round_.id}-summary.{kind}")
