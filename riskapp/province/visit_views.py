"""Where to inspect first, leading to visits: the chosen enterprises are assigned to an auditor
whose areas cover them, on a planned date."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from riskapp import territory
from riskapp.audit import visits
from riskapp.db import db
from riskapp.fields import TranslatedForm
from riskapp.province import bp
from riskapp.targeting import services as targeting
from riskapp.tenancy import MANAGERS, current_province_id, route


class VisitPlanForm(TranslatedForm):
    auditor_id = SelectField(_l("Auditor"), coerce=int, validators=[DataRequired()])
    planned_on = DateField(_l("Planned date"), validators=[DataRequired()])
    note = StringField(_l("Note for the auditor"), validators=[Length(max=500)])

    def validate_planned_on(self, field) -> None:
        if field.data and field.data < territory.province_today(current_province_id()):
            raise ValidationError(_l("The planned date cannot be in the past."))


def _chosen(source, name: str = "enterprise") -> list[int]:
    return sorted({int(v) for v in source.getlist(name) if v.isdigit()})


def _form(enterprises) -> VisitPlanForm:
    form = VisitPlanForm()
    form.auditor_id.choices = [SelectChoice(a.id, a.name or a.email)
                               for a in visits.auditor_choices(enterprises)]
    return form


@route(bp, "/visits/plan", roles=MANAGERS, methods=["GET", "POST"])
def plan_visits():
    chosen = _chosen(request.values)
    enterprises = visits.enterprises_in_reach(chosen)
    if len(enterprises) != len(chosen):
        abort(404)  # one of them is outside the user's reach
    if not enterprises:
        flash(_("Choose the enterprises to visit."), "error")
        return redirect(url_for("province.inspect_first"))
    # Drawn by the inspect page's random share (signed there): only audits of these estimate an
    # area's rate, so the form cannot make a targeted pick count as random.
    random_token = request.values.get("random_token") or ""
    at_random = targeting.random_picks(random_token, current_province_id()) & frozenset(chosen)
    form = _form(enterprises)
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("province/plan_visits.html", form=form, enterprises=enterprises,
                               at_random=at_random, random_token=random_token), status
    auditor = visits.auditor_in_province(form.auditor_id.data)
    try:
        planned, already = visits.assign(enterprises, auditor, form.planned_on.data,
                                         form.note.data, current_user, at_random)
    except visits.WrongAuditor as refused:
        form.auditor_id.errors.append(
            _("This auditor's areas do not cover: %(names)s", names=", ".join(refused.names)))
        return render_template("province/plan_visits.html", form=form, enterprises=enterprises,
                               at_random=at_random, random_token=random_token), 400
    db.session.commit()
    flash(_("Visits planned: %(planned)d; already planned before: %(already)d.",
            planned=planned, already=already), "success")
    return redirect(url_for("province.inspect_first"))
