"""History on today's boundaries or as it was: after a merge, the dashboard, the trend, the area
filter and the exports count each assessment under the area chosen."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest

from riskapp import territory
from riskapp.db import db
from riskapp.filters import THEN_BOUNDARIES, Filters
from riskapp.models import AreaKind, Enterprise, User
from riskapp.province import aggregates, areas, exports
from riskapp.tenancy import scope_for
from tests import factories

THEN = Filters(boundaries=THEN_BOUNDARIES)


@dataclass
class Merged:
    old_a: int
    old_b: int
    merged: int
    assessed_a: int  # assessed in old_a
    assessed_b: int  # assessed in old_b
    never: int  # in old_b, never assessed


@pytest.fixture
def merged(app, world) -> Merged:
    """Two communes, an assessment made in each, then merged into a third today."""
    with app.test_request_context():
        province = db.session.merge(world.a.province)
        officer = db.session.get(User, world.a.officer.id)
        today = territory.province_today(province.id)
        old_a = factories.make_area(province, "Xã Hoằng Đạo", kind=AreaKind.COMMUNE, level=None)
        old_b = factories.make_area(province, "Xã Hoằng Hà", kind=AreaKind.COMMUNE, level=None)
        firms = [factories.make_enterprise(area, f"28777{i:05d}", f"Công ty Hoằng {i}")
                 for i, area in enumerate((old_a, old_b, old_b))]
        for firm in firms[:2]:
            factories.submit_assessment(firm, officer, today - timedelta(days=10))
        new, _flags = areas.merge_areas([old_a, old_b], "Xã Hoằng Hóa", today, None)
        db.session.commit()
        return Merged(old_a.id, old_b.id, new.id, *(firm.id for firm in firms))


def _counts(filters: Filters, user) -> dict[int, int]:
    tallies = aggregates.by_area(filters, scope_for(user))
    return {tally.key[0]: tally.total for tally in tallies if tally.total}


def test_today_counts_the_merged_area_then_the_old_areas(app, world, merged):
    with app.test_request_context():
        admin = db.session.get(User, world.a.admin.id)
        today = _counts(Filters(), admin)
        assert today[merged.merged] == 3
        assert merged.old_a not in today and merged.old_b not in today
        then = _counts(THEN, admin)
        # The never-assessed enterprise has no history: it stays in its area today.
        assert (then[merged.old_a], then[merged.old_b], then[merged.merged]) == (1, 1, 1)
        assert sum(then.values()) == sum(today.values())
        labels = {t.key[0]: t.label for t in aggregates.by_area(THEN, scope_for(admin))}
        assert labels[merged.old_a].startswith("Xã Hoằng Đạo (closed on ")


def test_the_trend_under_an_area_follows_the_choice(app, world, merged):
    with app.test_request_context():
        scope = scope_for(db.session.get(User, world.a.admin.id))

        def total(**criteria) -> int:
            return sum(aggregates.trend(Filters(**criteria), scope).totals)

        assert total(area_id=merged.merged) == 2
        assert total(area_id=merged.old_a) == 0
        assert total(area_id=merged.old_a, boundaries=THEN_BOUNDARIES) == 1
        assert total(area_id=merged.merged, boundaries=THEN_BOUNDARIES) == 0


def test_the_area_filter_as_it_was_finds_assessments_made_in_a_closed_area(
        client, login_as, world, merged):
    login_as(world.a.admin)
    page = client.get(f"/province/enterprises?boundaries=then&area_id={merged.old_a}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Công ty Hoằng 0" in text and "Công ty Hoằng 1" not in text
    assert "(closed on " in text  # the picker offers the closed area, marked
    today = client.get(f"/province/enterprises?area_id={merged.merged}").get_data(as_text=True)
    assert all(f"Công ty Hoằng {i}" in today for i in range(3))


def test_the_dashboard_offers_the_choice_and_marks_closed_areas(client, login_as, world, merged):
    login_as(world.a.admin)
    today = client.get("/province/").get_data(as_text=True)
    assert 'name="boundaries"' in today and "Xã Hoằng Hóa" in today
    assert "Xã Hoằng Đạo (closed on" not in today
    then = client.get("/province/?boundaries=then").get_data(as_text=True)
    assert "Xã Hoằng Đạo (closed on" in then and 'id="boundaries-note"' in then


def test_the_export_carries_the_area_at_the_time_and_today(client, login_as, world, merged):
    login_as(world.a.admin)
    for query in ("", "?boundaries=then"):
        body = client.get(f"/province/export/enterprises.csv{query}").data.decode("utf-8-sig")
        rows = {row["Enterprise"]: row for row in csv.DictReader(io.StringIO(body))}
        assessed = rows["Công ty Hoằng 0"]
        assert assessed["Area at the time"].startswith("Xã Hoằng Đạo (closed on ")
        assert assessed["Area today"] == "Xã Hoằng Hóa"
        assert rows["Công ty Hoằng 2"]["Area at the time"] == ""
    xlsx = client.get("/province/export/enterprises.xlsx?boundaries=then")
    assert xlsx.status_code == 200


def test_the_figures_cache_key_holds_the_choice(app, world, merged):
    with app.test_request_context():
        scope = scope_for(db.session.get(User, world.a.admin.id))
        assert (aggregates.figures_key(Filters(), "en", scope)
                != aggregates.figures_key(THEN, "en", scope))
        before = aggregates.figures_version(scope)
        empty = factories.make_area(db.session.merge(world.a.province), "Xã Trống",
                                    kind=AreaKind.COMMUNE, level=None)
        territory.forget_area_trees()
        added = aggregates.figures_version(scope)
        areas.close_area(empty, territory.province_today(empty.province_id), None)
        assert before != added != aggregates.figures_version(scope)
        assert db.session.get(Enterprise, merged.assessed_a).area_id == merged.merged


def test_the_area_search_offers_closed_areas_only_as_it_was(client, login_as, world, merged):
    login_as(world.a.admin)
    today = client.get("/search/areas.json?q=hoang dao").get_json()
    then = client.get("/search/areas.json?q=hoang dao&boundaries=then").get_json()
    assert merged.old_a not in today["matches"] and merged.old_a in then["matches"]


def test_the_tables_export_counts_by_area_as_chosen(app, world, merged):
    with app.test_request_context():
        scope = scope_for(db.session.get(User, world.a.admin.id))
        for filters, expected in ((Filters(), {"Xã Hoằng Hóa": 3}),
                                  (THEN, {"Xã Hoằng Hóa": 1, "Xã Hoằng Đạo": 1, "Xã Hoằng Hà": 1})):
            sheet = exports.table_frames(filters, scope)["By area"]
            rows = zip(sheet["Area"], sheet["Registered"], strict=True)
            counts = {label.split(" (")[0]: n for label, n in rows if label.startswith("Xã Hoằng")}
            assert counts == expected


def test_the_history_export_lists_each_assessment_where_it_was_made(client, login_as, world,
                                                                    merged):
    login_as(world.a.admin)

    def rows(query: str) -> list[dict]:
        response = client.get(f"/province/export/assessments.csv?{query}")
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))

    then = rows(f"boundaries=then&area_id={merged.old_a}")
    assert [row["Enterprise"] for row in then] == ["Công ty Hoằng 0"]
    assert then[0]["Area at the time"].startswith("Xã Hoằng Đạo (closed on ")
    assert then[0]["Area today"] == "Xã Hoằng Hóa"
    today = rows(f"area_id={merged.merged}")
    assert sorted(row["Enterprise"] for row in today) == ["Công ty Hoằng 0", "Công ty Hoằng 1"]
    assert rows(f"area_id={merged.merged}&date_to=2000-01-01") == []
    xlsx = client.get("/province/export/assessments.xlsx?boundaries=then")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")


def test_the_choice_reads_in_vietnamese(client, login_as, world, merged):
    login_as(world.a.admin)
    client.get("/lang/vi")
    page = client.get("/province/?boundaries=then").get_data(as_text=True)
    assert "Địa giới" in page and "Địa bàn như trước đây" in page
    assert "Xã Hoằng Đạo (đã đóng từ " in page
    body = client.get("/province/export/assessments.csv").data.decode("utf-8-sig")
    assert body.splitlines()[0].endswith("Địa bàn tại thời điểm đánh giá,Địa bàn hiện nay")


def test_an_auditor_counts_assessments_made_outside_their_areas_as_elsewhere(
        app, world, client, login_as):
    with app.test_request_context():
        moved = db.session.get(Enterprise, world.a.enterprise_elsewhere.id)
        factories.submit_assessment(moved, db.session.get(User, world.a.officer.id))
        moved.area_id = world.a.commune.id  # moved into the auditor's areas after the assessment
        db.session.commit()
        scope = scope_for(db.session.get(User, world.a.auditor.id))
        today = aggregates.by_area(Filters(), scope)
        then = aggregates.by_area(THEN, scope)
        assert aggregates.fold(then).total == aggregates.fold(today).total == 2
        assert {t.label: t.total for t in then}["Elsewhere at the time"] == 1
    login_as(world.a.auditor)
    assert "Elsewhere at the time" in client.get("/province/?boundaries=then").get_data(
        as_text=True)
