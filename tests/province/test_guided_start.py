"""The guided start on the province dashboard (issue 14): a new province's set-up steps with their
counts and links, each turning ✓ when done, the card gone when all are; counted per province."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from riskapp import checklists, territory
from riskapp.db import db
from riskapp.models import AreaKind, AreaLevel, AuditorArea, Role, User
from riskapp.province import guided_start
from riskapp.tenancy import scope_for
from tests import factories

STEPS = ["territory", "checklist", "enterprises", "officers", "levels", "auditors"]
CARD = re.compile(r'<section class="card guided-start".*?</section>', re.S)
STEP = re.compile(r'data-step="(\w+)" data-done="(yes|no)">\s*'
                  r'<span class="start-mark">(.*?)</span>\s*<div class="start-body">(.*?)</div>',
                  re.S)


@pytest.fixture
def fresh(app, world):
    """A province just created next to the world's two busy ones: an admin and a viewer only."""
    with app.app_context():
        province = factories.make_province("HG", "Hà Giang")
        admin = factories.make_user("admin-hg@example.vn", Role.PROVINCE_ADMIN, province=province)
        viewer = factories.make_user("viewer-hg@example.vn", Role.PROVINCE_VIEWER,
                                     province=province)
        db.session.commit()
        return province, admin, viewer


def _card(client) -> dict[str, tuple[bool, str, str]] | None:
    """The dashboard's steps by key: (done, the mark's text, the body), or None without a card."""
    response = client.get("/province/")
    assert response.status_code == 200
    found = CARD.search(response.get_data(as_text=True))
    if found is None:
        return None
    steps = {key: (done == "yes", re.sub(r"<[^>]+>", "", mark).strip(), body)
             for key, done, mark, body in STEP.findall(found.group(0))}
    assert list(steps) == STEPS
    return steps


