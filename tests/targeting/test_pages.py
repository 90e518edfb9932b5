"""The inspect page by likely under-declaration: the mode, the budget, the reasons in plain
words (vi and en), the areas' unbiased rates, the fallback with its message, tenancy, the random
share setting, and planned visits carrying the random-pick marker."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from riskapp import clock
from riskapp.db import db
from riskapp.models import InspectionVisit, Province
from riskapp.targeting import services
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


def _token(app, picks, province_id) -> str:
    with app.test_request_context():
        return services.sign_random_picks(picks, province_id)


def test_planning_from_the_page_records_the_random_marker(app, world, login_as, history):
    client = login_as(world.a.admin)
    picked, targeted = history.random_picks[0], history.manufacturers[1]
    token = _token(app, [picked], world.a.province.id)
    day = clock.today(world.a.province.timezone) + timedelta(days=2)
    form = client.get("/province/visits/plan", query_string={
        "enterprise": [picked, targeted], "random_token": token}).get_data(as_text=True)
    assert f'name="random_token" value="{token}"' in form
    assert form.count("picked at random") == 1
    response = client.post("/province/visits/plan", data={
        "enterprise": [str(picked), str(targeted)], "random_token": token,
        "auditor_id": str(world.a.auditor.id), "planned_on": day.isoformat()})
    assert response.status_code == 302
    with app.app_context():
        planned = dict(db.session.execute(select(
            InspectionVisit.enterprise_id, InspectionVisit.at_random)
            .where(InspectionVisit.planned_on == day)).all())
    assert planned == {picked: True, targeted: False}


def test_the_page_signs_its_random_picks(app, world, login_as, history):
    """The plan form carries the page's signed draw: exactly the rows shown as random."""
    html = _page(login_as(world.a.admin))
    token = html.split('name="random_token" value="')[1].split('"')[0]
    with app.test_request_context():
        picks = services.random_picks(token, world.a.province.id)
    assert picks and html.count("Picked at random for this area") == len(picks)


def test_a_forged_or_foreign_random_marker_counts_for_nothing(app, world, login_as, history):
    """Only the page's signed draw marks a visit random: a plain list, a tampered token, another
    province's token, or a pick without its enterprise are all ignored."""
    client = login_as(world.a.admin)
    day = clock.today(world.a.province.timezone) + timedelta(days=2)
    one, two, three, four = history.manufacturers[1:4] + history.traders[1:2]
    good = _token(app, [two], world.a.province.id)
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    attempts = ((one, {"random": [str(one)]}),
                (two, {"random_token": tampered}),
                (three, {"random_token": _token(app, [three], world.b.province.id)}),
                (four, {"random_token": _token(app, [history.traders[0]], world.a.province.id)}))
    for enterprise_id, forged in attempts:
        answer = client.post("/province/visits/plan", data={
            "enterprise": [str(enterprise_id)], "auditor_id": str(world.a.auditor.id),
            "planned_on": day.isoformat(), **forged})
        assert answer.status_code == 302
    with app.app_context():
        planned = dict(db.session.execute(select(
            InspectionVisit.enterprise_id, InspectionVisit.at_random)
            .where(InspectionVisit.planned_on == day)).all())
    assert planned == {one: False, two: False, three: False, four: False}


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
