"""Import files from users: any CSV or XLSX bytes give a plan (row problems) or a clear error."""

from __future__ import annotations

import io

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from riskapp.db import db
from riskapp.models import Enterprise
from riskapp.province.imports import ImportFileError, ImportPlan, plan_import, read_table

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HEADERS = ["tax_code", "name", "industry", "area", "headcount", "address", "officer_email",
           "Mã số thuế", "Tên doanh nghiệp", "Ngành", "Địa bàn", "Số lao động", "vĩ độ",
           "longitude", "unknown column", ""]
VIETNAMESE = "aăâđeêioôơuưyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
cells = st.one_of(
    st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " -,.;\"'\n0123456789", max_size=30),
    st.text(max_size=20),
    st.sampled_from(["0100109106", "0100109106-001", "12345", "C", "Z", "=1+1",
                     "=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2", "@now", "1e400", "NaN", "-0",
                     "Huyện Đông Sơn",
                     "Huyện Đông Sơn / Xã Đông Hòa", "a@b.vn", "nope@", "10.5", "   "]),
    st.integers(-10**15, 10**15).map(str),
)
rows = st.lists(st.lists(cells, min_size=0, max_size=8), max_size=6)


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
        plan = plan_import(frame, province_id, filename)
        assert isinstance(plan, ImportPlan)
        for problem in plan.problems:
            assert problem.message if hasattr(problem, "message") else str(problem)
        # A dry run writes nothing.
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == before
        db.session.rollback()


@FUZZ
@given(header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=9), body=rows,
       encoding=st.sampled_from(["utf-8", "utf-16", "cp1258", "latin-1"]), bom=st.booleans(),
       separator=st.sampled_from([",", ";", "\t"]))
def test_generated_csv_gives_a_plan_or_a_clear_error(app, world, header, body, encoding, bom,
                                                     separator):
    data = _csv_bytes(header, body, encoding, bom, separator)
    _plan_or_clear_error(app, world.a.province.id, data, "doanh-nghiệp.csv")


@FUZZ
@given(header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=9), body=rows)
def test_generated_xlsx_gives_a_plan_or_a_clear_error(app, world, header, body):
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
