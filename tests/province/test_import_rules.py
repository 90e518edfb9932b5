"""Enterprise import rules: template, partial apply with a file of rejected rows, official area
matching (code, name without diacritics, pre-2025 addresses), tax-code dedup, encodings."""

from __future__ import annotations

import io
import re
import unicodedata

import pandas as pd
import pytest
from sqlalchemy import func, select

from riskapp.db import db
from riskapp.models import Area, AreaKind, Enterprise
from riskapp.province.imports import ImportFileError, plan_import, read_table
from tests.province.test_imports import _apply, _problem_rows, _upload

HEADER = "Mã số thuế,Tên doanh nghiệp,Ngành,Xã/phường,Huyện cũ,Số lao động\n"
# Official units of Thanh Hóa since 1 July 2025 (code, name); "Đông Tiến" and "Đồng Tiến" differ
# only by a diacritic; 15910 (Xã Hoằng Sơn) took in the former Xã Hoằng Cát (15907).
OFFICIAL = [("14797", "Phường Hạc Thành"), ("15853", "Phường Đông Tiến"),
            ("15724", "Xã Đồng Tiến"), ("15910", "Xã Hoằng Sơn")]


@pytest.fixture
def official(app, world):
    """World A's province with four official communes/wards (directly under the province)."""
    with app.app_context():
        ids = {}
        for code, name in OFFICIAL:
            kind = AreaKind.WARD if name.startswith("Phường") else AreaKind.COMMUNE
            area = Area(province_id=world.a.province.id, parent_id=None, code=code, name=name,
                        kind=kind)
            db.session.add(area)
            db.session.flush()
            ids[code] = area.id
        db.session.commit()
    return ids


TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """As Windows-1258 stores Vietnamese: the letter (â, ơ, ư…) precomposed, its tone combining."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def _csv(rows: list[str], encoding: str = "utf-8") -> bytes:
    text = HEADER + "\n".join(rows) + "\n"
    return _cp1258(text) if encoding == "cp1258" else text.encode(encoding)


def _plan(app, world, data: bytes, filename: str = "dn.csv"):
    with app.test_request_context():
        return plan_import(read_table(data, filename), world.a.province.id, filename)


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Enterprise))


# ----------------------------------------------------------------------------- area matching


def test_an_area_matches_by_official_code_or_name_without_diacritics(app, world, official):
    rows = [f"28000001{i:02d},Công ty {i},C,{value},,10" for i, value in enumerate(
        ["Phường Hạc Thành", "Hạc Thành", "hac thanh", "HẠC THÀNH", "14797", "Phường Đông Tiến"])]
    plan = _plan(app, world, _csv(rows))
    assert not plan.problems
    assert [row.values["area_id"] for row in plan.rows] == [official["14797"]] * 5 + [
        official["15853"]]


def test_an_ambiguous_name_is_refused_naming_the_candidates(app, world, official):
    plan = _plan(app, world, _csv(["2800000101,Công ty A,C,dong tien,,10",
                                   "2800000102,Công ty B,C,Xã Không Có,,10",
                                   "2800000103,Công ty C,C,99999,,10"]))
    texts = {p.row: p.problem for p in plan.problems}
    assert "Phường Đông Tiến" in texts[2] and "Xã Đồng Tiến" in texts[2]
    assert "Xã Không Có" in texts[3]
    assert "99999" in texts[4]
    assert plan.rows == []


def test_old_district_addresses_are_converted_to_the_new_unit(app, world, official):
    plan = _plan(app, world, _csv([
        "2800000201,Công ty Cát,C,Xã Hoằng Cát,Huyện Hoằng Hóa,10",  # old commune + district
        "2800000202,Công ty Cát 2,C,hoang cat,Hoằng Hóa,10",         # short names, no diacritics
        "2800000203,Công ty Cát 3,C,15907,,10",                      # old commune code
        "2800000204,Công ty Sơn,C,Xã Hoằng Sơn,,10",                 # already the new unit
    ]))
    assert not plan.problems
    assert {row.values["area_id"] for row in plan.rows} == {official["15910"]}
    converted = {row.row: row.converted for row in plan.rows}
    assert "Xã Hoằng Cát" in converted[2] and "Huyện Hoằng Hóa" in converted[2]
    assert converted[3] and converted[4] and converted[5] is None


def test_an_old_commune_whose_successor_the_province_lacks_is_named(app, world, official):
    plan = _plan(app, world, _csv(["2800000301,Công ty X,C,Thị trấn Bút Sơn,Huyện Hoằng Hóa,10"]))
    [problem] = plan.problems
    assert "Thị trấn Bút Sơn" in problem.problem


def _closed_by(app, world, change: str):
    """Xã Đồng Tiến merged (with Phường Đông Tiến) or split, yesterday in the province."""
    from riskapp.province import areas
    from riskapp.territory import province_today

    with app.test_request_context():
        on = province_today(world.a.province.id)
        old = db.session.scalar(select(Area).where(Area.code == "15724"))
        admin = db.session.get(type(world.a.admin), world.a.admin.id)
        if change == "merge":
            other = db.session.scalar(select(Area).where(Area.code == "15853"))
            areas.merge_areas([old, other], "Phường Đông Tiến Mới", on, admin,
                              kind=AreaKind.WARD)
        else:
            areas.split_area(old, ["Xã Đồng Tiến Bắc", "Xã Đồng Tiến Nam"], {}, on, admin)
        db.session.commit()


def test_a_merged_area_is_read_as_the_area_it_became(app, world, official):
    _closed_by(app, world, "merge")
    plan = _plan(app, world, _csv(["2800000401,Công ty Tiến,C,Xã Đồng Tiến,,10",
                                   "2800000402,Công ty Tiến 2,C,15724,,10"]))
    assert not plan.problems
    with app.app_context():
        merged = db.session.scalar(select(Area.id).where(Area.name == "Phường Đông Tiến Mới"))
    assert {row.values["area_id"] for row in plan.rows} == {merged}
    assert all("Xã Đồng Tiến" in row.converted for row in plan.rows)


def test_a_split_area_is_refused_naming_the_parts(app, world, official):
    _closed_by(app, world, "split")
    plan = _plan(app, world, _csv(["2800000501,Công ty Tiến,C,Xã Đồng Tiến,,10"]))
    [problem] = plan.problems
    assert "Xã Đồng Tiến Bắc" in problem.problem and "Xã Đồng Tiến Nam" in problem.problem
    assert plan.rows == []


# ----------------------------------------------------------------------------- tax codes


def test_duplicates_within_a_file_refuse_both_rows_naming_them(app, world, official):
    plan = _plan(app, world, _csv(["2800000401,Công ty A,C,14797,,10",
                                   "2800000401-001,Chi nhánh A,C,14797,,10",  # a branch: distinct
                                   "2800000401,Công ty A lần 2,C,14797,,10"]))
    assert [row.tax_code for row in plan.rows] == ["2800000401-001"]
    texts = {p.row: p.problem for p in plan.problems}
    assert set(texts) == {2, 4}
    for text in texts.values():
        assert "2" in text and "4" in text


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_csv_encodings_are_detected(app, world, official, encoding):
    data = _csv(["2800000501,Công ty Thủy sản Sầm Sơn,C,Phường Hạc Thành,,10"], encoding)
    plan = _plan(app, world, data)
    assert not plan.problems
    assert plan.rows[0].values["name"] == "Công ty Thủy sản Sầm Sơn"


def test_undecodable_bytes_are_a_clear_error_naming_the_row(app, world):
    data = _csv(["2800000601,Công ty A,C,x,,10"]) + b"2800000602,\x81\x8d\x8f\x90,C,x,,10\n"
    with app.test_request_context(), pytest.raises(ImportFileError) as refused:
        read_table(data, "dn.csv")
    assert "row 3" in str(refused.value).lower()


# ----------------------------------------------------------------------------- template


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_reads_back_with_its_example_row_ignored(app, world, client, login_as,
                                                             official, fmt):
    login_as(world.a.admin)
    response = client.get(f"/province/imports/template.{fmt}")
    assert response.status_code == 200
    data = response.data
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("Mã số thuế,Tên doanh nghiệp")
        assert "Tax code" in text.splitlines()[1]
    else:
        sheet = pd.read_excel(io.BytesIO(data), dtype=str, header=None)
        assert sheet.iloc[0, 0] == "Mã số thuế" and "Tax code" in sheet.iloc[1, 0]
    plan = _plan(app, world, data, f"template.{fmt}")
    assert plan.rows == [] and plan.problems == []  # the example row is skipped, not imported


# ----------------------------------------------------------------------------- partial apply


def test_good_rows_go_in_and_bad_rows_come_back_as_a_file(app, world, client, login_as, official):
    login_as(world.a.admin)
    before = _count(app)
    data = _csv(["2800000701,Công ty Tốt,C,hac thanh,,10",
                 "2800000702,Công ty Xấu,C,Xã Không Có,,10",
                 "2800000703,Công ty Cũ,C,Xã Hoằng Cát,Huyện Hoằng Hóa,10"])
    html = _upload(client, data).get_data(as_text=True)
    assert [row for row, _column, _text in _problem_rows(html)] == [3]
    assert "1 rows converted from the former district-based address" in html
    response = _apply(client, html)
    assert response.status_code == 302
    assert _count(app) == before + 2
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="([^"]*/imports/rejected/[^"]+\.csv)"', follow).group(1)
    rejected = client.get(link)
    assert rejected.status_code == 200
    text = rejected.data.decode("utf-8-sig")
    assert "2800000702" in text and "2800000701" not in text
    assert "Problem" in text.splitlines()[0] and "Xã Không Có" in text.splitlines()[1]
    client.get("/lang/vi")
    xlsx = client.get(re.sub(r"\.csv$", ".xlsx", link))
    sheet = pd.read_excel(io.BytesIO(xlsx.data), dtype=str)
    assert "Lỗi" in sheet.columns and "không có địa bàn" in sheet["Lỗi"][0]


def test_a_failure_while_applying_leaves_nothing_half_applied(app, world, client, login_as,
                                                              official, monkeypatch):
    from riskapp.province import imports

    login_as(world.a.admin)
    before = _count(app)
    data = _csv([f"28000008{i:02d},Công ty {i},C,14797,,10" for i in range(5)])
    html = _upload(client, data).get_data(as_text=True)
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)  # the import's audit entry: every row is written (flushed) by then
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "record", failing)
    assert 'name="token"' in html
    assert _apply(client, html).status_code == 500  # the error page; the request rolled back
    assert calls
    assert _count(app) == before


def test_another_users_rejected_file_is_not_found(app, world, client, login_as, official):
    login_as(world.a.admin)
    html = _upload(client, _csv(["2800000901,Công ty Xấu,C,Xã Không Có,,10",
                                 "2800000902,Công ty Tốt,C,14797,,10"])).get_data(as_text=True)
    link = re.search(r'href="([^"]*/imports/rejected/[^"]+\.csv)"', html).group(1)
    login_as(world.b.admin)
    assert client.get(link).status_code == 404


def test_non_ascii_digits_are_a_row_problem_not_a_crash(app, world, official):
    """"²" and "٣" are digits to str.isdigit() but not to int(): found by the fuzz test."""
    plan = _plan(app, world, _csv(["2800001001,Công ty A,C,14797,,²",
                                   "2800001002,Công ty B,C,٣,,5"]))
    texts = {p.row: p.problem for p in plan.problems}
    assert "²" in texts[2] and "٣" in texts[3]
