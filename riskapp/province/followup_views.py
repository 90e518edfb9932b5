"""Who has not reported, leading to action: remind the chosen (or all matching) enterprises."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from riskapp.db import db
from riskapp.filters import read_filters
from riskapp.province import bp, followup
from riskapp.tenancy import MANAGERS, route

ALL_MATCHING = "all"


def chosen_ids(name: str = "enterprise") -> list[int]:
    """The whole numbers ticked in a form's checkboxes (anything else is left out)."""
    return sorted({int(value) for value in request.form.getlist(name) if value.isdigit()})


@route(bp, "/reporting/remind", roles=MANAGERS, methods=["POST"])
def remind():
    _form, filters = read_filters(request.form)
    back = url_for("province.reporting", **filters.args())
    ids = None if request.form.get("target") == ALL_MATCHING else chosen_ids()
    if ids == []:
        flash(_("Choose the enterprises to remind."), "error")
        return redirect(back)
    queued, already = followup.queue_nudges(filters, ids, current_user)
    if not queued:
        flash(_("Already reminded today: nothing more was sent.") if already
              else _("None of these enterprises has an officer account to remind."), "warning")
        return redirect(back)
    db.session.commit()
    flash(ngettext("A reminder to %(num)d enterprise is being sent.",
                   "Reminders to %(num)d enterprises are being sent.", queued), "success")
    return redirect(back)
