"""The public log (no login): its page and its JSON; province admins may publish a head now."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from riskapp.db import db
from riskapp.errors import problem
from riskapp.extensions import limiter, user_or_address
from riskapp.tenancy import PROVINCE_ADMINS, route
from riskapp.transparency import bp, services

JSON_HEADERS = {"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"}


def _json(document: dict):
    return jsonify(document), 200, JSON_HEADERS


def _whole_number(name: str, *, required: bool = True) -> int | None:
    """A query parameter as a whole number ≥ 0; Refused (400) with its name otherwise."""
    text = request.args.get(name, "").strip()
    if not text and not required:
        return None
    if not text.isdigit() or len(text) > 19:
        raise services.Refused(_("%(name)s must be a whole number from 0.", name=name))
    return int(text)


@bp.errorhandler(services.Refused)
def _refused(refused: services.Refused):
    return problem(refused.status, refused.message)


@bp.route("/verify/log")
def log_page():
    head = services.latest_head()
    return render_template(
        "verify/log.html", head=head, head_signed=head is not None and services.head_verifies(head),
        head_json=services.as_head(head).to_json() if head is not None else None,
        heads=services.recent_heads(), counts=services.counts_by_kind(), size=services.size())


@bp.route("/verify/log/sth.json")
def latest_head():
    head = services.latest_head()
    if head is None:
        return problem(404, _("No tree head has been published yet."))
    return _json(services.as_head(head).to_json())


@bp.route("/verify/log/sth/<int:size>.json")
def head_of_size(size: int):
    head = services.head_of_size(size)
    if head is None:
        return problem(404, _("No tree head of size %(size)s was published.", size=size))
    return _json(services.as_head(head).to_json())


def _asked_leaf():
    code, text = request.args.get("code", "").strip(), request.args.get("leaf_hash", "").strip()
    if code:
        leaf = services.report_leaf(code)
    else:
        try:
            hashed = bytes.fromhex(text)
        except ValueError:
            hashed = b""
        if len(hashed) != 32:
            raise services.Refused(_("Give leaf_hash as 64 hexadecimal digits, or a report's "
                                     "verification code as code."))
        leaf = services.leaf_by_hash(hashed)
    if leaf is None:
        raise services.Refused(_("The log holds no such leaf."), 404)
    return leaf


@bp.route("/verify/log/proof/inclusion.json")
def inclusion_proof():
    leaf = _asked_leaf()
    return _json(services.inclusion(leaf, _whole_number("tree_size", required=False)))


@bp.route("/verify/log/proof/consistency.json")
def consistency_proof():
    return _json(services.consistency(_whole_number("first"), _whole_number("second")))


@bp.route("/verify/log/leaves.json")
def leaves():
    return _json(services.leaf_page(_whole_number("start"), _whole_number("end")))


def _publish_limit() -> str:
    return current_app.config.get("LOG_PUBLISH_RATE_LIMIT", "5 per hour")


@route(bp, "/province/transparency/publish", roles=PROVINCE_ADMINS, methods=["POST"])
@limiter.limit(_publish_limit, key_func=user_or_address)
def publish():
    head, created = services.publish()
    db.session.commit()
    if created:
        flash(_("Tree head of %(size)s leaves signed and published.", size=head.tree_size),
              "success")
    else:
        flash(_("Today's tree head already covers all %(size)s leaves.", size=head.tree_size),
              "info")
    return redirect(url_for("transparency.log_page"))
