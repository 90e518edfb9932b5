"""The auditor's visits: close one, or download the reports of all of them in one ZIP."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riskapp.audit import bp, services, visits
from riskapp.db import db
from riskapp.extensions import costly_limit, limiter, user_or_address
from riskapp.filters import Filters
from riskapp.models import InspectionVisit
from riskapp.tenancy import AUDITORS, get_own_or_404, route


@route(bp, "/visits/<int:visit_id>/done", roles=AUDITORS, methods=["POST"])
def visit_done(visit_id: int):
    visit = get_own_or_404(InspectionVisit, visit_id)
    if visits.mark_done(visit, current_user):
        db.session.commit()
        flash(_("The visit is marked done."), "success")
    else:
        flash(_("This visit was already closed."), "warning")
    return redirect(url_for("audit.index"))


@route(bp, "/visits/reports", roles=AUDITORS, methods=["POST"])
@limiter.limit(costly_limit, key_func=user_or_address)
def visit_reports():
    planned = visits.my_visits()
    if not planned:
        flash(_("You have no planned visits."), "warning")
        return redirect(url_for("audit.index"))
    job = services.start_zip(Filters(), current_user,
                             enterprise_ids=sorted({row.visit.enterprise_id for row in planned}))
    db.session.commit()
    return redirect(url_for("audit.zip_job", job_id=job.id))
