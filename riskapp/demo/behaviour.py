"""How a demo enterprise behaves: the answers it gives and how it works on its actions.

Part of the demo seed (`riskapp.demo`): every choice is drawn from the seed's own random
generator, in a fixed order, so the seeded database stays the same from run to run.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from fractions import Fraction

from sqlalchemy import select

from riskapp.assessments import services as assessments
from riskapp.db import db
from riskapp.demo.data import ACTION_NOTES, PEOPLE
from riskapp.models import ActionStatus, Assessment, Enterprise, RemediationAction, User
from riskapp.scoring import AnswerKind, Checklist, Context, Item

# Rule R1 raises a medium grade when an item scores 7 or more; half-way answers stay below.
MEDIUM_CAP = 6
# Vietnam's offset: demo timestamps are placed in working hours local time.
_VN_OFFSET = timedelta(hours=7)


def local_time(day: date, hour: float) -> datetime:
    """A UTC timestamp for `hour` o'clock Vietnam time on `day`."""
    moment = datetime.combine(day, clock(0), tzinfo=UTC) + timedelta(hours=hour) - _VN_OFFSET
    return moment


class SiteBehaviour:
    """What a site of a given quality answers, and how it follows its actions up."""

    def __init__(self, rng: random.Random, checklist: Checklist):
        self.rng = rng
        self.checklist = checklist

    def answers(self, enterprise: Enterprise, day: date, quality: float,
                case: bool, halfway: bool = False) -> dict[str, str]:
        """Raw form answers whose quality follows `quality` (0 poor … 1 exemplary); `halfway`
        keeps critical items right and every other item below the 7 points of rule R1."""
        context: Context = assessments.build_context(
            enterprise, {"confirmed_case_14d": case}, day
        )
        answers: dict[str, str] = {}
        for item in self.checklist.items:
            if not self.checklist.applies(item, context):
                continue
            answers[item.id] = self._answer(item, enterprise, context, quality, answers, halfway)
        return answers

    def _answer(self, item: Item, enterprise: Enterprise, context: Context, quality: float,
                so_far: dict[str, str], halfway: bool) -> str:
        rng = self.rng
        # Critical items get attention first, even in weak enterprises.
        good = rng.random() < (quality + (1 - quality) * 0.5 if item.critical else quality)
        cap = None
        if halfway:
            good = item.critical
            cap = MEDIUM_CAP
        if item.kind.is_numeric:
            if item.id == "CTX-1":
                on_site = max(1, round(enterprise.headcount * rng.uniform(0.55, 1.0)))
                # Half-way sites split big workforces into shifts of under 1,000 (7 points).
                return str(min(on_site, 999) if halfway else on_site)
            value = self._numeric(item, good, cap, prefer_worst=halfway)
            if item.divided_by:
                value = value * Fraction(so_far[item.divided_by])
            whole = item.integer_only or item.kind in (AnswerKind.INTEGER, AnswerKind.PERCENT)
            return _number_text(value, whole)
        counted = sorted((o for o in item.options if o.counted), key=lambda o: o.points)
        if (item.allows_na and not halfway and self.checklist.na_allowed(item, context)
                and rng.random() < 0.08):
            return "na"
        if good or len(counted) == 1:
            return counted[0].id
        worse = [o for o in counted[1:] if cap is None or o.points <= cap]
        if not worse:
            return counted[0].id
        if halfway:
            return worse[-1].id
        # Half-measures are commoner than nothing at all.
        weights = [1 / (1 + position) for position in range(len(worse))]
        return rng.choices(worse, weights=weights)[0].id

    def _numeric(self, item: Item, good: bool, cap: int | None = None,
                 prefer_worst: bool = False) -> Fraction:
        bands = sorted(item.bands, key=lambda b: b.points)
        worse = [b for b in bands[1:] if cap is None or b.points <= cap]
        if good or not worse:
            band = bands[0]
        elif prefer_worst:
            band = worse[-1]
        else:
            band = self.rng.choices(worse, weights=[1 / (1 + i) for i in range(len(worse))])[0]
        low = band.lower if band.lower is not None else (item.min_value or Fraction(0))
        if band.upper is not None:
            high = band.upper
        elif item.max_value is not None:
            high = item.max_value
        else:
            high = low * 2 + 10
        if low == high:
            return Fraction(low)
        # Stay strictly inside open ends so the value lands in the chosen band.
        pad = (high - low) / 20
        value = Fraction(self.rng.uniform(float(low + pad), float(high - pad)))
        return value

    def work_on_actions(self, assessment: Assessment, until: date, latest: bool,
                        officers: bool, admin: User) -> None:
        """Move the assessment's actions on as the enterprise would have by `until`; the
        officer's demo enterprise (`officers`) keeps its first actions open, `admin` verifies."""
        rng = self.rng
        actions = db.session.scalars(
            select(RemediationAction)
            .where(RemediationAction.assessment_id == assessment.id)
            .order_by(RemediationAction.position)
        ).all()
        assessed_on = assessment.assessed_on
        for action in actions:
            choice = self._status(action, until, latest, officers)
            action.created_at = local_time(assessed_on, 17)
            action.status = choice
            if choice != ActionStatus.OPEN and not action.owner:
                action.owner = rng.choice(PEOPLE)
            if rng.random() < 0.2:
                action.note = rng.choice(ACTION_NOTES)
            if choice.is_closed:
                latest_day = max(assessed_on, min(until, action.due_on + timedelta(days=5)))
                finished = assessed_on + timedelta(
                    days=rng.randint(0, (latest_day - assessed_on).days))
                action.completed_at = local_time(finished, 16)
                if choice == ActionStatus.VERIFIED:
                    verified = min(until, finished + timedelta(days=rng.randint(0, 7)))
                    action.verified_at = local_time(verified, 10)
                    action.verified_by_id = admin.id
            action.updated_at = action.completed_at or action.created_at
        db.session.flush()

    def _status(self, action: RemediationAction, until: date, latest: bool,
                officers: bool) -> ActionStatus:
        """Where the action stands by `until`."""
        if officers and latest and action.position < 2:
            return ActionStatus.OPEN  # the officer's demo starts with work to do
        if not latest:
            # Most work is finished before the next assessment; the rest is superseded then.
            return self.rng.choices(
                (ActionStatus.DONE, ActionStatus.VERIFIED, ActionStatus.IN_PROGRESS,
                 ActionStatus.OPEN), (48, 42, 5, 5))[0]
        if action.due_on < until:
            return self.rng.choices(
                (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE,
                 ActionStatus.VERIFIED), (25, 25, 30, 20))[0]
        return self.rng.choices(
            (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE), (50, 35, 15))[0]


def _number_text(value: Fraction, integer: bool) -> str:
    if integer:
        return str(max(0, int(round(value))))
    return f"{float(value):.1f}"
