"""Inspection targeting: how likely an enterprise's declaration is worse in truth, learnt from the
audited-vs-declared history with Beta-Binomial empirical-Bayes shrinkage; and which visits to
make within a budget (a stratified random share, the rest greedy). Pure: no Flask or SQLAlchemy,
frozen dataclasses in and out. The formulas are written down in docs/METHODS.md."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass

# Below this many audited assessments the province's history says too little: the page ranks by
# the declared grade (as before) and says why. 30 is the usual "large enough for a proportion"
# rule: with 30 audits a province-wide rate of 20 % is known to about ±14 points.
MIN_AUDITS = 30
# Likelihood-ratio multipliers on the odds of a worse truth, per forensic flag kind (open flags
# from riskapp/forensics). Conservative guesses until audits of flagged enterprises measure them;
# an unknown kind multiplies by 1.0 (no evidence either way).
SIGNAL_LIKELIHOOD_RATIOS = {
    "photo_reuse": 3.0,
    "identical_answers": 2.0,
    "implausible": 2.5,
    "too_fast": 1.5,
}
# The items' evidence moves the odds at most this far either way (a long checklist must not
# drown the industry and area evidence).
ITEM_LR_BOUNDS = (0.25, 4.0)
DEFAULT_RANDOM_SHARE = 0.10
TOP_RANK = 4  # very high: a declaration of the worst grade leaves nothing worse to find
MAX_REASONS = 4  # a row's reasons: the ones that raised its chance most
_EPS = 1e-4
_MAX_STRENGTH = 1e6  # "no between-group variation": the groups take the parent rate


@dataclass(frozen=True)
class Audit:
    """One audited assessment: where it was, the grades as steps (rank), the items it declared
    passing and those of them the auditor found failing; at_random when a random pick."""

    industry: str
    area_id: int
    declared_rank: int
    audited_rank: int
    passing_items: tuple[str, ...] = ()
    failed_on_audit: tuple[str, ...] = ()
    at_random: bool = False

    @property
    def worse(self) -> bool:
        return self.audited_rank > self.declared_rank


@dataclass(frozen=True)
class Candidate:
    """An enterprise that could be visited, with its current declaration."""

    enterprise_id: int
    industry: str
    area_id: int
    declared_rank: int
    headcount: int = 1
    passing_items: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    order: int = 0  # its place in today's declared-grade ranking (the tie-break)


@dataclass(frozen=True)
class Rate:
    """A shrunk rate and the raw counts behind it."""

    rate: float
    worse: int
    audits: int


@dataclass(frozen=True)
class Model:
    """What the history taught; `enough` False (with `reason`) means: rank by declared grade."""

    enough: bool
    reason: str
    audits: int
    province: Rate
    industries: dict[str, Rate]
    areas: dict[int, Rate]
    declared: dict[int, Rate]  # by the declared grade's rank
    items: dict[str, Rate]
    item_baseline: float  # the average audited enterprise's chance some passing item fails
    mean_gap: float  # grade steps an audit found, when it found a worse grade
    strengths: tuple[float, ...]  # prior strength: industries, areas, declared grades, items


@dataclass(frozen=True)
class Reason:
    """One plain-words reason; `kind` picks the sentence, the rest fills it."""

    kind: str  # industry | area | declared | item | signal
    key: str
    rate: float = 0.0
    worse: int = 0
    audits: int = 0


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    probability: float
    expected_caught: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Visit:
    scored: Scored
    at_random: bool


@dataclass(frozen=True)
class AreaRate:
    """An area's misdeclaration rate from random picks only, with a 95 % Wilson interval."""

    area_id: int
    worse: int
    audits: int
    rate: float
    low: float
    high: float


