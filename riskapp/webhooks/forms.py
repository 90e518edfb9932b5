"""The form that registers a webhook endpoint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from riskapp.fields import TranslatedForm
from riskapp.models.webhook import EVENT_TYPES


class EndpointForm(TranslatedForm):
    url = StringField(_l("Address (URL)"), validators=[DataRequired(), Length(max=500)])
    description = StringField(_l("Description"), validators=[Length(max=200)])
    events = SelectMultipleField(
        _l("Events"), choices=[SelectChoice(name, name) for name in EVENT_TYPES],
        validators=[DataRequired(message=_l("Choose at least one event."))],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
