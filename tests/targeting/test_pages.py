"""The inspect page by likely under-declaration: the mode, the budget, the reasons in plain
words (vi and en), the areas' unbiased rates, the fallback with its message, tenancy, the random
share setting, and planned visits carrying the random-pick marker."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from riskapp import clock
from riskapp.db import db
from riskapp.models import InspectionVisit, Province
from tests.targeting.conftest import enterprise_name


def _page(client, lang="en", **args):
    client.get(f"/lang/{lang}")
    response = client.get("/province/inspect", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_likely_under_declaration_is_the_default_with_reasons(app, world, login_as, history):
    html = _page(login_as(world.a.viewer))
    assert 'value="likely" checked' in html
    assert "Audits in Manufacturing (C) found a worse grade" in html
    assert "(3 of 4)" in html
    assert "Picked at random for this area's unbiased rate" in html
    assert "Misdeclaration by area (random picks only)" in html


def test_without_a_random_share_the_likeliest_lead(app, world, login_as, history):
    with app.app_context():
        db.session.get(Province, world.a.province.id).random_share = 0.0
        db.session.commit()
    html = _page(login_as(world.a.viewer))
    assert "Picked at random" not in html.split("Misdeclaration by area")[0]
    places = {e: html.index(enterprise_name(app, e))
              for e in history.manufacturers + history.traders}
    assert max(places[e] for e in history.manufacturers) < min(
        places[e] for e in history.traders)


def test_the_page_in_vietnamese(app, world, login_as, history):
    html = _page(login_as(world.a.viewer), "vi")
    assert "Khả năng khai thấp hơn thực tế" in html
    assert "Chọn ngẫu nhiên" in html


def test_the_budget_bounds_the_list(app, world, login_as, history):
    html = _page(login_as(world.a.admin), budget=3)
    assert html.count('name="enterprise"') == 3
    assert "Plan these visits" in html


def test_declared_mode_is_todays_ranking(app, world, login_as, history):
    html = _page(login_as(world.a.viewer), mode="declared")
    assert 'value="declared" checked' in html
    assert "Assessed enterprises ranked by final grade" in html


def test_too_little_history_falls_back_with_the_message(app, world, login_as):
    html = _page(login_as(world.a.viewer))
    assert "Only 0 audited assessments so far: at least 30 are needed" in html
    assert 'value="declared" checked' in html
    assert 'value="likely" disabled' in html or "disabled" in html


def test_another_province_sees_nothing_of_this_history(app, world, login_as, history):
    html = _page(login_as(world.b.admin))
    for enterprise_id in history.manufacturers + history.traders:
        assert enterprise_name(app, enterprise_id) not in html
    assert "Only 0 audited assessments" in html


def test_planning_from_the_page_records_the_random_marker(app, world, login_as, history):
    client = login_as(world.a.admin)
    picked, targeted = history.random_picks[0], history.manufacturers[1]
    day = clock.today(world.a.province.timezone) + timedelta(days=2)
    form = client.get("/province/visits/plan", query_string={
        "enterprise": [picked, targeted], "random": [picked]}).get_data(as_text=True)
    assert f'name="random" value="{picked}"' in form
    assert f'name="random" value="{targeted}"' not in form
    response = client.post("/province/visits/plan", data={
        "enterprise": [str(picked), str(targeted)], "random": [str(picked)],
        "auditor_id": str(world.a.auditor.id), "planned_on": day.isoformat()})
    assert response.status_code == 302
    with app.app_context():
        planned = dict(db.session.execute(select(
            InspectionVisit.enterprise_id, InspectionVisit.at_random)
            .where(InspectionVisit.planned_on == day)).all())
    assert planned == {picked: True, targeted: False}


def test_a_random_marker_without_its_enterprise_is_ignored(app, world, login_as, history):
    client = login_as(world.a.admin)
    day = clock.today(world.a.province.timezone) + timedelta(days=2)
    client.post("/province/visits/plan", data={
        "enterprise": [str(history.manufacturers[1])], "random": [str(history.traders[0])],
        "auditor_id": str(world.a.auditor.id), "planned_on": day.isoformat()})
    with app.app_context():
        marked = db.session.scalars(select(InspectionVisit.enterprise_id).where(
            InspectionVisit.planned_on == day, InspectionVisit.at_random.is_(True))).all()
    assert marked == []


def test_the_province_admin_sets_the_random_share(app, world, login_as):
    client = login_as(world.a.admin)
    client.get("/lang/en")
    page = client.get("/province/reviews/settings").get_data(as_text=True)
    assert 'name="percent"' in page and 'value="10"' in page
    response = client.post("/province/inspect/random-share", data={"percent": "25"})
    assert response.status_code == 302
    client.post("/province/inspect/random-share", data={"percent": "150"})
    with app.app_context():
        assert db.session.get(Province, world.a.province.id).random_share == 0.25
        assert db.session.get(Province, world.b.province.id).random_share == 0.1


def test_only_the_province_admin_sets_the_share(app, world, login_as):
    for user in (world.a.viewer, world.a.area_admin, world.a.auditor):
        client = login_as(user)
        assert client.post("/province/inspect/random-share",
                           data={"percent": "50"}).status_code == 404
    with app.app_context():
        assert db.session.get(Province, world.a.province.id).random_share == 0.1
