"""riskapp's scoring engine: checklists as data, pure Python (no Flask, no database).

Frozen dataclasses in, frozen dataclasses out; see `score()` and `validate()`.
"""

from riskapp.scoring.engine import (
    ENGINE_VERSION,
    EXHAUSTIVE_LIMIT,
    coerce_answers,
    fixed_answers,
    parse_number,
    regrade,
    score,
    validate,
)
from riskapp.scoring.loader import (
    CHECKLIST_DIR,
    DEFAULT_CHECKLIST_ID,
    checklist_from_text,
    get_checklist,
    load_checklist,
    shipped_checklists,
)
from riskapp.scoring.model import (
    AnswerKind,
    AreaStep,
    Band,
    Checklist,
    ChecklistError,
    Context,
    Grade,
    GradeBand,
    InvalidAnswers,
    Item,
    Option,
    Priority,
    Problem,
    Rule,
    RuleKind,
    Section,
    Text,
)
from riskapp.scoring.result import (
    Escalation,
    ImprovementPlan,
    ItemResult,
    RemediationEntry,
    Result,
    SectionResult,
)

__all__ = [
    "AnswerKind", "AreaStep", "Band", "CHECKLIST_DIR", "Checklist", "ChecklistError", "Context",
    "DEFAULT_CHECKLIST_ID", "ENGINE_VERSION", "EXHAUSTIVE_LIMIT", "Escalation", "Grade",
    "GradeBand", "ImprovementPlan", "InvalidAnswers", "Item", "ItemResult", "Option", "Priority",
    "Problem", "RemediationEntry", "Result", "Rule", "RuleKind", "Section", "SectionResult",
    "Text", "checklist_from_text", "coerce_answers", "fixed_answers", "get_checklist",
    "load_checklist", "parse_number", "regrade", "score", "shipped_checklists", "validate",
]
