"""Import files from users: any CSV or XLSX bytes give a plan (row problems) or a clear error.

A plan accounts for every data row once: planned (valid values, new exactly when its tax code is
unknown) or named in a problem, never both; the dry run writes nothing.
"""

from __future__ import annotations

import io
import unicodedata

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from riskapp.db import db
from riskapp.models import Area, Enterprise
from riskapp.province.imports import (
    COLUMN_LABELS,
    COLUMNS,
    EMAIL,
    OPTIONAL,
    REQUIRED,
    TAX_CODE,
    ImportFileError,
    ImportPlan,
    plan_import,
    read_table,
)
from riskapp.templating import VSIC_SECTIONS

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HEADERS = ["tax_code", "name", "industry", "area", "headcount", "address", "officer_email",
           "Mã số thuế", "Tên doanh nghiệp", "Ngành", "Địa bàn", "Số lao động", "vĩ độ",
           "longitude", "unknown column", ""]
# One header per required column, so that many generated files get as far as the plan.
REQUIRED_HEADERS = ["Mã số thuế", "Tên doanh nghiệp", "Ngành", "Địa bàn", "Số lao động"]
VIETNAMESE = "aăâđeêioôơuưyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
# The areas and tax codes of tests.factories.build_world: province a's district and commune,
# its enterprise (known here) and province b's (registered elsewhere).
cells = st.one_of(
    st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " -,.;\"'\n0123456789", max_size=30),
    st.text(max_size=20),
    st.sampled_from(["0100109106", "0100109106-001", "2800000001", "2900000001", "12345", "C",
                     "Z", "=1+1", "=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2", "@now", "1e400",
                     "NaN", "-0", "Huyện Đông Sơn TH", "Xã Đông Hòa TH",
                     "Huyện Đông Sơn TH / Xã Đông Hòa TH", "Huyện Đông Sơn NA", "a@b.vn",
                     "nope@", "10.5", "250", "1.200", "   "]),
    st.integers(-10**15, 10**15).map(str),
)
_ALIASES = {alias: key for key, names in COLUMNS.items() for alias in names}


def _column(header: str) -> str:
    """The column a header names (as read_table maps it), or the header itself."""
    return _ALIASES.get(unicodedata.normalize("NFC", header).strip().lower(), header)


# At most one header per column: a column named twice is refused (tested below).
headers = st.one_of(
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=9, unique_by=_column),
    st.permutations(REQUIRED_HEADERS).flatmap(
        lambda required: st.lists(
            st.sampled_from([h for h in HEADERS if _column(h) not in REQUIRED]), max_size=3,
            unique_by=_column,
        ).map(lambda extra: [*required, *extra])),
)
# Values a column accepts for province a, so that some generated rows are valid.
VALID = {
    "tax_code": st.one_of(st.from_regex(r"\A28\d{8}(-\d{3})?\Z"),
                          st.sampled_from(["2800000001", "2900000001"])),
    "name": st.text(alphabet=VIETNAMESE + " ", min_size=1, max_size=20),
    "industry": st.sampled_from([*"ABCDEFGHIJKLMNOPQRSTU", "Xây dựng", "Manufacturing"]),
    "area": st.sampled_from(["Xã Đông Hòa TH", "Huyện Đông Sơn TH", "Thị xã Nghi Sơn TH",
                             "Huyện Đông Sơn TH / Xã Đông Hòa TH"]),
    "headcount": st.integers(1, 10**6).map(str),
    "officer_email": st.sampled_from(["", "moi@th.vn", "officer-th@example.vn"]),
    # A file with one of the two columns leaves the other empty: then both must be.
    "latitude": st.one_of(st.just(""), st.floats(-90, 90).map(str)),
    "longitude": st.one_of(st.just(""), st.floats(-180, 180).map(str)),
}


@st.composite
def tables(draw) -> tuple[list[str], list[list[str]]]:
    """(header, rows): a row is one cell per column, likely a valid one, or random cells."""
    header = draw(headers)
    # A valid value three times in four: most such rows then hold no problem at all.
    fitting = st.tuples(*(st.sampled_from([VALID.get(_column(h), cells)] * 3 + [cells])
                          .flatmap(lambda values: values) for h in header))
    row = st.one_of(fitting.map(list), fitting.map(list), st.lists(cells, max_size=8))
    return header, draw(st.lists(row, max_size=6))


def _csv_bytes(header, body, encoding, bom, separator) -> bytes:
    lines = [separator.join(header)] + [separator.join(row) for row in body]
    text = "\r\n".join(lines)
    try:
        data = text.encode(encoding, errors="strict")
    except UnicodeEncodeError:
        data = text.encode(encoding, errors="replace")
    return (b"\xef\xbb\xbf" if bom else b"") + data


