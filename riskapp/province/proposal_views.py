"""Level proposals: an area admin proposes a level for an area of their own; a province admin
approves (the level is set) or rejects it. Each view validates, calls
riskapp.province.proposals, commits once and says what it did."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riskapp.db import db
from riskapp.province import bp, proposals
from riskapp.province.forms import LevelProposalForm, ProposalDecisionForm
from riskapp.province.proposals import ProposalRefused
from riskapp.province.views import _render_areas, proposal_form
from riskapp.tenancy import AREA_ADMINS, PROVINCE_ADMINS, get_area_or_404, route

PROPOSALS = "proposals"


@route(bp, "/areas/proposals", roles=AREA_ADMINS, methods=["POST"])
def propose_level():
    picked = request.form.get("area_id") or ""
    if picked.isdigit():
        get_area_or_404(int(picked))  # outside the admin's areas, or another province's: 404
    form = proposal_form(LevelProposalForm())
    if not form.validate_on_submit():
        return _render_areas(status=400, proposal_form=form)
    area = get_area_or_404(form.area_id.data)
    try:
        proposals.propose_level(area, form.level.data, form.effective_from.data,
                                form.reason.data, current_user)
    except ProposalRefused as refused:
        form.reason.errors.append(str(refused))
        return _render_areas(status=400, proposal_form=form)
    db.session.commit()
    flash(_("Your proposal for %(area)s was sent to the province.", area=area.name), "success")
    return redirect(url_for("province.areas", _anchor=PROPOSALS))


def _decide(proposal_id: int, approve: bool):
    proposal = proposals.proposal_or_404(proposal_id)
    form = ProposalDecisionForm()
    if form.validate_on_submit():
        try:
            if approve:
                proposals.approve(proposal, form.note.data, current_user)
            else:
                proposals.reject(proposal, form.note.data, current_user)
        except ProposalRefused as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash(_("Proposal approved: the level is set.") if approve
                  else _("Proposal rejected."), "success")
    for error in form.note.errors:
        flash(error, "error")
    return redirect(url_for("province.areas", _anchor=PROPOSALS))


@route(bp, "/areas/proposals/<int:proposal_id>/approve", roles=PROVINCE_ADMINS,
       methods=["POST"])
def approve_proposal(proposal_id: int):
    return _decide(proposal_id, approve=True)


@route(bp, "/areas/proposals/<int:proposal_id>/reject", roles=PROVINCE_ADMINS,
       methods=["POST"])
def reject_proposal(proposal_id: int):
    return _decide(proposal_id, approve=False)
