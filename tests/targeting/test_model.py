"""The targeting model on constructed histories: too little, one industry, all honest, all
under-declaring; shrinkage, signals, the interval, the stratified random share, the budget."""

from __future__ import annotations

import pytest

from riskapp.targeting import model
from riskapp.targeting.model import Audit, Candidate


def _audits(spec, rng=None):
    """[(industry, area, audits, worse)] → audits (declared low=1, audited high=3 when worse)."""
    made = []
    for industry, area, n, worse in spec:
        for i in range(n):
            made.append(Audit(industry, area, 1, 3 if i < worse else 1))
    return tuple(made)


def _candidates(spec):
    """[(id, industry, area, declared rank)] in declared-grade order."""
    return tuple(Candidate(eid, industry, area, rank, order=i)
                 for i, (eid, industry, area, rank) in enumerate(spec))


def test_no_audits_falls_back_with_the_reason():
    fitted = model.fit(())
    assert not fitted.enough and fitted.reason == "too_few" and fitted.audits == 0
    ranked = model.score(fitted, _candidates([(5, "C", 1, 4), (3, "C", 1, 2), (9, "G", 2, 0)]))
    assert [s.candidate.enterprise_id for s in ranked] == [5, 3, 9]  # the declared order


def test_fewer_audits_than_the_threshold_fall_back():
    fitted = model.fit(_audits([("C", 1, model.MIN_AUDITS - 1, 10)]))
    assert not fitted.enough and fitted.reason == "too_few"
    assert model.fit(_audits([("C", 1, model.MIN_AUDITS, 10)])).enough


def test_all_honest_shrinks_to_about_zero_and_keeps_the_declared_order():
    fitted = model.fit(_audits([("C", 1, 40, 0), ("G", 2, 40, 0)]))
    assert fitted.province.rate < 0.01
    assert all(r.rate < 0.01 for r in fitted.industries.values())
    assert not fitted.enough and fitted.reason == "all_honest"
    ranked = model.score(fitted, _candidates([(7, "G", 2, 4), (1, "C", 1, 3), (4, "C", 2, 0)]))
    assert [s.candidate.enterprise_id for s in ranked] == [7, 1, 4]


def test_all_under_declaring_puts_every_rate_near_one():
    fitted = model.fit(_audits([("C", 1, 30, 30), ("G", 2, 30, 30)]))
    assert fitted.enough and fitted.province.rate > 0.95
    p, _ = model.probability(fitted, Candidate(1, "C", 1, 0))
    assert p > 0.95
    assert fitted.mean_gap == 2  # low → high is two grade steps


def test_one_industry_only_learns_from_areas():
    fitted = model.fit(_audits([("C", 1, 30, 15), ("C", 2, 30, 3)]))
    assert set(fitted.industries) == {"C"}
    p1, _ = model.probability(fitted, Candidate(1, "C", 1, 0))
    p2, _ = model.probability(fitted, Candidate(2, "C", 2, 0))
    unknown, _ = model.probability(fitted, Candidate(3, "Q", 9, 0))
    assert p1 > p2
    assert unknown == pytest.approx(fitted.province.rate, rel=1e-6)  # nothing known: the prior


def test_small_groups_shrink_toward_the_province_rate():
    fitted = model.fit(_audits([("C", 1, 200, 40), ("G", 1, 200, 40), ("F", 1, 200, 60),
                                ("A", 1, 2, 2)]))
    small = fitted.industries["A"]
    assert small.worse == 2 and small.audits == 2
    assert fitted.province.rate < small.rate < 1.0  # pulled far below its raw 100 %
    assert small.rate < 0.5


def test_prior_strength_infinite_without_spread():
    assert model.prior_strength([(10, 100), (10, 100)], 0.1) == pytest.approx(1e6)
    assert model.prior_strength([(0, 100), (50, 100)], 0.25) < 10


def test_ranking_follows_the_learnt_rates_and_reasons_name_them():
    fitted = model.fit(_audits([("C", 1, 50, 25), ("G", 1, 50, 2)]))
    ranked = model.score(fitted, _candidates([(1, "G", 1, 4), (2, "C", 1, 0)]))
    assert [s.candidate.enterprise_id for s in ranked] == [2, 1]
    industry = next(r for r in ranked[0].reasons if r.kind == "industry")
    assert (industry.key, industry.worse, industry.audits) == ("C", 25, 50)


def test_items_declared_passing_that_audits_often_fail_raise_the_odds():
    audits = tuple(Audit("C", 1, 1, 3 if i < 10 else 1, ("SCR-5", "ORG-1"),
                         ("SCR-5",) if i < 10 else ()) for i in range(40))
    audits += tuple(Audit("C", 1, 1, 1, ("ORG-1",), ()) for _ in range(40))
    fitted = model.fit(audits)
    risky, reasons = model.probability(fitted, Candidate(1, "C", 1, 1, passing_items=("SCR-5",)))
    safe, _ = model.probability(fitted, Candidate(2, "C", 1, 1, passing_items=("ORG-1",)))
    assert risky > safe
    item = next(r for r in reasons if r.kind == "item")
    assert (item.key, item.worse, item.audits) == ("SCR-5", 10, 40)


def test_signals_multiply_the_odds_and_unknown_kinds_do_nothing():
    fitted = model.fit(_audits([("C", 1, 40, 10)]))
    plain, _ = model.probability(fitted, Candidate(1, "C", 1, 0))
    flagged, reasons = model.probability(fitted, Candidate(1, "C", 1, 0,
                                                           signals=("photo_reuse",)))
    odd, _ = model.probability(fitted, Candidate(1, "C", 1, 0, signals=("martian",)))
    odds = lambda p: p / (1 - p)  # noqa: E731
    assert odds(flagged) / odds(plain) == pytest.approx(
        model.SIGNAL_LIKELIHOOD_RATIOS["photo_reuse"])
    assert odd == pytest.approx(plain)
    assert any(r.kind == "signal" and r.key == "photo_reuse" for r in reasons)