def _xlsx_bytes(header, body) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [header, *body]:
        sheet.append([cell.replace("\x00", "") for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plan_or_clear_error(app, province_id: int, data: bytes, filename: str) -> None:
    with app.test_request_context():
        before = db.session.scalar(select(func.count()).select_from(Enterprise))
        try:
            frame = read_table(data, filename)
        except ImportFileError as error:
            assert str(error).strip()
            return
        assert isinstance(frame, pd.DataFrame)
        assert list(frame.columns) == [*REQUIRED, *OPTIONAL]
        assert all(isinstance(value, str) for value in frame.to_numpy().flat)
        plan = plan_import(frame, province_id, filename)
        assert isinstance(plan, ImportPlan)
        _assert_every_row_accounted_for(plan, len(frame), province_id)
        # A dry run writes nothing.
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == before
        db.session.rollback()


def _assert_every_row_accounted_for(plan: ImportPlan, data_rows: int, province_id: int) -> None:
    rows = set(range(2, data_rows + 2))  # row 1 is the header
    planned = [row.row for row in plan.rows]
    bad = {problem.row for problem in plan.problems}
    assert len(planned) == len(set(planned))
    assert set(planned) | bad == rows and not set(planned) & bad
    assert plan.ok == (not plan.problems)
    labels = {str(label) for label in COLUMN_LABELS.values()}
    for problem in plan.problems:
        assert problem.column in labels and problem.problem.strip(), problem
    tax_codes = [row.tax_code for row in plan.rows]
    assert len(tax_codes) == len(set(tax_codes))
    known = set(db.session.scalars(select(Enterprise.tax_code)))
    areas = set(db.session.scalars(select(Area.id).where(Area.province_id == province_id)))
    for row in plan.rows:
        assert TAX_CODE.match(row.tax_code), row
        assert (row.action == "new") == (row.tax_code not in known), row
        assert row.action in {"new", "updated", "unchanged"}, row
        assert row.values["name"] and row.values["industry"] in VSIC_SECTIONS, row
        assert row.values["area_id"] in areas and row.values["headcount"] >= 1, row
        assert row.invite is None or EMAIL.match(row.invite), row


@FUZZ
@given(table=tables(), encoding=st.sampled_from(["utf-8", "utf-16", "cp1258", "latin-1"]),
       bom=st.booleans(), separator=st.sampled_from([",", ";", "\t"]))
def test_generated_csv_gives_a_plan_or_a_clear_error(app, world, table, encoding, bom, separator):
    data = _csv_bytes(*table, encoding, bom, separator)
    _plan_or_clear_error(app, world.a.province.id, data, "doanh-nghiệp.csv")


@FUZZ
@given(table=tables())
def test_generated_xlsx_gives_a_plan_or_a_clear_error(app, world, table):
    header, body = table
    clean = [[c for c in row if c.isprintable() or c == "\n"] for row in body]
    data = _xlsx_bytes(header, [["".join(ch for ch in c if ch.isprintable()) for c in row]
                                for row in clean])
    _plan_or_clear_error(app, world.a.province.id, data, "doanh-nghiep.xlsx")


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ""]))
def test_random_bytes_give_a_clear_error_or_a_plan(app, world, data, suffix):
    _plan_or_clear_error(app, world.a.province.id, data, "upload" + suffix)


def test_a_truncated_xlsx_is_a_clear_error(app, world):
    whole = _xlsx_bytes(["tax_code", "name"], [["0100109106", "Công ty"]])
    _plan_or_clear_error(app, world.a.province.id, whole[: len(whole) // 2], "cut.xlsx")


def test_a_column_named_twice_is_refused_saying_which(app, world):
    header = ["Mã số thuế", "tax_code", *REQUIRED_HEADERS[1:]]
    body = [["2800000099", "2800000098", "Công ty Hai Mã", "C", "Xã Đông Hòa TH", "10"]]
    data = _csv_bytes(header, body, "utf-8", False, ",")
    _plan_or_clear_error(app, world.a.province.id, data, "dn.csv")
    with app.test_request_context(), pytest.raises(ImportFileError) as refused:
        read_table(data, "dn.csv")
    assert "Mã số thuế, tax_code" in str(refused.value)


def test_a_plan_accounts_for_every_row(app, world):
    # The fuzzed files above rarely hold a valid row: one file with valid, bad and known rows.
    header = REQUIRED_HEADERS
    body = [
        ["2800000001", "Công ty May Đông Hòa TH", "C", "Xã Đông Hòa TH", "250"],  # known: update
        ["2800000099", "Công ty Mới", "A", "Huyện Đông Sơn TH / Xã Đông Hòa TH", "1.200"],
        ["2900000001", "Công ty Tỉnh Khác", "C", "Xã Đông Hòa TH", "10"],  # another province's
        ["2800000099", "Công ty Trùng", "C", "Xã Đông Hòa TH", "10"],  # as row 3: both refused
        ["", "", "Z", "Huyện Đông Sơn NA", "-2"],
    ]
    _plan_or_clear_error(app, world.a.province.id, _csv_bytes(header, body, "utf-8", False, ","),
                         "dn.csv")
    with app.test_request_context():
        plan = plan_import(read_table(_csv_bytes(header, body, "utf-8", False, ","), "dn.csv"),
                           world.a.province.id)
    assert [(row.row, row.action) for row in plan.rows] == [(2, "updated")]
    assert sorted({problem.row for problem in plan.problems}) == [3, 4, 5, 6]
