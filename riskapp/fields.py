"""What the forms of every area share: the translated base form and optional-number coerce."""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l

# Lazy, so marking the plural messages below evaluates nothing at import; the name is the
# extraction keyword (scripts/i18n.sh, tests/test_i18n.py).
from flask_babel import lazy_ngettext as ngettext
from flask_wtf import FlaskForm


def optional_int(value) -> int | None:
    """A select's value as a whole number; nothing chosen is None (WTForms coerce)."""
    if value in (None, "", "None"):
        return None
    return int(value)


class _Catalogue:
    """WTForms' translations interface answered from our own catalogue in the request's locale.

    WTForms ships no Vietnamese, and Flask-WTF's WTF_I18N_ENABLED reads only WTForms' files;
    our catalogue holds WTForms' messages (WTFORMS_MESSAGES) beside ours.
    """

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


CATALOGUE = _Catalogue()


class TranslatedForm(FlaskForm):
    """The base of every form: WTForms' built-in messages in the page's language."""

    class Meta:
        def get_translations(self, form):
            return CATALOGUE


# WTForms' own messages (wtforms/locale/wtforms.pot), marked here so that extraction keeps them
# in our catalogue; WTForms looks each up through CATALOGUE when it raises one.
WTFORMS_MESSAGES = (
    _l("Invalid field name '%s'."),
    _l("Field must be equal to %(other_name)s."),
    ngettext("Field must be at least %(min)d character long.",
             "Field must be at least %(min)d characters long.", 1),
    ngettext("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters.", 1),
    ngettext("Field must be exactly %(max)d character long.",
             "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    ngettext("'%(value)s' is not a valid choice for this field.",
             "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)
