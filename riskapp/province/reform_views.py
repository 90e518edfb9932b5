"""The 2025 reform pages: the dry run a province admin reviews, then the apply."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riskapp.db import db
from riskapp.province import bp
from riskapp.province.areas import AreaChangeRefused
from riskapp.province.reform import apply_reform, plan_reform
from riskapp.tenancy import PROVINCE_ADMINS, current_province, route


@route(bp, "/areas/reform", roles=PROVINCE_ADMINS)
def reform():
    province = current_province()
    try:
        plan = plan_reform(province)
    except AreaChangeRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("province.areas"))
    return render_template("province/reform.html", plan=plan)


@route(bp, "/areas/reform", roles=PROVINCE_ADMINS, methods=["POST"])
def apply_reform_view():
    province = current_province()
    try:
        result = apply_reform(province, current_user)
    except AreaChangeRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("province.reform"))
    db.session.commit()
    flash(_("%(moved)s enterprises moved onto %(created)s new units.", moved=result.moved,
            created=result.created), "success")
    for line in result.flags:
        flash(line, "warning")
    return redirect(url_for("province.areas"))
