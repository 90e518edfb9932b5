"""Review forms: the decision (its per-item comments are read by the view), the province's
setting of which grades are reviewed, the queue's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from riskapp.fields import TranslatedForm, optional_int
from riskapp.models import Grade, ReviewDecision
from riskapp.reviews.services import MAX_COMMENT_LENGTH, PinnedComment
from riskapp.templating import GRADE_LABELS

COMMENT_PREFIX, EVIDENCE_PREFIX = "comment-", "evidence-"


class DecisionForm(TranslatedForm):
    # The two buttons of the page post decision=accepted or decision=returned.
    decision = SelectField(choices=[SelectChoice(d.value, d.value) for d in ReviewDecision],
                           validators=[DataRequired(), AnyOf([d.value for d in ReviewDecision])])
    comment = TextAreaField(_l("General comment"),
                            validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])


def pinned_comments(formdata, item_ids) -> list[PinnedComment]:
    """The per-item comments and evidence requests of a posted decision."""
    return [PinnedComment(item_id, formdata.get(COMMENT_PREFIX + item_id, ""),
                          formdata.get(EVIDENCE_PREFIX + item_id) == "y")
            for item_id in item_ids
            if formdata.get(COMMENT_PREFIX + item_id, "").strip()
            or formdata.get(EVIDENCE_PREFIX + item_id) == "y"]


class ReviewGradesForm(TranslatedForm):
    grades = SelectMultipleField(
        _l("Grades the authority reviews"),
        choices=[SelectChoice(grade.value, GRADE_LABELS[grade]) for grade in Grade],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )


class QueueFilterForm(TranslatedForm):
    class Meta:
        csrf = False

    area = SelectField(_l("Area"), coerce=optional_int, validators=[Optional()])
    grade = SelectField(_l("Grade"), validators=[Optional()],
                        choices=[SelectChoice("", _l("All grades"))]
                        + [SelectChoice(grade.value, GRADE_LABELS[grade]) for grade in Grade])
