"""Where to inspect first: by the likely under-declaration (riskapp.targeting) or, as before, by
the declared grade; and the province's random share of visits."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riskapp import territory
from riskapp.db import db
from riskapp.filters import read_filters
from riskapp.forensics.wording import KIND_LABELS
from riskapp.province import bp, lists
from riskapp.targeting import services
from riskapp.targeting.forms import DECLARED, LIKELY, RandomShareForm, TargetingForm
from riskapp.targeting.model import MIN_AUDITS
from riskapp.tenancy import PROVINCE_ADMINS, READERS, current_province, current_province_id, route


@route(bp, "/inspect", roles=READERS)
def inspect_first():
    form, filters = read_filters()
    choice = TargetingForm(request.args)
    budget = (choice.budget.data if choice.validate() and choice.budget.data
              else services.DEFAULT_BUDGET)
    share = current_province().random_share
    found = services.cached_targeting(filters, budget, share)
    mode = choice.mode.data or (LIKELY if found.model.enough else DECLARED)
    shown = {"form": form, "filters": filters, "choice": choice, "budget": budget,
             "share": share, "found": found, "min_audits": MIN_AUDITS,
             "signal_labels": KIND_LABELS,
             "random_token": services.random_token(found, current_province_id()),
             "tree": territory.area_tree(current_province_id())}
    if mode == LIKELY and found.model.enough:
        return render_template("province/inspect.html", mode=LIKELY, **shown)
    page = lists.inspection_ranking(filters, request.args.get("page", 1, type=int) or 1)
    return render_template("province/inspect.html", mode=DECLARED, page=page, **shown)


@route(bp, "/inspect/random-share", roles=PROVINCE_ADMINS, methods=["POST"])
def random_share():
    form = RandomShareForm()
    if not form.validate_on_submit():
        flash(_("The random share is a percentage from 0 to 100."), "error")
        return redirect(url_for("reviews.settings"))
    changed = services.set_random_share(current_province(), float(form.percent.data) / 100,
                                        current_user)
    db.session.commit()
    flash(_("Saved: the share of visits picked at random.") if changed else _("Nothing changed."),
          "success" if changed else "info")
    return redirect(url_for("reviews.settings"))
