"""The enterprise profile: what the officer may change, and what stays read-only."""

from __future__ import annotations

from riskapp.db import db
from riskapp.models import Enterprise


def test_profile_round_trips_vietnamese_and_keeps_registered_facts(app, world, officer):
    response = officer.post("/enterprise/profile", data={
        "name": "Công ty TNHH May mặc Đông Hòa",
        "address": "Số 12, đường Nguyễn Trãi, phường Điện Biên",
        "headcount": "1250", "has_canteen": "y", "has_dormitory": "y",
        "tax_code": "9999999999", "industry": "A",  # not fields of the form: ignored
    })
    assert response.status_code == 302
    with app.app_context():
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        assert enterprise.name == "Công ty TNHH May mặc Đông Hòa"
        assert enterprise.address == "Số 12, đường Nguyễn Trãi, phường Điện Biên"
        assert (enterprise.headcount, enterprise.has_canteen, enterprise.has_shuttle,
                enterprise.has_dormitory) == (1250, True, False, True)
        assert (enterprise.tax_code, enterprise.industry) == ("2800000001", "C")
    page = officer.get("/enterprise/profile").get_data(as_text=True)
    assert "Công ty TNHH May mặc Đông Hòa" in page and "2800000001" in page


def test_invalid_profile_keeps_input(app, world, officer):
    response = officer.post("/enterprise/profile", data={
        "name": "Công ty Ánh Dương", "address": "Thôn Đông", "headcount": "-5"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Công ty Ánh Dương"' in html and 'value="-5"' in html and 'class="error"' in html
    with app.app_context():
        assert db.session.get(Enterprise, world.a.enterprise.id).name == "Công ty May Đông Hòa TH"