def test_headcount_weight_is_optional():
    fitted = model.fit(_audits([("C", 1, 40, 10)]))
    cands = (Candidate(1, "C", 1, 0, headcount=10, order=0),
             Candidate(2, "C", 1, 0, headcount=500, order=1))
    assert [s.candidate.enterprise_id for s in model.score(fitted, cands)] == [1, 2]
    weighted = model.score(fitted, cands, weight_by_headcount=True)
    assert [s.candidate.enterprise_id for s in weighted] == [2, 1]


def test_wilson_interval():
    low, high = model.wilson(18, 53)
    assert low == pytest.approx(0.2269, abs=1e-3) and high == pytest.approx(0.4740, abs=1e-3)
    assert model.wilson(0, 0) == (0.0, 1.0)
    low, high = model.wilson(0, 20)
    assert low == 0.0 and 0.1 < high < 0.2


def test_area_rates_use_random_picks_only():
    targeted = tuple(Audit("C", 1, 1, 3, at_random=False) for _ in range(30))
    randoms = tuple(Audit("C", 1, 1, 3 if i < 2 else 1, at_random=True) for i in range(10))
    (rate,) = model.area_rates(targeted + randoms)
    assert (rate.area_id, rate.worse, rate.audits, rate.rate) == (1, 2, 10, 0.2)
    assert rate.low < 0.2 < rate.high


def _scored_population(areas=5, per_area=40):
    fitted = model.fit(_audits([("C", a, 10, a) for a in range(1, areas + 1)]))
    cands = tuple(Candidate(a * 1000 + i, "C", a, 0, order=a * 1000 + i)
                  for a in range(1, areas + 1) for i in range(per_area))
    return model.score(fitted, cands)


def test_choose_visits_respects_the_budget_and_the_share():
    scored = _scored_population()
    visits = model.choose_visits(scored, 50, 0.2, seed=7)
    assert len(visits) == 50
    assert sum(v.at_random for v in visits) == 10
    assert len({v.scored.candidate.enterprise_id for v in visits}) == 50
    # The targeted ones are the best of what the random draw left.
    targeted = [v.scored for v in visits if not v.at_random]
    left = [s for s in scored if s.candidate.enterprise_id not in
            {v.scored.candidate.enterprise_id for v in visits}]
    assert min(s.expected_caught for s in targeted) >= max(s.expected_caught for s in left)


def test_the_random_share_reaches_every_area_and_is_deterministic_by_seed():
    scored = _scored_population(areas=5)
    visits = model.choose_visits(scored, 100, 0.1, seed=3)
    drawn = [v.scored.candidate for v in visits if v.at_random]
    assert {c.area_id for c in drawn} == {1, 2, 3, 4, 5}
    assert [c.area_id for c in drawn].count(1) == 2  # 10 draws, equal areas: two each
    again = model.choose_visits(scored, 100, 0.1, seed=3)
    assert again == visits
    other = model.choose_visits(scored, 100, 0.1, seed=4)
    assert [v.scored.candidate.enterprise_id for v in other if v.at_random] != \
        [c.enterprise_id for c in drawn]


def test_fewer_draws_than_areas_still_one_per_drawn_area():
    scored = _scored_population(areas=5)
    visits = model.choose_visits(scored, 30, 0.1, seed=1)
    drawn = [v.scored.candidate.area_id for v in visits if v.at_random]
    assert len(drawn) == 3 and len(set(drawn)) == 3


def test_a_budget_beyond_the_candidates_takes_them_all():
    scored = _scored_population(areas=2, per_area=3)
    visits = model.choose_visits(scored, 100, 0.5, seed=1)
    assert len(visits) == 6
    assert model.choose_visits(scored, 0, 0.5, seed=1) == ()


def test_the_random_draw_is_uniform_within_an_area():
    scored = _scored_population(areas=1, per_area=10)
    seen = {}
    for seed in range(2000):
        (visit,) = [v for v in model.choose_visits(scored, 1, 1.0, seed)]
        seen[visit.scored.candidate.enterprise_id] = seen.get(
            visit.scored.candidate.enterprise_id, 0) + 1
    assert len(seen) == 10 and min(seen.values()) > 140


def test_a_declared_grade_is_not_shared_with_another_in_the_same_cell():
    """Two enterprises alike but for their declared grade get their own chances (a cache keyed
    without the grade once gave a very-high declaration a low one's chance)."""
    audits = tuple(Audit("C", 1, 0, 2 if i < 20 else 0) for i in range(40))
    audits += tuple(Audit("C", 1, 3, 3) for _ in range(40))
    fitted = model.fit(audits)
    ranked = model.score(fitted, _candidates([(1, "C", 1, 0), (2, "C", 1, 3)]))
    chances = {s.candidate.enterprise_id: s.probability for s in ranked}
    assert chances[1] > chances[2]


def test_the_top_grade_cannot_be_under_declared():
    """Declaring the worst grade leaves nothing to find worse: no chance, nothing expected."""
    fitted = model.fit(_audits([("C", 1, 50, 25)]))
    ranked = model.score(fitted, _candidates([(1, "C", 1, 4), (2, "C", 1, 3), (3, "C", 1, 1)]))
    by_id = {s.candidate.enterprise_id: s for s in ranked}
    assert by_id[1].probability == 0 and by_id[1].expected_caught == 0
    assert [s.candidate.enterprise_id for s in ranked][-1] == 1
    # One step of headroom caps the expected gap at one grade step.
    assert by_id[2].expected_caught <= by_id[2].probability * 1.0 + 1e-9
