"""The fast paths behind the province pages: the grouped inspection ranking pages, the map's
ETag/gzip/304 and its cache, and the streaming XLSX writer."""

from __future__ import annotations

import gzip
import io
import json
import random
from datetime import date

import openpyxl
import pandas as pd
import pytest

from riskapp import clock
from riskapp.db import db
from riskapp.filters import Filters
from riskapp.models import Enterprise, User
from riskapp.province import aggregates, cache, lists, maps, xlsx
from riskapp.tenancy import scope_for
from tests.province.conftest import submit

TODAY = clock.today()


@pytest.mark.parametrize("filters", [Filters(), Filters(industry="C"),
                                     Filters(grade="high"), Filters(size_band="100-499")])
def test_ranking_pages_join_up_to_the_whole_ranking(app, generated, filters):
    """Small pages cut across the (grade, failed critical) groups yet add up to one order."""
    with app.test_request_context():
        scope = scope_for(db.session.get(User, generated.world.a.admin.id))
        whole = lists.inspection_ranking(filters, 1, scope, TODAY, per_page=1000)
        pages, number = [], 1
        while True:
            page = lists.inspection_ranking(filters, number, scope, TODAY, per_page=3)
            assert page.total == whole.total
            pages.extend(page.items)
            if number >= page.pages:
                break
            number += 1
        assert whole.total > 3
        assert [r.status.enterprise_id for r in pages] == [r.status.enterprise_id
                                                           for r in whole.items]
        assert [r.position for r in pages] == list(range(1, whole.total + 1))
        assert [(r.overdue_p1, r.worsening, r.critical_items) for r in pages] == [
            (r.overdue_p1, r.worsening, r.critical_items) for r in whole.items]


@pytest.mark.parametrize("filters", [Filters(), Filters(industry="C"), Filters(grade="high"),
                                     Filters(grade="none"), Filters(size_band="100-499")])
def test_by_area_and_declared_equal_the_separate_figures(app, generated, filters):
    with app.test_request_context():
        scope = scope_for(db.session.get(User, generated.world.a.admin.id))
        areas, declared = aggregates.by_area_and_declared(filters, scope, TODAY)
        separate = aggregates.by_area(filters, scope, TODAY)
        assert declared == aggregates.declared_counts(filters, scope, TODAY)
        assert [(t.key, t.total, t.overdue, t.never, t.by_grade) for t in areas] == [
            (t.key, t.total, t.overdue, t.never, t.by_grade) for t in separate]
    if not filters.grade:
        assert sum(declared.values()) > 0


def test_ranking_past_the_last_page_shows_the_last_page(app, generated):
    with app.test_request_context():
        scope = scope_for(db.session.get(User, generated.world.a.admin.id))
        last = lists.inspection_ranking(Filters(), 10_000, scope, TODAY, per_page=4)
    assert last.number == last.pages and 0 < len(last.items) <= 4


def test_map_answers_304_while_nothing_changes_and_a_new_document_after(
        app, generated, client, login_as):
    with app.app_context():
        cache.clear()
    login_as(generated.world.a.admin)
    first = client.get("/province/map.json")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get("/province/map.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    # Another filter is another document.
    high = client.get("/province/map.json?grade=high", headers={"If-None-Match": etag})
    assert high.status_code == 200 and high.headers["ETag"] != etag
    # A submission changes the roll-up: the old ETag no longer matches and the grade moves.
    with app.test_request_context():
        enterprise = db.session.get(Enterprise, generated.enterprises[0])
        officer = db.session.get(User, generated.world.a.officer.id)
        submit(enterprise, officer, TODAY, random.Random(11))
        db.session.commit()
    changed = client.get("/province/map.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    with app.test_request_context():
        scope = scope_for(db.session.get(User, generated.world.a.admin.id))
        assert changed.get_json() == maps.map_markers(Filters(), scope)


def test_map_moves_when_coordinates_change(app, generated, client, login_as):
    login_as(generated.world.a.admin)
    etag = client.get("/province/map.json").headers["ETag"]
    with app.test_request_context():
        enterprise = db.session.get(Enterprise, generated.enterprises[1])
        enterprise.latitude = 20.12345
        db.session.commit()
    response = client.get("/province/map.json", headers={"If-None-Match": etag})
    assert response.status_code == 200
    marker = [m for m in response.get_json()["markers"] if m[0] == generated.enterprises[1]]
    assert marker and marker[0][1] == 20.12345


def test_map_is_gzipped_when_the_client_accepts_it(generated, client, login_as):
    login_as(generated.world.a.admin)
    plain = client.get("/province/map.json")
    packed = client.get("/province/map.json", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert "Content-Encoding" not in plain.headers


def test_map_documents_are_bounded_and_rebuilt_when_cleared(app, monkeypatch):
    monkeypatch.setattr(cache, "MAP_DOCUMENTS", 2)
    built = []

    def build(text):
        return lambda: built.append(text) or text

    with app.app_context():
        cache.clear()
        assert cache.map_document("a", build('"a"'))[0] == b'"a"'
        assert cache.map_document("a", build('"other"'))[0] == b'"a"'  # served from the cache
        cache.map_document("b", build('"b"'))
        cache.map_document("c", build('"c"'))
        assert cache.map_document("a", build('"a again"'))[0] == b'"a again"'  # "a" was dropped
        assert gzip.decompress(cache.map_document("c", build('"x"'))[1]) == b'"c"'
        cache.clear()
        assert cache.map_document("c", build('"new"'))[0] == b'"new"'
    assert built == ['"a"', '"b"', '"c"', '"a again"', '"new"']


def test_xlsx_writer_round_trip_keeps_text_numbers_dates_and_vietnamese():
    rows = [("0123456789", "Công ty Hòa Bình <&> \"x\"", 12, 17.5, date(2026, 3, 1), True),
            (None, "ký tự\x01lạ", None, float("nan"), None, False)]
    data = xlsx.write_workbook([("Doanh nghiệp", ["Mã số thuế", "Tên", "Số", "Điểm", "Ngày",
                                                  "Có"], rows),
                                ("Trống", ["A"], [])])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Doanh nghiệp", "Trống"]
    sheet = book["Doanh nghiệp"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Mã số thuế", "Tên", "Số", "Điểm", "Ngày", "Có"]
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert values[1][:4] == ["0123456789", "Công ty Hòa Bình <&> \"x\"", 12, 17.5]
    assert values[1][4].date() == date(2026, 3, 1) and values[1][5] is True
    assert values[2] == [None, "ký tựlạ", None, None, None, False]
    frame = pd.read_excel(io.BytesIO(data), dtype=str)
    assert frame.iloc[0, 0] == "0123456789"