def _logit(p: float) -> float:
    p = min(max(p, _EPS), 1 - _EPS)
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def prior_strength(counts: list[tuple[int, int]], parent: float) -> float:
    """Method-of-moments strength m of the Beta(m·p, m·(1−p)) prior over groups' (worse,
    audits): the between-group variance τ² is the spread of the groups' rates beyond binomial
    noise; m = p(1−p)/τ² − 1."""
    groups = [(k, n) for k, n in counts if n > 0]
    total = sum(n for _k, n in groups)
    if len(groups) < 2 or total == 0 or not 0 < parent < 1:
        return _MAX_STRENGTH
    spread = sum(n * (k / n - parent) ** 2 for k, n in groups)
    noise = (len(groups) - 1) * parent * (1 - parent)
    effective = total - sum(n * n for _k, n in groups) / total
    tau2 = (spread - noise) / effective if effective > 0 else 0.0
    if tau2 <= 0:
        return _MAX_STRENGTH
    return min(max(parent * (1 - parent) / tau2 - 1, 0.0), _MAX_STRENGTH)


def _shrunk(counts: dict, parent: float) -> tuple[dict, float]:
    strength = prior_strength(list(counts.values()), parent)
    return ({key: Rate((k + strength * parent) / (n + strength), k, n)
             for key, (k, n) in counts.items()}, strength)


