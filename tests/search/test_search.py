"""Search by name or tax code: diacritic-insensitive both ways, tax code prefix, in the lists."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from riskapp import search
from riskapp.db import db
from riskapp.filters import Filters, enterprises
from riskapp.models import Enterprise
from riskapp.tenancy import scope_for
from tests import factories


@pytest.fixture
def named(app, world):
    """Enterprises of province A with and without diacritics in their names."""
    with app.app_context():
        commune = db.session.get(type(world.a.commune), world.a.commune.id)
        factories.make_enterprise(commune, "2800123456", "Công ty Gạch Hoằng Hóa")
        factories.make_enterprise(commune, "2800123457-001", "Nha may hoang long")
        factories.make_enterprise(commune, "2811111111", "Đường Lam Sơn 100%_a")
        db.session.commit()
    return world


def _names(scope, text) -> set[str]:
    rows = db.session.execute(enterprises(Filters(q=text), scope, None, Enterprise.name))
    return {name for (name,) in rows}


def test_fold_rule_is_reading_order():
    assert search.phrase("  Hoằng   HÓA ") == "hoang hoa"
    assert search.matches("Xã Hoằng Đạo", "hoang dao")
    assert search.matches("Xa Hoang Dao", "Hoằng Đạo")
    assert not search.matches("Xã Hoằng Đạo", "hoang hoa")
    assert not search.matches("Hoằng Đạo", "oang")  # from the start of a word
    assert not search.matches("Hoằng Đạo", "")
    assert search.clean_query("   ") is None


@pytest.mark.parametrize("text, expected", [
    ("hoang hoa", {"Công ty Gạch Hoằng Hóa"}),
    ("HOÀNG", {"Công ty Gạch Hoằng Hóa", "Nha may hoang long"}),  # accents typed, none stored
    ("Hoằng", {"Công ty Gạch Hoằng Hóa", "Nha may hoang long"}),
    ("gach hoang h", {"Công ty Gạch Hoằng Hóa"}),  # still typing
    ("hoang long", {"Nha may hoang long"}),
    ("duong lam", {"Đường Lam Sơn 100%_a"}),
    ("100%", {"Đường Lam Sơn 100%_a"}),  # LIKE wildcards are plain characters
    ("hóa", {"Công ty Gạch Hoằng Hóa", "Công ty May Đông Hòa TH", "Nha may hoang long"}),
    ("oa", set()),  # from the start of a word
    ("0_%", set()),  # would match as a LIKE pattern
    ("hoang xyz", set()),
])
def test_names_match_without_diacritics_both_ways(app, named, text, expected):
    with app.test_request_context():
        assert _names(scope_for(named.a.admin), text) == expected


def test_decomposed_names_match(app, world):
    import unicodedata
    with app.app_context():
        commune = db.session.get(type(world.a.commune), world.a.commune.id)
        factories.make_enterprise(commune, "2800999999", unicodedata.normalize("NFD", "Hợp Tiến"))
        db.session.commit()
    with app.test_request_context():
        assert len(_names(scope_for(world.a.admin), "hop tien")) == 1


def test_tax_code_prefix(app, named):
    with app.test_request_context():
        scope = scope_for(named.a.admin)
        assert _names(scope, "2800123") == {"Công ty Gạch Hoằng Hóa", "Nha may hoang long"}
        assert _names(scope, "2800123457-0") == {"Nha may hoang long"}
        # A prefix only: the middle of a tax code does not match.
        assert _names(scope, "0123456") == set()


def test_search_stays_in_reach(app, named):
    with app.test_request_context():
        # Province B's enterprises have tax codes 29…; A's admin never sees them.
        assert _names(scope_for(named.a.admin), "29") == set()
        assert _names(scope_for(named.b.admin), "Nghi Son") == {"Xi măng Nghi Sơn NA"}
        # The auditor of A sees only the district's enterprises.
        assert _names(scope_for(named.a.auditor), "nghi son") == set()
        assert "Công ty May Đông Hòa TH" in _names(scope_for(named.a.auditor), "dong hoa")


def test_province_list_and_audit_list_search(client, named, login_as):
    login_as(named.a.viewer)
    page = client.get("/province/enterprises?q=hoang+hoa").get_data(as_text=True)
    assert "Công ty Gạch Hoằng Hóa" in page and "Xi măng Nghi Sơn" not in page
    assert 'name="q"' in page and 'value="hoang hoa"' in page
    csv = client.get("/province/export/enterprises.csv?q=2800123").get_data(as_text=True)
    assert "2800123456" in csv and "2800000002" not in csv
    login_as(named.a.auditor)
    page = client.get("/audit/?q=DONG+HOA").get_data(as_text=True)
    assert "Công ty May Đông Hòa TH" in page


def test_fold_in_sql_equals_reading_order(app, named):
    from riskapp.territory import reading_order
    with app.app_context():
        rows = db.session.execute(select(Enterprise.name, search.folded(Enterprise.name))).all()
        assert rows and all(folded == reading_order(name) for name, folded in rows)


# --- the invitation form's enterprise picker ----------------------------------------------------

def test_suggestions_search_and_never_cross_tenants(client, named, login_as):
    login_as(named.a.admin)
    found = client.get("/admin/users/enterprises.json?q=hoang+hoa").get_json()
    assert [item["name"] for item in found["items"]] == ["Công ty Gạch Hoằng Hóa"]
    assert found["items"][0]["tax_code"] == "2800123456" and found["total"] == 5
    # Province B's enterprise, by its name or its tax code: not there.
    for text in ("Xi măng Nghi Sơn NA", "xi mang", "2900000002", "29"):
        items = client.get(f"/admin/users/enterprises.json?q={text}").get_json()["items"]
        assert all(item["name"] != "Xi măng Nghi Sơn NA" for item in items)
    assert client.get("/admin/users/enterprises.json?q=29").get_json()["items"] == []
    everything = client.get("/admin/users/enterprises.json").get_json()["items"]
    assert len(everything) == 5 and "Xi măng Nghi Sơn TH" in {i["name"] for i in everything}
    login_as(named.b.admin)
    names = {i["name"] for i in client.get("/admin/users/enterprises.json").get_json()["items"]}
    assert names == {"Công ty May Đông Hòa NA", "Xi măng Nghi Sơn NA"}
    login_as(named.a.viewer)
    assert client.get("/admin/users/enterprises.json?q=hoang").status_code == 404


def test_suggestions_are_capped(app, world, client, login_as):
    from riskapp.admin.services import PICKER_MATCHES

    with app.app_context():
        commune = db.session.get(type(world.a.commune), world.a.commune.id)
        for index in range(PICKER_MATCHES + 5):
            factories.make_enterprise(commune, f"28555{index:05d}", f"Hợp tác xã số {index}")
        db.session.commit()
    login_as(world.a.admin)
    found = client.get("/admin/users/enterprises.json?q=hop tac").get_json()
    assert len(found["items"]) == PICKER_MATCHES and found["total"] == PICKER_MATCHES + 7


def test_invitation_picker_without_javascript(app, client, named, login_as):
    from riskapp.models import User

    login_as(named.a.admin)
    form = {"role": "officer", "email": "moi@th.vn", "name": "Lê Văn Mới"}
    page = client.get("/admin/users/invite").get_data(as_text=True)
    assert 'name="enterprise_q"' in page and "<select id=\"enterprise_id\"" not in page
    # Search: the matches come back as radio buttons; nobody is invited yet.
    response = client.post("/admin/users/invite", data={**form, "enterprise_q": "HOANG",
                                                         "find": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Lê Văn Mới" in page
    assert page.count('type="radio" name="enterprise_id"') == 2
    assert "Công ty Gạch Hoằng Hóa" in page and "Xi măng Nghi Sơn TH" not in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "moi@th.vn")) is None
        chosen = db.session.scalar(select(Enterprise.id).where(Enterprise.tax_code == "2800123456"))
    # Choose one and send: the officer belongs to it.
    response = client.post("/admin/users/invite", data={**form, "enterprise_q": "HOANG",
                                                         "enterprise_id": chosen})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "moi@th.vn"))
        assert user.enterprise_id == chosen


def test_invitation_picker_keeps_the_choice_and_refuses_foreign_ids(app, client, named, login_as):
    login_as(named.a.admin)
    form = {"role": "officer", "email": "x@th.vn", "name": "X"}
    # The chosen enterprise stays listed (and chosen) when the next search does not match it.
    page = client.post("/admin/users/invite", data={
        **form, "enterprise_q": "xi mang", "enterprise_id": named.a.enterprise.id, "find": "1",
    }).get_data(as_text=True)
    assert f'value="{named.a.enterprise.id}" checked' in page
    assert "Xi măng Nghi Sơn TH" in page
    # Another province's enterprise, as a chosen id: neither listed nor accepted.
    page = client.post("/admin/users/invite", data={
        **form, "enterprise_q": "", "enterprise_id": named.b.enterprise.id, "find": "1",
    }).get_data(as_text=True)
    assert named.b.enterprise.name not in page
    assert client.post("/admin/users/invite", data={
        **form, "enterprise_id": named.b.enterprise.id}).status_code == 404


# --- areas --------------------------------------------------------------------------------------

def test_area_search_folds_and_stays_in_reach(app, client, world, login_as):
    from riskapp.models import Province

    with app.app_context():
        province = db.session.get(Province, world.a.province.id)
        district = factories.make_area(province, "Huyện Hoằng Hóa")
        commune = factories.make_area(province, "Xã Hoằng Đạo", parent=district,
                                      kind=factories.AreaKind.COMMUNE)
        ids = district.id, commune.id
        db.session.commit()
    login_as(world.a.admin)
    found = client.get("/search/areas.json?q=hoang dao").get_json()
    assert found == {"matches": [ids[1]], "above": [ids[0]]}
    assert client.get("/search/areas.json?q=HOẰNG").get_json()["matches"] == list(ids)
    assert client.get("/search/areas.json?q=dong son NA").get_json()["matches"] == []
    # The auditor of "Huyện Đông Sơn TH" finds its commune, not areas outside the district.
    login_as(world.a.auditor)
    assert client.get("/search/areas.json?q=hoang").get_json()["matches"] == []
    assert client.get("/search/areas.json?q=xa dong hoa").get_json() == {
        "matches": [world.a.commune.id], "above": [world.a.district.id]}
    page = client.get("/audit/").get_data(as_text=True)
    assert 'data-area-search="area_id"' in page and "js/area_search.js" in page


def test_the_api_enterprise_list_searches_too(app, client, named):
    """GET /api/v1/enterprises?q= follows the same rule as the pages; too long is a 400."""
    from tests.api.helpers import bearer, make_token

    headers = bearer(make_token(app, named.a.admin))

    def names(**query):
        return {item["name"] for item in client.get(
            "/api/v1/enterprises", query_string=query, headers=headers).json["items"]}

    assert names(q="hoang hoa") == {"Công ty Gạch Hoằng Hóa"}
    assert names(q="2800123457") == {"Nha may hoang long"}
    assert len(names()) > 2
    too_long = client.get("/api/v1/enterprises", query_string={"q": "x" * 81}, headers=headers)
    assert too_long.status_code == 400
