"""Reach (another province sees nothing), drill-down totals, exports, checklists and the map."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from riskapp import clock
from riskapp.db import db
from riskapp.filters import Filters
from riskapp.models import User
from riskapp.province import aggregates
from riskapp.tenancy import scope_for


def _count(html: str) -> int:
    return int(re.search(r"<h1>.*?\(([\d.,\s]+)\)", html, re.S).group(1).replace(",", "")
               .replace(".", "").strip())


def test_other_province_admin_sees_nothing(generated, client, login_as):
    a = generated.world.a
    login_as(generated.world.b.admin)
    for url in [f"/province/enterprises/{a.enterprise.id}",
                f"/province/map/{a.enterprise.id}.json",
                f"/province/?area_id={a.district.id}",
                f"/province/enterprises?area_id={a.district.id}"]:
        assert client.get(url).status_code == 404, url
    page = client.get("/province/enterprises").get_data(as_text=True)
    assert a.enterprise.name not in page and _count(page) == 2  # b's own two
    markers = client.get("/province/map.json").get_json()["markers"]
    assert a.enterprise.id not in {m[0] for m in markers}
    assert client.post("/province/areas", data={"area_id": a.district.id, "level": 4,
                                                "effective_from": "2026-01-01"}).status_code == 404


def test_roles(generated, client, login_as):
    a = generated.world.a
    login_as(a.officer)
    assert client.get("/province/").status_code == 404
    login_as(a.viewer)
    assert client.get("/province/").status_code == 200
    assert client.post("/province/areas", data={"area_id": a.district.id, "level": 4,
                                                "effective_from": "2026-01-01"}).status_code == 404
    assert client.get("/province/checklists").status_code == 404
    login_as(a.auditor)  # assigned the district only
    assert client.get(f"/province/enterprises/{a.enterprise_elsewhere.id}").status_code == 404
    assert client.get(f"/province/enterprises/{a.enterprise.id}").status_code == 200
    assert client.get(f"/province/?area_id={a.other_district.id}").status_code == 404
    assert client.get("/province/").status_code == 200


def test_auditor_figures_are_restricted_to_their_areas(app, generated):
    with app.test_request_context():
        auditor = scope_for(db.session.get(User, generated.world.a.auditor.id))
        admin = scope_for(db.session.get(User, generated.world.a.admin.id))
        district = Filters(area_id=generated.world.a.district.id)
        assert aggregates.headline(Filters(), auditor).total == \
            aggregates.headline(district, admin).total
        assert aggregates.headline(Filters(), auditor).total < aggregates.headline(Filters(),
                                                                                 admin).total


@pytest.mark.parametrize("extra", [{}, {"industry": "C"}, {"size_band": "100-499"}])
def test_drill_down_totals_equal_the_headline(app, generated, client, login_as, extra):
    login_as(generated.world.a.admin)
    with app.test_request_context():
        scope = scope_for(db.session.get(User, generated.world.a.admin.id))
        filters = Filters(**extra)
        head = aggregates.headline(filters, scope)
        rows = aggregates.by_area(filters, scope)
        items, _assessed = aggregates.gaps(filters, scope)
    figures = {"": head.total, "state=current": head.current, "state=overdue": head.overdue,
               "state=never": head.never, "state=unreported": head.overdue + head.never,
               **{f"grade={g}": n for g, n in head.by_grade.items()}}
    figures.update({f"area_id={r.key[0]}": r.total for r in rows})
    figures.update({f"item={g.item_id}": g.failing for g in items if g.failing})
    query = "&".join(f"{k}={v}" for k, v in extra.items())
    for args, expected in figures.items():
        html = client.get(f"/province/enterprises?{query}&{args}").get_data(as_text=True)
        assert _count(html) == expected, args
    assert sum(r.total for r in rows) == head.total
    assert sum(head.by_grade.values()) + head.never == head.total


def test_dashboard_links_lead_to_lists_and_lists_open_enterprises(generated, client, login_as):
    login_as(generated.world.a.admin)
    html = client.get("/province/").get_data(as_text=True)
    assert html.count("/province/enterprises?") > 20
    listing = client.get("/province/enterprises").get_data(as_text=True)
    first = re.search(r'href="(/province/enterprises/\d+)"', listing).group(1)
    assert client.get(first).status_code == 200


def test_exports_keep_vietnamese_and_match_the_list(app, generated, client, login_as):
    login_as(generated.world.a.admin)
    client.get("/lang/vi")
    csv = client.get("/province/export/enterprises.csv?industry=C")
    assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(csv.data), dtype=str, encoding="utf-8-sig")
    listing = client.get("/province/enterprises?industry=C").get_data(as_text=True)
    assert len(frame) == _count(listing)
    assert any("Thanh Hóa" in name for name in frame.iloc[:, 1])
    xlsx = client.get("/province/export/enterprises.xlsx?industry=C")
    sheet = pd.read_excel(io.BytesIO(xlsx.data), dtype=str)
    assert list(sheet.columns) == list(frame.columns)
    assert sheet.iloc[:, 0].tolist() == frame.iloc[:, 0].tolist()  # tax codes as text
    tables = pd.read_excel(io.BytesIO(client.get("/province/export/tables.xlsx").data),
                           sheet_name=None)
    assert len(tables) == 8  # the seventh and eighth: declared vs audited, reviews
    with app.test_request_context():
        scope = scope_for(db.session.get(User, generated.world.a.admin.id))
        total = aggregates.headline(Filters(), scope).total
    headline = list(tables.values())[0]
    assert int(headline.iloc[0, 1]) == total
    assert client.get("/province/export/tables.csv?table=1").status_code == 200


def test_map_data_is_compact_and_filtered(generated, client, login_as):
    login_as(generated.world.a.admin)
    data = client.get("/province/map.json").get_json()
    assert data["fields"] == ["id", "lat", "lon", "grade"]
    assert all(len(m) == 4 and 0 <= m[3] <= 5 for m in data["markers"])
    high = client.get("/province/map.json?grade=high").get_json()["markers"]
    assert {m[3] for m in high} <= {3}
    popup = client.get(f"/province/map/{data['markers'][0][0]}.json").get_json()
    assert popup["grade"] and popup["url"].startswith("/province/enterprises/")


def test_checklist_upload_shows_every_problem_then_activates(app, world, client, login_as):
    from riskapp.scoring import get_checklist

    login_as(world.a.admin)
    client.get("/lang/en")
    bad = b"id: broken\nversion: one\n"
    page = client.post("/province/checklists", content_type="multipart/form-data", data={
        "file": (io.BytesIO(bad), "broken.yaml"), "active_from": "2026-03-01"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and 'id="checklist-problems"' in html
    assert html.split('id="checklist-problems"')[1].count("<li>") >= 1
    source = get_checklist().source_text.replace("version: 1", "version: 2", 1)
    assert "version: 2" in source
    page = client.post("/province/checklists", content_type="multipart/form-data", data={
        "file": (io.BytesIO(source.encode()), "v2.yaml"),
        "active_from": clock.today().isoformat()})
    assert page.status_code == 302
    with app.test_request_context():
        from riskapp import checklists

        assert checklists.active_version(world.a.province.id).version == 2
        assert checklists.active_version(world.b.province.id).version == 1
