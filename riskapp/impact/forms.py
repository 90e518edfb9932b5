"""Forms of impact previews: the level and activation forms are the province's own (the
"Preview the impact" button posts them here); applying takes only the CSRF token."""

from __future__ import annotations

from flask_babel import gettext as _

from riskapp.fields import TranslatedForm
from riskapp.filters import area_choices
from riskapp.province.forms import WHOLE_PROVINCE, AreaLevelForm
from riskapp.templating import AREA_LEVEL_LABELS


class ApplyPreviewForm(TranslatedForm):
    """"Apply this change": the preview in the path says what."""


def level_form() -> AreaLevelForm:
    """The areas page's level form, with the same choices (the whole province first)."""
    form = AreaLevelForm()
    form.area_id.choices = [(WHOLE_PROVINCE, _("The whole province (every area)")),
                            *area_choices()]
    form.level.choices = list(AREA_LEVEL_LABELS.items())
    return form
