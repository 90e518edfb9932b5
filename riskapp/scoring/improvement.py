"""The improvement plan: the fewest failing items whose fixing lowers the grade, or what blocks it.

Up to EXHAUSTIVE_LIMIT failing items every combination is tried, smallest first; beyond that a
greedy search adds the most helpful fix until the grade drops.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import combinations
from operator import add, sub

from riskapp.scoring import messages
from riskapp.scoring.answers import Evaluation
from riskapp.scoring.best_answers import best_value
from riskapp.scoring.caches import bounded_put
from riskapp.scoring.compiled import CompiledChecklist, CompiledItem, round_half_up_tenths
from riskapp.scoring.escalations import CompiledRules, Fired, State
from riskapp.scoring.result import ImprovementPlan, PlanMethod
from riskapp.scoring.values import GRADES, Context

# Up to this many failing items the improvement plan tries every combination (2^12 = 4096).
EXHAUSTIVE_LIMIT = 12

# (position of the divisor among the failing items, of the ratio item or -1, change of state)
_Link = tuple[int, int, State]

_ALREADY_LOWEST = ImprovementPlan(
    "none", (), None, None, (), messages.plan_already_lowest(GRADES[0])
)


def _add(state: State, change: State) -> State:
    return tuple(map(add, state, change))


def _difference(after: State, before: State) -> State:
    return tuple(map(sub, after, before))


class _Search:
    """Grades of "what if these failing items were fixed", memoised."""

    def __init__(
        self,
        compiled: CompiledChecklist,
        context: Context,
        maximum: int,
        base: State,
        deltas: list[State],
        links: list[_Link],
    ):
        self.apply_rules = compiled.rules.apply
        self.context = context
        self.cutoffs = compiled.cutoffs(maximum)
        self.base = base
        self.deltas = deltas
        self.links = links
        self.links_from: dict[int, list[tuple[int, State]]] = {}
        self.links_to: dict[int, list[tuple[int, State]]] = {}
        self.memo: dict[State, int] = {}
        for divisor_pos, item_pos, change in links:
            self.links_from.setdefault(divisor_pos, []).append((item_pos, change))
            if item_pos >= 0:
                self.links_to.setdefault(item_pos, []).append((divisor_pos, change))

    def rank(self, state: State, fired: list[Fired] | None = None) -> int:
        found = self.memo.get(state) if fired is None else None
        if found is None:
            band = bisect_left(self.cutoffs, state[0])
            found = self.apply_rules(band, state, self.context, fired)
            self.memo[state] = found
        return found

    def gain(self, n: int, chosen: set[int] | frozenset[int]) -> State:
        """The change of state when item n is fixed on top of `chosen`."""
        change = self.deltas[n]
        if self.links:
            for item_pos, link in self.links_from.get(n, ()):
                if item_pos not in chosen:
                    change = _add(change, link)
            for divisor_pos, link in self.links_to.get(n, ()):
                if divisor_pos in chosen:
                    change = _difference(change, link)  # fixing the item overrides the link
        return change

    def state(self, chosen: tuple[int, ...] | list[int]) -> State:
        if not self.links:
            deltas = self.deltas
            return tuple(map(sum, zip(self.base, *(deltas[n] for n in chosen), strict=True)))
        state = self.base
        done: set[int] = set()
        for n in chosen:
            state = _add(state, self.gain(n, done))
            done.add(n)
        return state


def improvement_plan(
    compiled: CompiledChecklist,
    evaluation: Evaluation,
    context: Context,
    failing: list[CompiledItem],
    maximum: int,
    base: State,
    grade_rank: int,
) -> ImprovementPlan:
    """The plan for an assessment graded `grade_rank` from the grading state `base`."""
    if grade_rank == 0:
        return _ALREADY_LOWEST
    rules, points = compiled.rules, evaluation.points
    deltas = [_fix_change(rules, ci, points[ci.index]) for ci in failing]  # type: ignore[arg-type]
    links = _ratio_links(compiled, evaluation, failing)
    search = _Search(compiled, context, maximum, base, deltas, links)
    exhaustive = len(failing) <= EXHAUSTIVE_LIMIT
    # One fix is enough more often than not: try that before anything else.
    chosen = _single_fix(search, grade_rank) if exhaustive else None
    if chosen is None:
        fired_all: list[Fired] = []
        all_fixed = search.state(tuple(range(len(failing))))
        if search.rank(all_fixed, fired_all) >= grade_rank:
            return _blocked(compiled, context, maximum, grade_rank, fired_all, all_fixed,
                            bool(failing))
        if exhaustive:
            chosen = _exhaustive(search, len(failing), grade_rank, start=2)
        else:
            chosen = _greedy(search, len(failing), grade_rank)
    after = search.state(chosen)
    ids = tuple(failing[n].id for n in chosen)
    grade_after = GRADES[search.rank(after)]
    message = compiled.message_cache.get((ids, grade_after))
    if message is None:
        message = bounded_put(compiled.message_cache, (ids, grade_after),
                              messages.plan_found(ids, grade_after))
    score_after = round_half_up_tenths(after[0], maximum)[1]
    method: PlanMethod = "exhaustive" if exhaustive else "greedy"
    return ImprovementPlan(method, ids, grade_after, score_after, (), message)


def _fix_change(rules: CompiledRules, ci: CompiledItem, points: int) -> State:
    """The change of state when the item, now at `points`, is answered at its best."""
    found = ci.fix_changes.get(points)
    if found is None:
        found = _difference(rules.contribution(ci, ci.best_points), rules.contribution(ci, points))
        ci.fix_changes[points] = found
    return found


def _ratio_links(
    compiled: CompiledChecklist, evaluation: Evaluation, failing: list[CompiledItem]
) -> list[_Link]:
    """How fixing a failing divisor also moves its ratio item (CTX-2 = area ÷ CTX-1)."""
    points, fail = evaluation.points, compiled.fail
    links: list[_Link] = []
    position: dict[int, int] | None = None
    contribution = compiled.rules.contribution
    for ci in compiled.ratio_items:
        divisor = ci.divisor
        divisor_points = points[divisor]  # type: ignore[index]
        # A failing item is a counted one at or above the fail threshold.
        if divisor_points is None or divisor_points < fail or points[ci.index] is None:
            continue
        if position is None:
            position = {item.index: n for n, item in enumerate(failing)}
        new_divisor = best_value(compiled.items[divisor], evaluation.exact[divisor])  # type: ignore[index,arg-type]
        new_points = ci.ratio_points(evaluation.exact[ci.index], new_divisor)  # type: ignore[arg-type]
        change = _difference(contribution(ci, new_points), contribution(ci, points[ci.index]))  # type: ignore[arg-type]
        if any(change):
            links.append((position[divisor], position.get(ci.index, -1), change))
    return links


def _blocked(
    compiled: CompiledChecklist,
    context: Context,
    maximum: int,
    grade_rank: int,
    fired_all: list[Fired],
    all_fixed: State,
    anything_to_fix: bool,
) -> ImprovementPlan:
    """The plan when even fixing every failing item keeps the grade: say what holds it up."""
    rules = compiled.rules
    rule_positions = tuple(dict.fromkeys(pos for pos, _, _ in fired_all))
    rule_ids = tuple(rules.rules[pos].id for pos in rule_positions)
    grade = GRADES[grade_rank]
    score_after = round_half_up_tenths(all_fixed[0], maximum)[1]
    key = ("blocked", rule_positions, grade_rank, context.area_level, score_after, anything_to_fix)
    message = compiled.message_cache.get(key)
    if message is None:
        if rule_ids:
            causes = [rules.rules[pos].cause.format(**rules.placeholders(pos, (), context))
                      for pos in rule_positions]
            message = messages.plan_blocked_by_rules(causes, grade)
        else:
            message = messages.plan_blocked_by_score(score_after, grade, anything_to_fix)
        bounded_put(compiled.message_cache, key, message)
    return ImprovementPlan("none", (), None, None, rule_ids, message)


def _single_fix(search: _Search, grade_rank: int) -> tuple[int, ...] | None:
    """The best single fix that lowers the grade, if any."""
    best: tuple[int, int, int] | None = None
    base = search.base
    nothing: frozenset[int] = frozenset()
    for n in range(len(search.deltas)):
        state = tuple(map(add, base, search.gain(n, nothing)))
        rank = search.rank(state)
        if rank < grade_rank and (best is None or (rank, state[0], n) < best):
            best = (rank, state[0], n)
    return None if best is None else (best[2],)


def _exhaustive(search: _Search, size: int, grade_rank: int, start: int = 1) -> tuple[int, ...]:
    """The smallest set that lowers the grade; among those the lowest grade, then score."""
    # Fixes only ever lower the state and the grade never falls as the state rises (the loader
    # checks every rule is monotone), so the k largest single changes of each part bound what
    # any k fixes can do: skip a size when even that bound does not lower the grade.
    width = len(search.base)
    link_total = [sum(min(0, change[n]) for _, _, change in search.links) for n in range(width)]
    by_part = [sorted(d[n] for d in search.deltas) for n in range(width)]
    for k in range(start, size + 1):
        bound = tuple(max(0, search.base[n] + sum(by_part[n][:k]) + link_total[n])
                      for n in range(width))
        if search.rank(bound) >= grade_rank:
            continue
        best: tuple[int, int] | None = None
        best_set: tuple[int, ...] = ()
        for subset in combinations(range(size), k):
            state = search.state(subset)
            rank = search.rank(state)
            if rank < grade_rank and (best is None or (rank, state[0]) < best):
                best, best_set = (rank, state[0]), subset
        if best is not None:
            return best_set
    return tuple(range(size))


def _greedy(search: _Search, size: int, grade_rank: int) -> tuple[int, ...]:
    """Add the most helpful fix until the grade drops, then drop fixes that turned out unneeded."""
    chosen: list[int] = []
    done: set[int] = set()
    state = search.base
    while search.rank(state) >= grade_rank:
        best_key, best_n, best_state = None, -1, state
        for n in range(size):
            if n in done:
                continue
            candidate = _add(state, search.gain(n, done))
            key = (search.rank(candidate), candidate[0], n)
            if best_key is None or key < best_key:
                best_key, best_n, best_state = key, n, candidate
        chosen.append(best_n)
        done.add(best_n)
        state = best_state
    for n in reversed(list(chosen)):
        rest = [m for m in chosen if m != n]
        if search.rank(search.state(rest)) < grade_rank:
            chosen = rest
    return tuple(sorted(chosen))