def _count(audits: tuple[Audit, ...], key) -> dict:
    counts: dict = defaultdict(lambda: [0, 0])
    for audit in audits:
        cell = counts[key(audit)]
        cell[0] += audit.worse
        cell[1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def _item_counts(audits: tuple[Audit, ...]) -> dict[str, tuple[int, int]]:
    counts: dict = defaultdict(lambda: [0, 0])
    for audit in audits:
        failed = set(audit.failed_on_audit)
        for item in audit.passing_items:
            counts[item][0] += item in failed
            counts[item][1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def _some_item_fails(items: tuple[str, ...], rates: dict[str, Rate], default: float) -> float:
    keep = 1.0
    for item in items:
        keep *= 1 - (rates[item].rate if item in rates else default)
    return 1 - keep


def fit(audits: tuple[Audit, ...], min_audits: int | None = None) -> Model:
    """Learn the rates from every audit (targeted or random; see METHODS.md why that is fine)."""
    worse = sum(a.worse for a in audits)
    n = len(audits)
    # Jeffreys' half-counts keep the province rate off 0 and 1 (logits stay finite).
    province = Rate((worse + 0.5) / (n + 1), worse, n)
    industries, s_ind = _shrunk(_count(audits, lambda a: a.industry), province.rate)
    areas, s_area = _shrunk(_count(audits, lambda a: a.area_id), province.rate)
    declared, s_declared = _shrunk(_count(audits, lambda a: a.declared_rank), province.rate)
    item_counts = _item_counts(audits)
    flips = sum(k for k, _n in item_counts.values())
    checks = sum(n for _k, n in item_counts.values())
    item_parent = (flips + 0.5) / (checks + 1)
    items, s_item = _shrunk(item_counts, item_parent)
    baseline = (sum(_some_item_fails(a.passing_items, items, item_parent) for a in audits) / n
                if n else 0.0)
    gaps = [a.audited_rank - a.declared_rank for a in audits if a.worse]
    mean_gap = sum(gaps) / len(gaps) if gaps else 1.0
    enough, reason = _enough(n, worse, MIN_AUDITS if min_audits is None else min_audits)
    return Model(enough, reason, n, province, industries, areas, declared, items, baseline,
                 mean_gap, (s_ind, s_area, s_declared, s_item))


def _enough(audits: int, worse: int, min_audits: int) -> tuple[bool, str]:
    """Whether the history may rank; else the reason, as a message key (the service words it)."""
    if audits < min_audits:
        return False, "too_few"
    if worse == 0:
        return False, "all_honest"
    return True, ""


def probability(model: Model, candidate: Candidate,
                shifts: dict | None = None) -> tuple[float, tuple[Reason, ...]]:
    """P(audit finds a worse grade | industry, area, declared grade, items declared passing,
    signals), and the reasons that raised it (strongest first, at most MAX_REASONS)."""
    base = _logit(model.province.rate)
    log_odds = base
    groups: list[tuple[float, Reason]] = []
    for kind, key, rates in (("industry", candidate.industry, model.industries),
                             ("area", candidate.area_id, model.areas),
                             ("declared", candidate.declared_rank, model.declared)):
        rate = rates.get(key)
        if rate is not None:
            shift, reason = _group_shift(shifts, kind, key, rate, base)
            log_odds += shift
            groups.append((shift, reason))
    items: list[Reason] = []
    log_odds += _item_log_lr(model, candidate, items)
    signals = []
    for kind in candidate.signals:
        ratio = SIGNAL_LIKELIHOOD_RATIOS.get(kind, 1.0)
        log_odds += math.log(ratio)
        signals.append(Reason("signal", kind, ratio))
    raising = [reason for shift, reason in sorted(groups, key=lambda g: -g[0]) if shift > 0]
    reasons = (signals + raising + items)[:MAX_REASONS]
    if not reasons and groups:  # nothing stands out: say what the estimate rests on
        reasons = [groups[0][1]]
    return _expit(log_odds), tuple(reasons)


def _group_shift(shifts: dict | None, kind: str, key, rate: Rate,
                 base: float) -> tuple[float, Reason]:
    """A group's log-odds shift from the province rate and its reason (remembered across one
    scoring run: thousands of cells share a few hundred groups)."""
    made = shifts.get((kind, key)) if shifts is not None else None
    if made is None:
        made = (_logit(rate.rate) - base,
                Reason(kind, str(key), rate.rate, rate.worse, rate.audits))
        if shifts is not None:
            shifts[kind, key] = made
    return made


def _item_log_lr(model: Model, candidate: Candidate, reasons: list[Reason]) -> float:
    """The items declared passing, as a bounded likelihood ratio against the average audit."""
    if not candidate.passing_items or model.item_baseline <= 0:
        return 0.0
    default = model.province.rate if not model.items else sum(
        r.rate for r in model.items.values()) / len(model.items)
    chance = _some_item_fails(candidate.passing_items, model.items, default)
    low, high = ITEM_LR_BOUNDS
    ratio = min(max(chance / model.item_baseline, low), high)
    worst = sorted((i for i in candidate.passing_items if i in model.items),
                   key=lambda i: (-model.items[i].rate, i))
    if ratio > 1:  # only items that raise the odds, and were seen failing, are worth a reason
        for item in [i for i in worst if model.items[i].worse][:2]:
            rate = model.items[item]
            reasons.append(Reason("item", item, rate.rate, rate.worse, rate.audits))
    return math.log(ratio)


def score(model: Model, candidates: tuple[Candidate, ...],
          weight_by_headcount: bool = False) -> tuple[Scored, ...]:
    """Expected under-declaration caught = P(worse) × expected gap × weight, best first; the
    declared-grade order breaks ties (and is the whole order without enough history)."""
    scored = []
    known: dict[tuple, tuple[float, tuple[Reason, ...]]] = {}  # few distinct cells: reuse them
    shifts: dict = {}
    for candidate in candidates:
        cell = (candidate.industry, candidate.area_id, candidate.declared_rank,
                candidate.passing_items, candidate.signals)
        headroom = TOP_RANK - candidate.declared_rank
        if headroom <= 0:
            p, reasons = 0.0, ()
        elif not model.enough:
            p, reasons = model.province.rate, ()
        elif cell in known:
            p, reasons = known[cell]
        else:
            p, reasons = known[cell] = probability(model, candidate, shifts)
        weight = max(candidate.headcount, 1) if weight_by_headcount else 1
        gap = min(model.mean_gap, headroom)
        scored.append(Scored(candidate, p, p * gap * weight, reasons))
    if model.enough:
        scored.sort(key=lambda s: (-s.expected_caught, s.candidate.order))
    else:
        scored.sort(key=lambda s: s.candidate.order)
    return tuple(scored)


def _allocate(sizes: dict[int, int], draws: int, rng: random.Random) -> dict[int, int]:
    """Random picks per area: one each first (every area represented while draws last), the
    rest in proportion to the areas' sizes (largest remainder)."""
    areas = sorted(a for a, size in sizes.items() if size > 0)
    if draws < len(areas):
        return {a: 1 for a in rng.sample(areas, draws)}
    share = {a: 1 for a in areas}
    left = draws - len(areas)
    room = {a: sizes[a] - 1 for a in areas}
    total = sum(room.values())
    if total == 0 or left == 0:
        return share
    exact = {a: left * room[a] / total for a in areas}
    for a in areas:
        share[a] += min(int(exact[a]), room[a])
    rest = draws - sum(share.values())
    for a in sorted(areas, key=lambda a: (-(exact[a] - int(exact[a])), a)):
        if rest <= 0:
            break
        if share[a] < sizes[a]:
            share[a] += 1
            rest -= 1
    return share


def random_draws(budget: int, random_share: float) -> int:
    """How many of `budget` visits are drawn at random."""
    return min(budget, round(budget * max(0.0, min(random_share, 1.0))))


def random_positions(sizes: dict[int, int], draws: int, seed: int) -> dict[int, tuple[int, ...]]:
    """The stratified random draw: per area, positions in its enterprises taken in id order
    (deterministic by seed; each area's sample is a simple random sample)."""
    rng = random.Random(seed)  # nosec B311 # reproducible statistical sample, not security
    picks = _allocate(sizes, draws, rng)
    return {area: tuple(rng.sample(range(sizes[area]), picks[area])) for area in sorted(picks)}


def choose_visits(candidates: tuple[Scored, ...], budget: int, random_share: float,
                  seed: int) -> tuple[Visit, ...]:
    """`budget` visits: round(budget × share) drawn first at random, stratified across areas
    (deterministic by seed), then the best expected under-declaration caught of the rest."""
    budget = max(0, min(budget, len(candidates)))
    by_area: dict[int, list[Scored]] = defaultdict(list)
    for s in sorted(candidates, key=lambda s: s.candidate.enterprise_id):
        by_area[s.candidate.area_id].append(s)
    positions = random_positions({a: len(v) for a, v in by_area.items()},
                                 random_draws(budget, random_share), seed)
    drawn = tuple(by_area[area][i] for area, places in positions.items() for i in places)
    return targeted_after(drawn, candidates, budget)


def targeted_after(drawn: tuple[Scored, ...], ranked: tuple[Scored, ...],
                   budget: int) -> tuple[Visit, ...]:
    """The random draws, then the best of `ranked` (in ranking order) up to the budget."""
    chosen = [Visit(s, True) for s in drawn]
    taken = {s.candidate.enterprise_id for s in drawn}
    for s in ranked:
        if len(chosen) >= budget:
            break
        if s.candidate.enterprise_id not in taken:
            chosen.append(Visit(s, False))
    return tuple(chosen)


def wilson(worse: int, audits: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % by default); (0, 1) without audits."""
    if audits == 0:
        return 0.0, 1.0
    p = worse / audits
    scale = 1 + z * z / audits
    centre = (p + z * z / (2 * audits)) / scale
    half = z * math.sqrt(p * (1 - p) / audits + z * z / (4 * audits * audits)) / scale
    return max(0.0, centre - half), min(1.0, centre + half)


def area_rates(audits: tuple[Audit, ...]) -> tuple[AreaRate, ...]:
    """Each area's unbiased misdeclaration rate: random picks only (targeted ones would inflate
    it), with its Wilson interval."""
    counts = _count(tuple(a for a in audits if a.at_random), lambda a: a.area_id)
    rates = []
    for area_id, (k, n) in sorted(counts.items()):
        low, high = wilson(k, n)
        rates.append(AreaRate(area_id, k, n, k / n, low, high))
    return tuple(rates)
