"""The round pages: one tree level at a time, the frozen figures within an area's reach, the
export's content, the list and the Vietnamese default."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from riskapp import territory
from riskapp.db import db
from riskapp.models import Enterprise
from tests import factories
from tests.conftest import login
from tests.rounds.support import open_round


def _round(app, world):
    with app.test_request_context():
        today = territory.province_today(world.a.province.id)
        return open_round(world.a, today - timedelta(days=1), today + timedelta(days=6)).id


def test_the_table_opens_one_area_at_a_time(app, world, login_as):
    round_id = _round(app, world)
    client = login_as(world.a.viewer)
    top = client.get(f"/province/rounds/{round_id}").get_data(as_text=True)
    assert f"?area={world.a.district.id}" in top  # the district opens onto its commune
    assert world.a.commune.name not in top.split("Not reported yet")[0]
    below = client.get(f"/province/rounds/{round_id}?area={world.a.district.id}")
    assert world.a.commune.name in below.get_data(as_text=True).split("Not reported yet")[0]


def test_area_staff_read_a_closed_round_within_their_areas(app, world, login_as):
    round_id = _round(app, world)
    login_as(world.a.admin).post(f"/province/rounds/{round_id}/close")
    client = login_as(world.a.area_admin)
    page = client.get(f"/province/rounds/{round_id}").get_data(as_text=True)
    assert world.a.enterprise.name in page
    assert world.a.enterprise_elsewhere.name not in page
    assert world.a.other_district.name not in page
    # The province-wide summary files are the province staff's.
    assert client.get(f"/province/rounds/{round_id}/summary.xlsx").status_code == 404


def test_the_export_lists_figures_and_who_has_not_reported(app, world, login_as):
    round_id = _round(app, world)
    with app.test_request_context():
        factories.submit_assessment(world.a.enterprise_elsewhere, world.a.officer)
        db.session.commit()
    response = login_as(world.a.viewer).get(f"/province/rounds/{round_id}/progress.xlsx")
    book = zipfile.ZipFile(io.BytesIO(response.data))
    by_area = book.read("xl/worksheets/sheet1.xml").decode()
    missing = book.read("xl/worksheets/sheet2.xml").decode()
    assert world.a.other_district.name in by_area
    assert world.a.enterprise.name in missing and world.a.officer.email in missing
    assert world.a.enterprise_elsewhere.name not in missing


def test_the_list_in_vietnamese(app, world, client):
    round_id = _round(app, world)
    login(client, world.a.area_viewer)
    client.get("/lang/vi")
    page = client.get("/province/rounds/").get_data(as_text=True)
    assert "Đợt báo cáo" in page and f"/province/rounds/{round_id}" in page
    assert "Mở đợt báo cáo" not in page  # opening is the province admin's


def test_the_export_quotes_formulas(app, world, login_as):
    with app.app_context():
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        enterprise.name = '=HYPERLINK("http://evil.example/","x")'
        db.session.commit()
    round_id = _round(app, world)
    response = login_as(world.a.viewer).get(f"/province/rounds/{round_id}/progress.xlsx")
    missing = zipfile.ZipFile(io.BytesIO(response.data)).read("xl/worksheets/sheet2.xml")
    assert b"'=HYPERLINK" in missing