def _links(body: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', body)


def _steps(app, user) -> dict[str, guided_start.Step]:
    with app.test_request_context():
        start = guided_start.guided_start(scope_for(db.session.get(User, user.id)))
        return {step.key: step for step in start.steps}


def test_a_new_province_shows_zero_counts_and_where_to_start(client, fresh, login_as):
    _province, admin, _viewer = fresh
    login_as(admin)
    steps = _card(client)
    assert steps is not None
    assert {key: (done, mark) for key, (done, mark, _body) in steps.items()} == {
        "territory": (False, "0"), "checklist": (False, "0"), "enterprises": (False, "0"),
        "officers": (False, "0"), "levels": (False, "0"), "auditors": (False, "0"),
    }
    assert {key: _links(body) for key, (_d, _m, body) in steps.items()} == {
        "territory": ["/province/areas#maintenance"], "checklist": ["/province/checklists"],
        "enterprises": ["/province/imports"], "officers": ["/admin/users/invite"],
        "levels": ["/province/areas"], "auditors": ["/admin/users/invite"],
    }
    for _done, _mark, body in steps.values():
        for url in _links(body):
            assert client.get(url).status_code == 200, url


def test_each_step_turns_done_and_the_card_goes_when_all_are(app, client, fresh, login_as):
    province, admin, _viewer = fresh
    login_as(admin)
    with app.app_context():
        grouping = factories.make_area(province, "Cụm Bắc Quang", kind=AreaKind.GROUP, level=None)
        commune = factories.make_area(province, "Xã Vĩnh Tuy", parent=grouping,
                                      kind=AreaKind.COMMUNE, level=None)
        db.session.commit()
        grouping_id, commune_id = grouping.id, commune.id
    steps = _card(client)
    assert steps["territory"][:2] == (True, "✓Done")
    assert steps["levels"][:2] == (False, "0 of 2")

    with app.app_context():  # the grouping's level covers its commune
        db.session.add(AreaLevel(area_id=grouping_id, level=2, effective_from=date(2025, 7, 1)))
        version = checklists.default_version()
        checklists.activate(version, province.id, territory.province_today(province.id))
        commune = db.session.get(type(grouping), commune_id)
        enterprise = factories.make_enterprise(commune, "5100000001", "Công ty Chè Vĩnh Tuy")
        officer = factories.make_user("officer-hg@example.vn", Role.OFFICER, enterprise=enterprise)
        officer.password_hash = None  # invited, not accepted yet
        auditor = factories.make_user("auditor-hg@example.vn", Role.AUDITOR, province=province)
        db.session.commit()
        auditor_id = auditor.id
    steps = _card(client)
    done = {key: step[0] for key, step in steps.items()}
    assert done == {**dict.fromkeys(STEPS, True), "auditors": False}
    assert steps["auditors"][1] == "0 of 1"
    assert _links(steps["auditors"][2]) == ["/admin/users"]
    assert "Invitations not accepted yet: 1." not in steps["officers"][2]  # done: no to-do line

    with app.app_context():
        db.session.add(AuditorArea(user_id=auditor_id, area_id=commune_id))
        db.session.commit()
    assert _card(client) is None
    assert "Province dashboard" in client.get("/province/").get_data(as_text=True)


def test_a_pending_invitation_and_a_scheduled_checklist(app, client, fresh, login_as):
    province, admin, _viewer = fresh
    with app.app_context():
        area = factories.make_area(province, "Phường Hà Giang 1", kind=AreaKind.WARD)
        enterprise = factories.make_enterprise(area, "5100000002", "Công ty Thủy điện")
        officer = factories.make_user("pending-hg@example.vn", Role.OFFICER, enterprise=enterprise)
        officer.password_hash = None
        # Active only from tomorrow: today the province still uses the shipped default.
        checklists.activate(checklists.default_version(), province.id,
                            territory.province_today(province.id) + timedelta(days=1))
        db.session.commit()
    steps = _steps(app, admin)
    assert (steps["officers"].done, steps["officers"].pending) == (True, 1)
    assert (steps["checklist"].done, steps["checklist"].count) == (False, 0)


def test_other_provinces_never_count(app, world, fresh):
    province, admin, _viewer = fresh
    with app.app_context():
        # The busy province A: levels, a checklist, an auditor with areas (the world has them);
        # an auditor of the new province pointed at A's area is not assigned in it.
        checklists.activate(checklists.default_version(), world.a.province.id, date(2024, 1, 1))
        auditor = factories.make_user("auditor2-hg@example.vn", Role.AUDITOR, province=province)
        db.session.add(AuditorArea(user_id=auditor.id, area_id=world.a.district.id))
        db.session.commit()
    steps = _steps(app, admin)
    assert {key: (step.count, step.total) for key, step in steps.items()} == {
        "territory": (0, None), "checklist": (0, None), "enterprises": (0, None),
        "officers": (0, None), "levels": (0, None), "auditors": (0, 1),
    }
    busy = _steps(app, world.a.admin)
    assert (busy["territory"].count, busy["enterprises"].count, busy["officers"].count) == (3, 2, 1)
    assert (busy["auditors"].count, busy["auditors"].total) == (1, 1)
    assert (busy["levels"].count, busy["levels"].total) == (3, 3)


def test_a_viewer_sees_the_progress_without_forbidden_links(client, fresh, login_as):
    _province, _admin, viewer = fresh
    login_as(viewer)
    steps = _card(client)
    assert steps is not None and not any(done for done, _m, _b in steps.values())
    links = [url for _d, _m, body in steps.values() for url in _links(body)]
    # the areas page is theirs to read
    assert links == ["/province/areas#maintenance", "/province/areas"]
    for url in links:
        assert client.get(url).status_code == 200
    for step in ("checklist", "enterprises", "officers", "auditors"):
        assert _links(steps[step][2]) == []


def test_auditors_and_others_get_no_card(app, client, world, login_as):
    login_as(world.a.auditor)
    assert _card(client) is None
    with app.test_request_context():
        for user in (world.a.auditor, world.a.officer, world.platform_admin):
            assert guided_start.guided_start(scope_for(db.session.get(User, user.id))) is None


def test_the_steps_cost_few_queries(app, world):
    with app.test_request_context():
        scope = scope_for(db.session.get(User, world.a.admin.id))
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            guided_start.guided_start(scope)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 4, statements


def test_the_card_speaks_vietnamese(client, fresh, login_as):
    _province, admin, _viewer = fresh
    login_as(admin)
    client.get("/lang/vi")
    page = client.get("/province/").get_data(as_text=True)
    for words in ("Bắt đầu sử dụng", "Nhập danh sách doanh nghiệp", "Phân công cán bộ kiểm tra"):
        assert words in page
