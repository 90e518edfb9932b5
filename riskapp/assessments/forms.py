"""Officer forms: the assessment form built from a checklist, the profile and action forms."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from riskapp.assessments.services import MAX_ANSWER_LENGTH
from riskapp.fields import TranslatedForm, optional_int
from riskapp.formatting import answer_words
from riskapp.models import OFFICER_ACTION_STATUSES
from riskapp.scoring import AnswerKind, Checklist, Context, Item, parse_number
from riskapp.scoring.conditions import describe
from riskapp.scoring.messages import without_item_name

# Field names carry a prefix so an item id can never shadow an attribute of the form class.
ITEM_FIELD_PREFIX = "item-"


def field_name(item_id: str) -> str:
    return ITEM_FIELD_PREFIX + item_id


def plain_number(value: Fraction) -> str:
    """A limit as people write it: 5, 2.5."""
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def answer_length_cap(_form, field) -> None:
    """The one answer cap (MAX_ANSWER_LENGTH); stops before any parsing of a huge value."""
    raw = (field.raw_data or [""])[0] or ""
    if len(raw) > MAX_ANSWER_LENGTH:
        raise StopValidation(_("At most %(n)d characters.", n=MAX_ANSWER_LENGTH))


class NumberInRange:
    """The item's number rules (whole number, lower and upper limits) as a WTForms validator."""

    def __init__(self, item: Item):
        self.item = item

    def __call__(self, _form, field) -> None:
        item = self.item
        typed = parse_number(field.data or "", item.integer_only)
        if typed is None:
            raise ValidationError(_("Enter a number."))
        value = Fraction(typed)
        if item.integer_only and value.denominator != 1:
            raise ValidationError(_("Enter a whole number."))
        low, high = item.min_value, item.max_value
        too_low = low is not None and (value < low if item.min_inclusive else value <= low)
        too_high = high is not None and (value > high if item.max_inclusive else value >= high)
        if not (too_low or too_high):
            return
        if low is not None and high is not None and item.min_inclusive and item.max_inclusive:
            raise ValidationError(
                _("Enter a number from %(low)s to %(high)s.", low=plain_number(low),
                  high=plain_number(high))
            )
        if too_low:
            message = (_("Enter a number of at least %(low)s.") if item.min_inclusive
                       else _("Enter a number above %(low)s."))
            raise ValidationError(message % {"low": plain_number(low)})
        message = (_("Enter a number of at most %(high)s.") if item.max_inclusive
                   else _("Enter a number below %(high)s."))
        raise ValidationError(message % {"high": plain_number(high)})


class AssessmentFormBase(TranslatedForm):
    """Hidden bookkeeping and the one context fact the officer declares; the checklist's items
    are added per checklist by assessment_form_class."""

    lock_version = HiddenField()
    submit_token = HiddenField()
    confirmed_case_14d = BooleanField(_l("A confirmed case was on site in the last 14 days"))

    checklist: Checklist
    lang: str

    def item_field(self, item: Item):
        return self[field_name(item.id)]

    def raw_answers(self) -> dict[str, str]:
        """What was posted per item, as typed; items without an input on the page are left out."""
        answers = {}
        for item in self.checklist.items:
            raw = self.item_field(item).raw_data
            if raw:
                answers[item.id] = (raw[0] or "").strip()
        return answers

    def declared_context(self) -> dict[str, bool]:
        return {"confirmed_case_14d": bool(self.confirmed_case_14d.data)}

    def lock_version_value(self) -> int | None:
        value = (self.lock_version.data or "").strip()
        return int(value) if value.isdigit() else None

    def add_problems(self, problems) -> None:
        """Put the engine's problems next to their fields (a field's own error comes first),
        without the question the field already shows."""
        self.general_problems = []
        for problem in problems:
            name = field_name(problem.item_id) if problem.item_id else None
            if name is None or name not in self:
                self.general_problems.append(problem.message.get(self.lang))
                continue
            field = self[name]
            if not field.errors:
                item = self.checklist.item(problem.item_id)
                field.errors = [without_item_name(problem.message, item).get(self.lang)]

    def limit_na(self, item: Item, allowed: bool) -> None:
        """Offer `na` only where this enterprise's context allows it."""
        if item.allows_na and not allowed:
            field = self.item_field(item)
            field.choices = [choice for choice in field.choices if choice[0] != "na"]


