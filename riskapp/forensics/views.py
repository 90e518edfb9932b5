"""Signals pages (/province/signals): the list with filters, and dismissing a flag."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riskapp.db import db
from riskapp.filters import area_choices
from riskapp.forensics import bp, services
from riskapp.forensics.forms import DismissForm, SignalFilterForm
from riskapp.forensics.wording import KIND_LABELS, STATUS_LABELS, describe
from riskapp.models import ForensicFlag
from riskapp.tenancy import (
    SIGNAL_DISMISSERS,
    SIGNAL_READERS,
    allows,
    get_area_or_404,
    get_or_404,
    route,
)


def _filters() -> tuple[SignalFilterForm, services.FlagFilters]:
    if request.args.get("area"):
        get_area_or_404(request.args.get("area", type=int))  # a foreign area answers 404
    form = SignalFilterForm(request.args).offer(area_choices())
    if not form.validate():  # a hand-made query string: the default list (open signals)
        return form, services.FlagFilters()
    return form, services.FlagFilters(kind=form.kind.data or None,
                                      status=form.status.data or None, area_id=form.area.data)


def _render(dismiss_form: DismissForm | None = None, failed_id: int | None = None,
            status: int = 200):
    form, filters = _filters()
    page = services.flag_page(filters, request.args.get("page", 1, type=int))
    flags = [flag for flag, _name in page.items]
    return render_template(
        "forensics/index.html", form=form, page=page, kinds=KIND_LABELS, statuses=STATUS_LABELS,
        reachable=services.evidence_in_reach(flags), others=services.enterprise_names(flags),
        describe=describe, dismiss_form=dismiss_form or DismissForm(), failed_id=failed_id,
    ), status


@route(bp, "/", roles=SIGNAL_READERS)
def index():
    return _render()


@route(bp, "/<int:flag_id>/dismiss", roles=SIGNAL_DISMISSERS, methods=["POST"])
def dismiss(flag_id: int):
    flag = get_or_404(ForensicFlag, flag_id)
    form = DismissForm()
    if not form.validate_on_submit():
        flash(_("Say why the signal is not a concern before dismissing it."), "error")
        return _render(form, failed_id=flag.id, status=422)
    try:
        services.dismiss(flag, current_user, form.note.data)
    except services.AlreadyDismissed as lost:
        db.session.rollback()
        flash(_("This signal was already dismissed by %(who)s.", who=lost.by or "?"), "info")
        return redirect(url_for(".index", **request.args))
    db.session.commit()
    flash(_("The signal was dismissed."), "success")
    return redirect(url_for(".index", **request.args))


@bp.app_template_global("open_signals")
def open_signals(enterprise_id: int) -> list[tuple[ForensicFlag, str, str]]:
    """An enterprise's open flags with their words, for the pages of those who may see them."""
    if not allows(SIGNAL_READERS):
        return []
    flags = services.enterprise_flags(enterprise_id)
    others = services.enterprise_names(flags)
    return [(flag, KIND_LABELS[flag.kind], describe(flag, others)) for flag in flags]
