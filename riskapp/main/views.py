"""Routes every visitor shares."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from sqlalchemy import text

from riskapp import search, territory
from riskapp.auth.consent import NOTICE_VERSION
from riskapp.db import db
from riskapp.filters import THEN_BOUNDARIES
from riskapp.main import bp
from riskapp.models import Role
from riskapp.tenancy import EVERYONE, READERS, current_province_id, current_scope, route

HOME_BY_ROLE = {
    Role.OFFICER: "assessments.home",
    Role.AUDITOR: "audit.index",
    Role.AREA_VIEWER: "province.dashboard",
    Role.AREA_ADMIN: "province.dashboard",
    Role.PROVINCE_VIEWER: "province.dashboard",
    Role.PROVINCE_ADMIN: "province.dashboard",
    Role.PLATFORM_ADMIN: "admin.index",
}


@route(bp, "/", roles=EVERYONE)
def home():
    return redirect(url_for(HOME_BY_ROLE[current_scope().role]))


@route(bp, "/search/areas.json", roles=READERS)
def area_search():
    """The areas in reach whose name matches `q`, for the filter boxes of area lists."""
    tree = territory.area_tree(current_province_id())
    roots = territory.visible_roots(tree, current_scope().area_ids)
    found, above = search.area_matches(tree, roots, request.args.get("q"))
    if request.args.get("boundaries") == THEN_BOUNDARIES:
        return {"matches": found, "above": above}  # as it was, closed areas are offered too
    # Closed areas are not offered any more; their open successors are.
    offered = {a for a, _depth in territory.picker_rows(current_province_id(),
                                                        current_scope().area_ids)}
    return {"matches": [a for a in found if a in offered], "above": above}


@bp.route("/lang/<code>")
def switch_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.referrer or url_for("main.home")
    if not target.startswith(request.host_url):
        target = url_for("main.home")
    return redirect(target)


@bp.route("/privacy")
def privacy():
    """The privacy notice (public): what riskapp keeps about its users, why, how long."""
    return render_template("main/privacy.html", notice_version=NOTICE_VERSION)


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico by themselves (e.g. beside a PDF opened directly)."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
