"""The forms of the signals pages: the list's filters and the dismissal with its note."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from riskapp.fields import TranslatedForm, optional_int
from riskapp.forensics.wording import KIND_LABELS, STATUS_LABELS


class SignalFilterForm(TranslatedForm):
    """GET filters of the signals list (no CSRF: it changes nothing)."""

    class Meta(TranslatedForm.Meta):
        csrf = False

    kind = SelectField(_l("Kind"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()], default="open")
    area = SelectField(_l("Area"), coerce=optional_int, validators=[Optional()])

    def offer(self, areas: list[tuple[int, str]]) -> SignalFilterForm:
        self.kind.choices = [("", _l("All kinds")), *KIND_LABELS.items()]
        self.status.choices = [("", _l("Open and dismissed")), *STATUS_LABELS.items()]
        self.area.choices = [(None, _l("All areas")), *areas]
        return self


class DismissForm(TranslatedForm):
    note = TextAreaField(_l("Why is this signal not a concern?"),
                         validators=[DataRequired(), Length(max=2000)])
