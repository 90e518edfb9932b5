"""Personal data routes: the province's retention periods, a person's "My data" page (export,
erasure request), and the province admin's export, erasure and erasure requests."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from riskapp.admin.forms import ConfirmForm
from riskapp.db import db
from riskapp.models import ErasureRequest
from riskapp.privacy import bp, erasure, export
from riskapp.privacy import settings as retention
from riskapp.privacy.forms import EraseForm, RetentionForm
from riskapp.reviews.views import settings_page
from riskapp.tenancy import (
    EVERYONE,
    PROVINCE_ADMINS,
    TENANT_USERS,
    current_province,
    get_or_404,
    get_user_or_404,
    route,
    scoped,
)


def _actor():
    return current_user._get_current_object()


@route(bp, "/province/privacy/retention", roles=PROVINCE_ADMINS, methods=["POST"])
def retention_periods():
    form = RetentionForm()
    if not form.validate_on_submit():
        flash(_("Nothing was saved: check the periods marked below."), "error")
        return settings_page(retention_form=form)
    changed = retention.set_periods(current_province(), form.periods(), _actor())
    db.session.commit()
    flash(_("Saved: personal data is kept for these periods.") if changed
          else _("Nothing changed."), "success" if changed else "info")
    return redirect(url_for("reviews.settings") + "#personal-data")


def _download(user) -> Response:
    return Response(export.as_json(user), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{export.filename(user)}"',
        "Cache-Control": "no-store"})


@route(bp, "/account/privacy", roles=EVERYONE)
def account():
    return render_template("privacy/account.html", pending=erasure.open_request(_actor()),
                           action_form=ConfirmForm())


@route(bp, "/account/privacy/my-data.json", roles=EVERYONE)
def my_data():
    return _download(_actor())


@route(bp, "/account/privacy/erasure", roles=TENANT_USERS, methods=["POST"])
def request_erasure():
    if ConfirmForm().validate_on_submit():
        try:
            erasure.request_erasure(_actor())
        except erasure.ErasureRefused as refused:
            flash(refused.message, "error")
        else:
            db.session.commit()
            flash(_("Your request is sent to the province's administrators. The province must "
                    "keep some records (submissions, decisions, signed reports): those stay, "
                    "under a pseudonym."), "success")
    return redirect(url_for(".account"))


@route(bp, "/admin/users/<int:user_id>/data.json", roles=PROVINCE_ADMINS)
def user_data(user_id: int):
    return _download(get_user_or_404(user_id))


def _render_erase(target, form: EraseForm, status: int = 200):
    return render_template("privacy/erase.html", target=target, form=form,
                           pending=erasure.open_request(target)), status


@route(bp, "/admin/users/<int:user_id>/erase", roles=PROVINCE_ADMINS, methods=["GET", "POST"])
def erase(user_id: int):
    target = get_user_or_404(user_id)
    form = EraseForm(expected=target.email)
    if not form.is_submitted():
        return _render_erase(target, form)
    if not form.validate():
        return _render_erase(target, form, 422)
    try:
        erasure.erase(target, _actor())
    except erasure.ErasureRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _render_erase(target, form, 409)
    db.session.commit()
    flash(_("The account is erased: it now appears as %(name)s.",
            name=erasure.pseudonym_name(user_id)), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@route(bp, "/admin/erasure-requests", roles=PROVINCE_ADMINS)
def erasure_requests():
    rows = db.session.scalars(scoped(select(ErasureRequest), ErasureRequest)
                              .order_by(ErasureRequest.closed_at.is_not(None),
                                        ErasureRequest.id.desc()).limit(200)).all()
    return render_template("privacy/requests.html", rows=rows, action_form=ConfirmForm())


@route(bp, "/admin/erasure-requests/<int:request_id>/decline", roles=PROVINCE_ADMINS,
       methods=["POST"])
def decline_request(request_id: int):
    row = get_or_404(ErasureRequest, request_id)
    if ConfirmForm().validate_on_submit():
        erasure.decline(row, _actor())
        db.session.commit()
        flash(_("The request is declined; the account stays as it is."), "info")
    return redirect(url_for(".erasure_requests"))
