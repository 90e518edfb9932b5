"""Inspection targeting forms: the page's mode and budget (a GET form), the random share."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from riskapp.fields import TranslatedForm
from riskapp.targeting.services import DEFAULT_BUDGET, MAX_BUDGET

LIKELY = "likely"
DECLARED = "declared"


class TargetingForm(TranslatedForm):
    """How the inspect page ranks, and how many visits it proposes (read from the query)."""

    class Meta:
        csrf = False

    mode = SelectField(_l("Rank by"), choices=[(LIKELY, _l("Likely under-declaration")),
                                               (DECLARED, _l("Declared grade"))],
                       validators=[Optional()])
    budget = IntegerField(_l("Visits (budget)"), default=DEFAULT_BUDGET,
                          validators=[Optional(), NumberRange(min=1, max=MAX_BUDGET)])


class RandomShareForm(TranslatedForm):
    percent = DecimalField(_l("Share of visits picked at random (%)"), places=0,
                           validators=[InputRequired(), NumberRange(min=0, max=100)])
