"""Every aggregate against an independent pandas computation over the same generated data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from riskapp import clock
from riskapp.db import db
from riskapp.filters import Filters
from riskapp.models import User
from riskapp.province import aggregates, lists
from riskapp.tenancy import scope_for
from tests.province import expected

TODAY = clock.today()


def _filter_cases(generated):
    district = generated.world.a.district.id
    return [
        Filters(),
        Filters(industry="C"),
        Filters(size_band="100-499"),
        Filters(area_id=district),
        Filters(grade="high"),
        Filters(grade="none"),
        Filters(date_from=TODAY - timedelta(days=40), date_to=TODAY - timedelta(days=5)),
        Filters(area_id=district, industry="C", size_band="1000-4999"),
    ]


@pytest.fixture
def admin_scope(app, generated):
    def _scope():
        return scope_for(db.session.get(User, generated.world.a.admin.id))
    return _scope


def test_headline_by_area_and_industry_match_pandas(app, generated, admin_scope):
    with app.test_request_context():
        scope = admin_scope()
        areas = expected.areas_of(scope.province_id)
        base = expected.enterprises(scope.province_id, TODAY)
        assert base.state.value_counts().get("never", 0) > 0
        assert base.state.value_counts().get("overdue", 0) > 0
        for filters in _filter_cases(generated):
            frame = expected.apply(base, filters, areas)
            head = aggregates.headline(filters, scope, TODAY)
            assert head.total == len(frame), filters
            assert head.never == (frame.state == "never").sum(), filters
            assert head.overdue == (frame.state == "overdue").sum(), filters
            assert head.current == (frame.state == "current").sum(), filters
            counts = frame.final.value_counts()
            assert head.by_grade == {g: int(counts.get(g, 0)) for g in head.by_grade}, filters
            declared = frame.declared.value_counts()
            assert aggregates.declared_counts(filters, scope, TODAY) == {
                g: int(declared.get(g, 0)) for g in head.by_grade}

            rows = aggregates.by_area(filters, scope, TODAY)
            if filters.area_id is None:
                frame = frame.assign(top=frame.area_id.map(lambda a: expected.top_area(a, areas)))
                got = {row.key[0]: (row.total, row.never, row.overdue, row.by_grade["high"])
                       for row in rows if row.total}
                want = {
                    int(top): (len(g), int((g.state == "never").sum()),
                               int((g.state == "overdue").sum()), int((g.final == "high").sum()))
                    for top, g in frame.groupby("top")
                }
                assert got == want, filters
            folded = aggregates.fold(rows)
            assert (folded.total, folded.never, folded.overdue, folded.by_grade) == (
                head.total, head.never, head.overdue, head.by_grade), filters

            industries = aggregates.by_industry(filters, scope, TODAY)
            want = frame.groupby("industry").size().to_dict()
            assert {row.key: row.total for row in industries} == want


def test_trend_matches_pandas(app, generated, admin_scope):
    with app.test_request_context():
        scope = admin_scope()
        areas = expected.areas_of(scope.province_id)
        for filters in _filter_cases(generated):
            trend = aggregates.trend(filters, scope, TODAY)
            if filters.grade == "none":
                assert sum(trend.totals) == 0
                continue
            area_ids = expected.subtree(filters.area_id, areas) if filters.area_id else None
            pivot = expected.weekly(scope.province_id, trend.weeks[0], trend.weeks[-1], area_ids,
                                    filters.industry if not filters.size_band else None,
                                    filters.grade)
            if filters.size_band:
                continue  # covered below with the history path
            for i, week in enumerate(trend.weeks):
                for grade, counts in trend.counts.items():
                    want = int(pivot.loc[week, grade]) if (
                        week in pivot.index and grade in pivot.columns) else 0
                    assert counts[i] == want, (filters, week, grade)
        assert sum(aggregates.trend(Filters(), scope, TODAY).totals) > 0


def test_trend_history_path_equals_rollup_path(app, generated, admin_scope):
    """Industry filters group the history; summed over industries they equal the roll-up."""
    with app.test_request_context():
        scope = admin_scope()
        rollup = aggregates.trend(Filters(), scope, TODAY)
        per_industry = [aggregates.trend(Filters(industry=code), scope, TODAY)
                        for code in "ABCDEFGHIJKLMNOPQRSTU"]
        assert {p.source for p in per_industry} == {"assessment history"}
        for grade in rollup.counts:
            summed = [sum(p.counts[grade][i] for p in per_industry)
                      for i in range(len(rollup.weeks))]
            assert summed == rollup.counts[grade]


def test_gaps_match_pandas(app, generated, admin_scope):
    from riskapp import checklists

    with app.test_request_context():
        scope = admin_scope()
        areas = expected.areas_of(scope.province_id)
        checklist = checklists.definition(checklists.active_version(scope.province_id))
        base = expected.enterprises(scope.province_id, TODAY)
        for filters in _filter_cases(generated):
            frame = expected.apply(base, filters, areas)
            current_ids = set(frame.current_id.dropna().astype(int))
            want = expected.failing_items(current_ids)
            gaps, assessed = aggregates.gaps(filters, scope, TODAY, checklist)
            assert assessed == len(current_ids)
            assert {g.item_id: g.failing for g in gaps if g.failing} == {
                k: int(v) for k, v in want.items()}
            shares = [g.share for g in gaps]
            assert shares == sorted(shares, reverse=True)


def test_declared_vs_audited_matches_pandas(app, generated, admin_scope):
    with app.test_request_context():
        scope = admin_scope()
        base = expected.enterprises(scope.province_id, TODAY)
        audited = base[base.audited.notna()]
        assert len(audited) > 0
        result = aggregates.declared_vs_audited(Filters(), scope, TODAY)
        assert result["total"] == len(audited)
        pairs = audited.groupby(["declared", "audited"]).size()
        for (declared, found), count in pairs.items():
            assert result["matrix"][declared][found] == count
        higher = sum(1 for d, a in zip(audited.declared, audited.audited, strict=True)
                     if expected.GRADE_RANK[a] > expected.GRADE_RANK[d])
        assert result["higher"] == higher


def test_inspection_ranking_order_and_reasons(app, generated, admin_scope):
    with app.test_request_context():
        scope = admin_scope()
        base = expected.enterprises(scope.province_id, TODAY)
        assessed = base[base.current_id.notna()].copy()
        actions = expected._read(
            "SELECT enterprise_id, count(*) AS n FROM remediation_action WHERE priority='P1' "
            "AND status IN ('open', 'in_progress') AND due_on < :t GROUP BY enterprise_id",
            t=TODAY)
        assessed = assessed.merge(actions, left_on="id", right_on="enterprise_id", how="left")
        assessed["n"] = assessed.n.fillna(0).astype(int)
        assessed["rank"] = assessed.final.map(expected.GRADE_RANK)
        assessed["worse"] = [
            int(pd_prev == pd_prev and expected.GRADE_RANK[f] > expected.GRADE_RANK[pd_prev])
            if isinstance(pd_prev, str) else 0
            for f, pd_prev in zip(assessed.final, assessed.previous, strict=True)]
        assessed = assessed.sort_values(
            ["rank", "failed_critical", "n", "worse", "headcount", "id"],
            ascending=[False, False, False, False, False, True])
        page = lists.inspection_ranking(Filters(), 1, scope, TODAY, per_page=1000)
        assert [r.status.enterprise_id for r in page.items] == list(assessed.id)
        assert [r.overdue_p1 for r in page.items] == list(assessed.n)
        assert page.total == len(assessed)
        for ranked in page.items:
            assert len(ranked.critical_items) == ranked.status.failed_critical
