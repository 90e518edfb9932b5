"""'My data': the person's own data as JSON, nothing of anyone else's, no secret."""

from __future__ import annotations

import json

from riskapp.api import tokens
from riskapp.db import db
from riskapp.models import AuditLog, AuditLogPersonal, Notification, User
from tests.audit.support import submitted


def test_my_data_holds_my_profile_submissions_messages_and_tokens_only(app, world, login_as):
    officer = world.a.officer
    assessment_id = submitted(app, world.a.enterprise, officer)
    with app.test_request_context():
        me = db.session.get(User, officer.id)
        me.phone = "84912345678"
        made = tokens.create_token(me, "script", ["read"], 30)
        db.session.add(Notification(user_id=officer.id, province_id=me.province_id,
                                    kind="reminder", dedup_key="mine", subject="Của tôi",
                                    body="Nội dung"))
        db.session.add(Notification(user_id=world.a.auditor.id, province_id=me.province_id,
                                    kind="reminder", dedup_key="theirs", subject="Của người khác",
                                    body="Khác"))
        # An admin's entry that names the officer: the officer's export does not carry it.
        db.session.add(AuditLog(action="user_invited", user_id=world.a.admin.id,
                                object_type="user", object_id=str(officer.id),
                                personal=AuditLogPersonal(user_email=world.a.admin.email,
                                                          subject_email=officer.email)))
        db.session.commit()
        secret = made.secret
    client = login_as(officer)
    response = client.get("/account/privacy/my-data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'"my-data-{officer.id}.json"')
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    profile = data["profile"]
    assert (profile["email"], profile["phone"]) == (officer.email, "84912345678")
    assert profile["role"] == "officer" and profile["enterprise"]["tax_code"] == "2800000001"
    assert [s["id"] for s in data["submissions"]] == [assessment_id]
    assert data["submissions"][0]["grade"]
    assert [n["subject"] for n in data["notifications"]] == ["Của tôi"]
    assert [t["name"] for t in data["api_tokens"]] == ["script"]
    assert {e["action"] for e in data["audit_entries"]} >= {"login"}
    raw = response.get_data(as_text=True)
    for foreign in (secret, "token_hash", world.a.admin.email, world.a.auditor.email,
                    "Của người khác", world.b.officer.email):
        assert foreign not in raw


def test_an_admin_exports_a_user_of_their_province_only(app, world, login_as):
    client = login_as(world.a.admin)
    own = client.get(f"/admin/users/{world.a.auditor.id}/data.json")
    assert own.status_code == 200
    data = json.loads(own.data)
    assert data["profile"]["email"] == world.a.auditor.email
    assert data["profile"]["areas"] == [world.a.district.name]
    assert client.get(f"/admin/users/{world.b.auditor.id}/data.json").status_code == 404
    assert login_as(world.a.area_admin).get(
        f"/admin/users/{world.a.auditor.id}/data.json").status_code == 404
