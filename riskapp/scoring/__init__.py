"""riskapp's scoring engine: checklists as data, pure Python (no Flask, no database).

Frozen dataclasses in, frozen dataclasses out; see `score()` and `validate()`.
"""

from riskapp.scoring.best_answers import fixed_answers
from riskapp.scoring.engine import (
    ENGINE_VERSION,
    Graded,
    regrade,
    replay,
    replay_grade,
    score,
    validate,
)
from riskapp.scoring.form_input import coerce_answers, parse_number
from riskapp.scoring.improvement import EXHAUSTIVE_LIMIT
from riskapp.scoring.loader import (
    CHECKLIST_DIR,
    DEFAULT_CHECKLIST_ID,
    checklist_from_text,
    get_checklist,
    load_checklist,
    shipped_checklists,
)
from riskapp.scoring.model import (
    AreaStep,
    Band,
    Checklist,
    ChecklistError,
    GradeBand,
    InvalidAnswers,
    Item,
    Option,
    Problem,
    Rule,
    RuleKind,
    Section,
)
from riskapp.scoring.result import (
    Escalation,
    ImprovementPlan,
    ItemResult,
    RemediationEntry,
    Result,
    SectionResult,
)
from riskapp.scoring.values import AnswerKind, Context, Grade, Priority, Text

__all__ = [
    "AnswerKind", "AreaStep", "Band", "CHECKLIST_DIR", "Checklist", "ChecklistError", "Context",
    "DEFAULT_CHECKLIST_ID", "ENGINE_VERSION", "EXHAUSTIVE_LIMIT", "Escalation", "Grade",
    "GradeBand", "ImprovementPlan", "InvalidAnswers", "Item", "ItemResult", "Option", "Priority",
    "Problem", "RemediationEntry", "Result", "Rule", "RuleKind", "Section", "SectionResult",
    "Text", "checklist_from_text", "coerce_answers", "fixed_answers", "get_checklist",
    "Graded", "load_checklist", "parse_number", "regrade", "replay", "replay_grade", "score",
    "shipped_checklists", "validate",
]