def _item_field(item: Item, lang: str):
    label = f"{item.id}. {item.question.get(lang)}"
    description = item.help.get(lang) if item.help else ""
    if item.kind.is_numeric:
        return StringField(label, validators=[Optional(), answer_length_cap, NumberInRange(item)],
                           description=description)
    return RadioField(
        label,
        choices=[SelectChoice(option.id, option.label.get(lang)) for option in item.options],
        validators=[Optional(), answer_length_cap],
        description=description,
        validate_choice=True,
    )


@lru_cache(maxsize=32)
def assessment_form_class(checklist: Checklist, lang: str) -> type[AssessmentFormBase]:
    """The form class of a checklist in a language, built once (a Checklist hashes by its
    fingerprint, so the cache key is fingerprint + language)."""
    attributes = {field_name(item.id): _item_field(item, lang) for item in checklist.items}
    attributes.update(checklist=checklist, lang=lang)
    return type(f"AssessmentForm_{checklist.fingerprint[:12]}_{lang}", (AssessmentFormBase,),
                attributes)


def item_settings(checklist: Checklist, context: Context, lang: str) -> dict[str, dict]:
    """Per item: whether it applies (and why not), whether "not applicable" is allowed, and the
    limits of its number input."""
    settings = {}
    for item in checklist.items:
        applies = checklist.applies(item, context)
        settings[item.id] = {
            "applies": applies,
            "na_allowed": checklist.na_allowed(item, context),
            "why_not": None if applies else describe(item.applies_if).get(lang),
            **_number_limits(item, lang),
        }
    return settings


def _number_limits(item: Item, lang: str) -> dict:
    """min/max/step/unit of a numeric item's input (HTML limits are inclusive: open ones are left
    to the server's message)."""
    if not item.kind.is_numeric:
        return {}
    unit = item.unit.get(lang) if item.unit else ("%" if item.kind == AnswerKind.PERCENT else "")
    return {
        "min": plain_number(item.min_value)
        if item.min_value is not None and item.min_inclusive else None,
        "max": plain_number(item.max_value)
        if item.max_value is not None and item.max_inclusive else None,
        "step": "1" if item.integer_only else "any",
        "unit": unit,
    }


def newer_answers(checklist: Checklist, saved: dict | None, typed: dict[str, str],
                  lang: str) -> dict[str, str]:
    """What someone else saved, in words, for the items where it differs from what was typed."""
    saved = saved or {}
    newer = {}
    for item_id, value in saved.items():
        if checklist.has_item(item_id) and typed.get(item_id, "") != str(value):
            newer[item_id] = answer_words(checklist.item(item_id), value, lang)
    for item_id, value in typed.items():
        if item_id not in saved and value:
            newer[item_id] = _("(no answer)")
    return newer


class ProfileForm(TranslatedForm):
    """What the officer may change about the enterprise; these facts decide which items apply."""

    name = StringField(_l("Enterprise name"), validators=[DataRequired(), Length(max=255)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    headcount = IntegerField(
        _l("Head-count (all workers)"),
        validators=[DataRequired(_l("Enter the number of workers.")),
                    NumberRange(min=1, max=1_000_000)],
    )
    has_canteen = BooleanField(_l("Workers eat in a shared canteen"))
    has_shuttle = BooleanField(_l("The enterprise runs worker shuttle buses"))
    has_dormitory = BooleanField(_l("The enterprise houses workers in a dormitory"))


# The officer moves an action through these; "verified" is set by an auditor or the province.


class ActionForm(TranslatedForm):
    # A user of the enterprise (mailed), or nobody chosen: the typed owner below.
    owner_user_id = SelectField(_l("Owner (a user of the enterprise)"), coerce=optional_int,
                                validators=[Optional()])
    owner = StringField(_l("Owner (someone else, typed)"), validators=[Optional(), Length(max=255)])
    due_on = DateField(_l("Due date"), validators=[DataRequired(_l("Enter a date."))])
    status = SelectField(_l("Status"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, status_labels=None, owner_users=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = status_labels or {}
        self.owner_user_id.choices = [SelectChoice(None, _l("— typed below —"))] + [
            SelectChoice(user.id, user.name or user.email) for user in owner_users]
        self.status.choices = [SelectChoice(s.value, str(labels.get(s, s.value)))
                               for s in OFFICER_ACTION_STATUSES]
