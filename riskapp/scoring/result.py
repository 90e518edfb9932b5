"""What `score()` returns: frozen, JSON round-trippable, enough to re-derive it years later."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from riskapp.scoring.values import Context, Grade, Priority, Text


@dataclass(frozen=True, slots=True)
class Escalation:
    """A rule that changed the grade."""

    rule: str
    from_grade: Grade
    to_grade: Grade
    reason: Text

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "from_grade": self.from_grade.value,
            "to_grade": self.to_grade.value,
            "reason": self.reason.to_dict(),
        }

    def to_cli_dict(self, lang: str) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "from": self.from_grade.value,
            "to": self.to_grade.value,
            "reason": self.reason.get(lang),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Escalation:
        return cls(
            rule=data["rule"],
            from_grade=Grade(data["from_grade"]),
            to_grade=Grade(data["to_grade"]),
            reason=Text.from_dict(data["reason"]),
        )


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One item's outcome; `points` is None when the item is not counted."""

    item_id: str
    section: str
    answer: str | int | float | None
    points: int | None
    max_points: int
    counted: bool
    failed: bool
    critical: bool
    not_counted_reason: str | None  # "na" | "not_applicable"

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "section": self.section,
            "answer": self.answer,
            "points": self.points,
            "max_points": self.max_points,
            "counted": self.counted,
            "failed": self.failed,
            "critical": self.critical,
            "not_counted_reason": self.not_counted_reason,
        }

    def to_cli_dict(self) -> dict[str, Any]:
        return {
            "item": self.item_id,
            "section": self.section,
            "answer": self.answer,
            "points": self.points,
            "max": self.max_points,
            "counted": self.counted,
            "failed": self.failed,
            "critical": self.critical,
            "not_counted_reason": self.not_counted_reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemResult:
        return cls(**{name: data[name] for name in cls.__slots__})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class SectionResult:
    section: str
    title: Text
    points: int
    max_points: int
    failed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "title": self.title.to_dict(),
            "points": self.points,
            "max_points": self.max_points,
            "failed": self.failed,
        }

    def to_cli_dict(self, lang: str) -> dict[str, Any]:
        return {
            "section": self.section,
            "title": self.title.get(lang),
            "points": self.points,
            "max": self.max_points,
            "failed": self.failed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SectionResult:
        return cls(
            section=data["section"],
            title=Text.from_dict(data["title"]),
            points=data["points"],
            max_points=data["max_points"],
            failed=data["failed"],
        )


@dataclass(frozen=True, slots=True)
class RemediationEntry:
    item_id: str
    priority: Priority
    action: Text
    points: int
    critical: bool
    due_in_days: int
    due_on: date

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "priority": self.priority.value,
            "action": self.action.to_dict(),
            "points": self.points,
            "critical": self.critical,
            "due_in_days": self.due_in_days,
            "due_on": self.due_on.isoformat(),
        }

    def to_cli_dict(self, lang: str) -> dict[str, Any]:
        return {
            "item": self.item_id,
            "priority": self.priority.value,
            "action": self.action.get(lang),
            "points": self.points,
            "critical": self.critical,
            "due_in_days": self.due_in_days,
            "due_on": self.due_on.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RemediationEntry:
        return cls(
            item_id=data["item_id"],
            priority=Priority(data["priority"]),
            action=Text.from_dict(data["action"]),
            points=data["points"],
            critical=data["critical"],
            due_in_days=data["due_in_days"],
            due_on=date.fromisoformat(data["due_on"]),
        )


PlanMethod = Literal["exhaustive", "greedy", "none"]


@dataclass(frozen=True, slots=True)
class ImprovementPlan:
    """The fewest remediation items whose fixing lowers the final grade by at least one level."""

    method: PlanMethod
    item_ids: tuple[str, ...]
    grade_after: Grade | None
    score_after: float | None
    blocked_by: tuple[str, ...]
    message: Text

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "item_ids": list(self.item_ids),
            "grade_after": self.grade_after.value if self.grade_after else None,
            "score_after": self.score_after,
            "blocked_by": list(self.blocked_by),
            "message": self.message.to_dict(),
        }

    def to_cli_dict(self, lang: str) -> dict[str, Any]:
        return {
            "method": self.method,
            "items": list(self.item_ids),
            "grade_after": self.grade_after.value if self.grade_after else None,
            "score_after": self.score_after,
            "blocked_by": list(self.blocked_by),
            "message": self.message.get(lang),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImprovementPlan:
        return cls(
            method=data["method"],
            item_ids=tuple(data["item_ids"]),
            grade_after=Grade(data["grade_after"]) if data["grade_after"] else None,
            score_after=data["score_after"],
            blocked_by=tuple(data["blocked_by"]),
            message=Text.from_dict(data["message"]),
        )


@dataclass(frozen=True)
class Result:
    """A scored assessment."""

    checklist_id: str
    checklist_version: int
    engine_version: str
    assessed_on: date
    context: Context
    answers: tuple[tuple[str, str | int | float], ...]  # (item id, answer) sorted by item id
    score: float
    score_points: int
    score_max: int
    band: Grade
    grade: Grade
    decision: Text
    escalations: tuple[Escalation, ...]
    items: tuple[ItemResult, ...]
    sections: tuple[SectionResult, ...]
    remediation: tuple[RemediationEntry, ...]
    next_assessment_due_in_days: int
    next_assessment_due_on: date
    improvement_plan: ImprovementPlan
    checklist_fingerprint: str = ""

    def answers_dict(self) -> dict[str, str | int | float]:
        return dict(self.answers)

    @property
    def failed_critical(self) -> tuple[str, ...]:
        return tuple(i.item_id for i in self.items if i.failed and i.critical)

    @property
    def max_item_points(self) -> int:
        """The most points any counted item scored (what R1 looks at)."""
        return max((i.points for i in self.items if i.points is not None), default=0)

    def item(self, item_id: str) -> ItemResult:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(item_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: enums as values, dates ISO, Text as {"vi", "en"}."""
        return {
            "checklist_id": self.checklist_id,
            "checklist_version": self.checklist_version,
            "checklist_fingerprint": self.checklist_fingerprint,
            "engine_version": self.engine_version,
            "assessed_on": self.assessed_on.isoformat(),
            "context": self.context.to_dict(),
            "answers": dict(self.answers),
            "score": self.score,
            "score_points": self.score_points,
            "score_max": self.score_max,
            "band": self.band.value,
            "grade": self.grade.value,
            "decision": self.decision.to_dict(),
            "escalations": [e.to_dict() for e in self.escalations],
            "items": [i.to_dict() for i in self.items],
            "sections": [s.to_dict() for s in self.sections],
            "remediation": [r.to_dict() for r in self.remediation],
            "next_assessment_due_in_days": self.next_assessment_due_in_days,
            "next_assessment_due_on": self.next_assessment_due_on.isoformat(),
            "improvement_plan": self.improvement_plan.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        return cls(
            checklist_id=data["checklist_id"],
            checklist_version=data["checklist_version"],
            engine_version=data["engine_version"],
            assessed_on=date.fromisoformat(data["assessed_on"]),
            context=Context.from_dict(data["context"]),
            answers=tuple(sorted(data["answers"].items())),
            score=data["score"],
            score_points=data["score_points"],
            score_max=data["score_max"],
            band=Grade(data["band"]),
            grade=Grade(data["grade"]),
            decision=Text.from_dict(data["decision"]),
            escalations=tuple(Escalation.from_dict(e) for e in data["escalations"]),
            items=tuple(ItemResult.from_dict(i) for i in data["items"]),
            sections=tuple(SectionResult.from_dict(s) for s in data["sections"]),
            remediation=tuple(RemediationEntry.from_dict(r) for r in data["remediation"]),
            next_assessment_due_in_days=data["next_assessment_due_in_days"],
            next_assessment_due_on=date.fromisoformat(data["next_assessment_due_on"]),
            improvement_plan=ImprovementPlan.from_dict(data["improvement_plan"]),
            checklist_fingerprint=data.get("checklist_fingerprint", ""),
        )

    def to_cli_dict(self, lang: str = "vi") -> dict[str, Any]:
        """The command line's JSON: texts in one language."""
        return {
            "checklist": self.checklist_id,
            "checklist_version": self.checklist_version,
            "engine_version": self.engine_version,
            "assessed_on": self.assessed_on.isoformat(),
            "score": self.score,
            "score_points": self.score_points,
            "score_max": self.score_max,
            "band": self.band.value,
            "grade": self.grade.value,
            "grade_label": self.grade.label.get(lang),
            "colour": self.grade.colour,
            "decision": self.decision.get(lang),
            "escalations": [e.to_cli_dict(lang) for e in self.escalations],
            "items": [i.to_cli_dict() for i in self.items],
            "sections": [s.to_cli_dict(lang) for s in self.sections],
            "remediation": [r.to_cli_dict(lang) for r in self.remediation],
            "improvement_plan": self.improvement_plan.to_cli_dict(lang),
            "next_assessment_due_in_days": self.next_assessment_due_in_days,
            "next_assessment_due_on": self.next_assessment_due_on.isoformat(),
        }
