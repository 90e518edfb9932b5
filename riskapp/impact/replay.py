"""Replaying the current assessments of a preview's scope through the engine, read in batches.

Only the columns grading needs are read (answers, context, assessed_on, checklist version and the
roll-up's area, industry, grade and due date), a batch at a time by key (current assessment id):
the answers of one batch are in memory at a time, and progress is committed between batches.
Nothing is written to the assessments or the roll-up: the new grades live in the Tally only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from riskapp import checklists
from riskapp.db import db
from riskapp.impact.tally import Replayed, Tally
from riskapp.models import Assessment, ChecklistVersion, EnterpriseStatus
from riskapp.scoring import Checklist, Context, InvalidAnswers, replay_grade
from riskapp.scoring.answers import context_problems

BATCH = 2000


@dataclass(frozen=True)
class Plan:
    """What to replay: the areas in scope (None: the whole province), the level each area is
    graded at afterwards, and the checklist to grade on (None: each assessment's own)."""

    province_id: int
    area_ids: frozenset[int] | None
    level_after: dict[int, int]
    checklist: Checklist | None
    parents: dict[int, int | None]


def scope_count(plan: Plan) -> int:
    """How many current assessments the plan replays (the progress bar's total)."""
    statement = select(func.count()).select_from(EnterpriseStatus).where(
        *_criteria(plan))
    return db.session.scalar(statement) or 0


def _criteria(plan: Plan) -> list:
    criteria = [EnterpriseStatus.province_id == plan.province_id,
                EnterpriseStatus.current_assessment_id.is_not(None)]
    if plan.area_ids is not None:
        criteria.append(EnterpriseStatus.area_id.in_(sorted(plan.area_ids)))
    return criteria


def batches(plan: Plan) -> Iterator[list]:
    """The rows of the scope, BATCH at a time: the scope's keys first (one index-only query),
    then each batch by its keys (an area filter beside a key range made the planner sort the
    whole scope for every batch)."""
    keys = db.session.scalars(
        select(EnterpriseStatus.current_assessment_id).where(*_criteria(plan))
        .order_by(EnterpriseStatus.current_assessment_id)).all()
    for start in range(0, len(keys), BATCH):
        chunk = keys[start:start + BATCH]
        yield db.session.execute(
            select(EnterpriseStatus.current_assessment_id, EnterpriseStatus.enterprise_id,
                   EnterpriseStatus.area_id, EnterpriseStatus.industry,
                   EnterpriseStatus.effective_grade, EnterpriseStatus.next_due_on,
                   Assessment.answers, Assessment.context, Assessment.assessed_on,
                   Assessment.checklist_version_id)
            .join(Assessment, Assessment.id == EnterpriseStatus.current_assessment_id)
            .where(EnterpriseStatus.current_assessment_id.in_(chunk))
        ).all()


class Grader:
    """Grades stored answers with the plan's levels and checklist (contexts and parsed
    checklists are reused: a province has few of each)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self._checklists: dict[int, Checklist] = {}
        self._contexts: dict[tuple, Context] = {}

    def checklist_of(self, version_id: int) -> Checklist:
        if self.plan.checklist is not None:
            return self.plan.checklist
        found = self._checklists.get(version_id)
        if found is None:
            found = checklists.definition(db.session.get(ChecklistVersion, version_id))
            self._checklists[version_id] = found
        return found

    def context(self, stored: dict | None, level: int) -> Context:
        key = (tuple(sorted((stored or {}).items())), level)
        found = self._contexts.get(key)
        if found is None:
            found, _problems = context_problems({**(stored or {}), "area_level": level})
            self._contexts[key] = found
        return found

    def grade(self, row) -> Replayed | None:
        """One row replayed; None when its answers cannot be graded at all."""
        (_id, enterprise_id, area_id, industry, grade_before, due_before, answers, context,
         assessed_on, version_id) = row
        if grade_before is None or assessed_on is None:
            return None
        checklist = self.checklist_of(version_id)
        ctx = self.context(context, self.plan.level_after.get(area_id, 1))
        result = _replayed(checklist, ctx, answers or {}, assessed_on)
        if result is None:
            return None
        return Replayed(enterprise_id, area_id, self.plan.parents.get(area_id), industry,
                        grade_before.value, result.grade.value, due_before,
                        result.next_assessment_due_on)


def _replayed(checklist: Checklist, ctx: Context, answers: dict, assessed_on: date):
    """The engine's replay (grade and due date); answers the other checklist refuses (an
    option it lacks) are left unanswered, as missing items are."""
    try:
        return replay_grade(checklist, ctx, answers, assessed_on)
    except InvalidAnswers as refused:
        refused_items = {problem.item_id for problem in refused.problems}
        kept = {k: v for k, v in answers.items() if k not in refused_items}
        try:
            return replay_grade(checklist, ctx, kept, assessed_on)
        except InvalidAnswers:
            return None


def run(plan: Plan, due_horizon: date, progress: Callable[[int], None]) -> Tally:
    """Replay the whole scope; `progress(done)` after every batch."""
    tally = Tally(due_horizon=due_horizon)
    grader = Grader(plan)
    done = 0
    for rows in batches(plan):
        for row in rows:
            replayed = grader.grade(row)
            if replayed is not None:
                tally.add(replayed)
        done += len(rows)
        progress(done)
    return tally
