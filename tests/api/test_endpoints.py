"""API endpoints: happy paths, tenant reach, problem+json, paging, the draft → submit flow."""

from __future__ import annotations

import pytest

from riskapp.db import db
from riskapp.reports import services as report_services
from tests import factories
from tests.api.helpers import bearer, make_token

PROBLEM = "application/problem+json"


@pytest.fixture
def submitted(app, world):
    """A submitted assessment in each province: (own id, foreign id)."""
    with app.test_request_context():
        own = factories.submit_assessment(world.a.enterprise, world.a.officer)
        foreign = factories.submit_assessment(world.b.enterprise, world.b.officer)
        db.session.commit()
        return own.id, foreign.id


@pytest.fixture
def officer(app, world):
    return bearer(make_token(app, world.a.officer))


@pytest.fixture
def admin(app, world):
    return bearer(make_token(app, world.a.admin))


def test_openapi_document_is_public_and_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "/assessments/{assessment_id}/submit" in doc["paths"]


def test_enterprises_are_scoped_and_filtered(client, world, officer, admin):
    own = client.get("/api/v1/enterprises", headers=officer).json
    assert [e["id"] for e in own["items"]] == [world.a.enterprise.id]
    listed = client.get("/api/v1/enterprises", headers=admin).json
    assert {e["id"] for e in listed["items"]} == {world.a.enterprise.id,
                                                 world.a.enterprise_elsewhere.id}
    by_area = client.get(f"/api/v1/enterprises?area_id={world.a.district.id}", headers=admin)
    assert [e["id"] for e in by_area.json["items"]] == [world.a.enterprise.id]
    by_industry = client.get("/api/v1/enterprises?industry=C&grade=none", headers=admin).json
    assert world.a.enterprise_elsewhere.id in {e["id"] for e in by_industry["items"]}
    detail = client.get(f"/api/v1/enterprises/{world.a.enterprise.id}", headers=officer)
    assert detail.json["tax_code"] == world.a.enterprise.tax_code
    assert "Đông Hòa" in detail.json["area_path"]


def test_bad_filter_is_a_400_problem_listing_the_parameter(client, admin):
    response = client.get("/api/v1/enterprises?grade=purple&per_page=500", headers=admin)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json["errors"][0]["field"] == "grade"


def test_pagination_pages_and_links(app, client, world, admin):
    with app.app_context():
        for n in range(3):
            factories.make_enterprise(world.a.commune, f"280000009{n}", f"Công ty {n}")
        db.session.commit()
    first = client.get("/api/v1/enterprises?per_page=2", headers=admin)
    body = first.json
    assert (body["page"], body["per_page"], body["total"], len(body["items"])) == (1, 2, 5, 2)
    assert 'rel="next"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]
    last = client.get("/api/v1/enterprises?per_page=2&page=3", headers=admin)
    assert len(last.json["items"]) == 1 and 'rel="next"' not in last.headers["Link"]
    seen = {e["id"] for p in (1, 2, 3) for e in client.get(
        f"/api/v1/enterprises?per_page=2&page={p}", headers=admin).json["items"]}
    assert len(seen) == 5


def test_checklists_list_and_definition(client, officer):
    items = client.get("/api/v1/checklists", headers=officer).json["items"]
    default = next(i for i in items if i["shipped"])
    assert default["active"] is True
    detail = client.get(f"/api/v1/checklists/{default['key']}/{default['version']}",
                        headers=officer)
    assert detail.status_code == 200
    assert detail.json["definition"]["items"]
    assert client.get("/api/v1/checklists/unknown/1", headers=officer).status_code == 404


def test_draft_answers_submit_result_flow(client, officer):
    started = client.post("/api/v1/assessments", headers=officer)
    assert started.status_code == 201
    draft = started.json
    assert draft["status"] == "draft" and draft["lock_version"] == 1
    again = client.post("/api/v1/assessments", headers=officer)
    assert again.status_code == 200 and again.json["id"] == draft["id"]

    url = f"/api/v1/assessments/{draft['id']}"
    half = dict(list(factories.ANSWERS.items())[:5])
    saved = client.patch(url + "/answers", headers=officer,
                         json={"answers": half, "declared": {"confirmed_case_14d": False},
                               "lock_version": 1})
    assert saved.status_code == 200 and saved.json["lock_version"] == 2
    assert saved.json["answers"] == half

    refused = client.post(url + "/submit", headers=officer, json={})
    assert refused.status_code == 422
    assert refused.headers["Content-Type"] == PROBLEM
    missing = {e["item_id"] for e in refused.json["errors"]} - {None}
    assert missing and missing <= set(factories.ANSWERS) - set(half)
    assert all(e["code"] and e["message"] for e in refused.json["errors"])

    rest = {k: v for k, v in factories.ANSWERS.items() if k not in half}
    assert client.patch(url + "/answers", headers=officer,
                        json={"answers": rest, "lock_version": 2}).status_code == 200
    done = client.post(url + "/submit", headers=officer, json={"submit_token": "tok-1"})
    assert done.status_code == 200 and done.json["status"] == "submitted"
    assert done.json["grade"] is not None

    result = client.get(url + "/result", headers=officer).json
    assert result["result"]["grade"] == done.json["grade"]
    assert result["result"]["remediation"]


def test_double_submit_lands_once(app, client, officer, world):
    draft = client.post("/api/v1/assessments", headers=officer).json
    url = f"/api/v1/assessments/{draft['id']}"
    client.patch(url + "/answers", headers=officer,
                 json={"answers": factories.ANSWERS, "lock_version": 1})
    first = client.post(url + "/submit", headers=officer, json={"submit_token": "same"})
    second = client.post(url + "/submit", headers=officer, json={"submit_token": "same"})
    third = client.post(url + "/submit", headers=officer)
    assert first.status_code == second.status_code == third.status_code == 200
    assert first.json["id"] == second.json["id"] == third.json["id"]
    listed = client.get("/api/v1/assessments?status=submitted", headers=officer).json
    assert listed["total"] == 1
    actions = client.get(f"/api/v1/actions?assessment_id={draft['id']}", headers=officer).json
    positions = [a["position"] for a in actions["items"]]
    assert positions == sorted(set(positions))  # one set of actions, not two


def test_stale_lock_version_is_409_and_saves_nothing(client, officer):
    draft = client.post("/api/v1/assessments", headers=officer).json
    url = f"/api/v1/assessments/{draft['id']}/answers"
    assert client.patch(url, headers=officer,
                        json={"answers": {"ORG-1": "yes"}, "lock_version": 1}).status_code == 200
    stale = client.patch(url, headers=officer, json={"answers": {"ORG-1": "no"},
                                                     "lock_version": 1})
    assert stale.status_code == 409
    assert stale.headers["Content-Type"] == PROBLEM
    assert stale.json["lock_version"] == 2
    current = client.get(f"/api/v1/assessments/{draft['id']}", headers=officer).json
    assert current["answers"]["ORG-1"] == "yes"


def test_answers_body_problems_are_all_listed(client, officer):
    draft = client.post("/api/v1/assessments", headers=officer).json
    url = f"/api/v1/assessments/{draft['id']}/answers"
    response = client.patch(url, headers=officer, json={
        "answers": {"NOPE-1": "yes", "ORG-1": True}, "declared": {"x": 1}})
    assert response.status_code == 422
    codes = {(e["code"], e["item_id"] or e["field"]) for e in response.json["errors"]}
    assert {("unknown_item", "NOPE-1"), ("invalid_type", "ORG-1"),
            ("unknown_field", "declared.x"), ("required", "lock_version")} <= codes
    bad_json = client.patch(url, headers={**officer, "Content-Type": "application/json"},
                            data="{not json")
    assert bad_json.status_code == 400 and bad_json.headers["Content-Type"] == PROBLEM


def test_submitted_assessment_cannot_be_patched(client, officer, submitted):
    own, _foreign = submitted
    response = client.patch(f"/api/v1/assessments/{own}/answers", headers=officer,
                            json={"answers": {}, "lock_version": 1})
    assert response.status_code == 409


def test_cross_tenant_objects_answer_404(client, world, officer, admin, submitted):
    _own, foreign = submitted
    actions = client.get("/api/v1/actions", headers=admin).json["items"]
    assert actions and all(a["enterprise_id"] == world.a.enterprise.id for a in actions)
    for headers in (officer, admin):
        for path in (f"/api/v1/enterprises/{world.b.enterprise.id}",
                     f"/api/v1/assessments/{foreign}",
                     f"/api/v1/assessments/{foreign}/result",
                     f"/api/v1/assessments/{foreign}/report.pdf"):
            response = client.get(path, headers=headers)
            assert response.status_code == 404, path
            assert response.headers["Content-Type"] == PROBLEM
    assert client.patch(f"/api/v1/assessments/{foreign}/answers", headers=officer,
                        json={"lock_version": 1}).status_code == 404
    assert client.post(f"/api/v1/assessments/{foreign}/submit", headers=officer).status_code \
        == 404
    foreign_action = client.get(
        "/api/v1/actions", headers=bearer_for_b(client, world)).json["items"][0]["id"]
    assert client.patch(f"/api/v1/actions/{foreign_action}", headers=officer,
                        json={"status": "done"}).status_code == 404


def bearer_for_b(client, world):
    return bearer(make_token(client.application, world.b.officer))


def test_drafts_are_hidden_from_province_staff(client, officer, admin):
    draft = client.post("/api/v1/assessments", headers=officer).json
    assert client.get(f"/api/v1/assessments/{draft['id']}", headers=admin).status_code == 404
    assert client.get(f"/api/v1/assessments/{draft['id']}", headers=officer).status_code == 200
    assert client.get(f"/api/v1/assessments/{draft['id']}/result",
                      headers=officer).status_code == 404


def test_officer_only_routes_are_404_for_other_roles(client, admin, submitted):
    own, _foreign = submitted
    assert client.post("/api/v1/assessments", headers=admin).status_code == 404
    assert client.post(f"/api/v1/assessments/{own}/submit", headers=admin).status_code == 404


def test_actions_update_and_locks(app, client, officer, submitted):
    own, _foreign = submitted
    items = client.get(f"/api/v1/actions?assessment_id={own}&status=open",
                       headers=officer).json["items"]
    action = items[0]
    changed = client.patch(f"/api/v1/actions/{action['id']}", headers=officer,
                           json={"status": "done", "owner": "Phạm Văn Hải", "note": "Đã xong"})
    assert changed.status_code == 200
    assert (changed.json["status"], changed.json["owner"]) == ("done", "Phạm Văn Hải")
    assert changed.json["completed_at"] is not None
    bad = client.patch(f"/api/v1/actions/{action['id']}", headers=officer,
                       json={"status": "verified", "due_on": "soon"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json["errors"]} == {"status", "due_on"}
    with app.app_context():
        from riskapp.models import ActionStatus, RemediationAction

        db.session.get(RemediationAction, action["id"]).status = ActionStatus.VERIFIED
        db.session.commit()
    locked = client.patch(f"/api/v1/actions/{action['id']}", headers=officer, json={})
    assert locked.status_code == 409


def test_report_pdf_with_etag(client, officer, submitted):
    own, _foreign = submitted
    response = client.get(f"/api/v1/assessments/{own}/report.pdf", headers=officer)
    if response.status_code == 202:  # rendered by the inline job once the request committed
        assert response.headers["Retry-After"]
        response = client.get(f"/api/v1/assessments/{own}/report.pdf", headers=officer)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    etag = response.headers["ETag"]
    cached = client.get(f"/api/v1/assessments/{own}/report.pdf",
                        headers={**officer, "If-None-Match": etag})
    assert cached.status_code == 304


def test_report_pending_answers_202_with_retry_after(app, client, officer, world, held_work):
    with app.test_request_context():
        app.config["REPORTS_AUTORENDER"] = False
        app.config["JOBS_INLINE"], inline = False, app.config["JOBS_INLINE"]
        try:
            own = factories.submit_assessment(world.a.enterprise, world.a.officer)
            db.session.commit()
            own_id = own.id
        finally:
            app.config["REPORTS_AUTORENDER"] = True
            app.config["JOBS_INLINE"] = inline
    response = client.get(f"/api/v1/assessments/{own_id}/report.pdf", headers=officer)
    assert response.status_code == 202
    assert response.headers["Retry-After"] == "5"
    assert response.json["status"] == "pending"
    assert [task for task, _args in held_work.tasks()] == [report_services.RENDER_TASK]


def test_province_summary(client, world, admin, submitted):
    body = client.get("/api/v1/province/summary", headers=admin).json
    assert body["headline"]["total"] == 2
    assert sum(body["headline"]["by_grade"].values()) == 1
    assert {row["area_id"] for row in body["by_area"]} >= {world.a.district.id}
    foreign_area = client.get(f"/api/v1/province/summary?area_id={world.b.district.id}",
                              headers=admin)
    assert foreign_area.status_code == 404


def test_method_not_allowed_and_unknown_path_are_problems(client, officer):
    response = client.delete("/api/v1/enterprises", headers=officer)
    assert response.status_code == 405
    assert response.headers["Content-Type"] == PROBLEM and "GET" in response.headers["Allow"]
    missing = client.get("/api/v1/nowhere", headers=officer)
    assert missing.status_code == 404 and missing.json["status"] == 404


def test_body_too_large_is_413_problem(app, client, officer):
    draft = client.post("/api/v1/assessments", headers=officer).json
    limit, app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"], 100
    try:
        response = client.patch(f"/api/v1/assessments/{draft['id']}/answers", headers=officer,
                                json={"answers": {"ORG-1": "x" * 500}, "lock_version": 1})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert response.headers["Content-Type"] == PROBLEM


def test_rate_limit_is_429_problem(dedicated_app, world):
    limited = dedicated_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute")
    token = bearer(make_token(limited, world.a.officer))
    client = limited.test_client()
    statuses = [client.get("/api/v1/checklists", headers=token).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    last = client.get("/api/v1/checklists", headers=token)
    assert last.headers["Content-Type"] == PROBLEM


def test_auditor_reaches_only_assigned_areas(app, client, world):
    with app.test_request_context():
        inside = factories.submit_assessment(world.a.enterprise, world.a.officer).id
        outside = factories.submit_assessment(world.a.enterprise_elsewhere, world.a.officer).id
        db.session.commit()
    auditor = bearer(make_token(app, world.a.auditor))
    listed = client.get("/api/v1/enterprises", headers=auditor).json["items"]
    assert [e["id"] for e in listed] == [world.a.enterprise.id]
    assert client.get(f"/api/v1/assessments/{inside}", headers=auditor).status_code == 200
    for path in (f"/api/v1/enterprises/{world.a.enterprise_elsewhere.id}",
                 f"/api/v1/assessments/{outside}", f"/api/v1/assessments/{outside}/result"):
        assert client.get(path, headers=auditor).status_code == 404, path
    summary = client.get("/api/v1/province/summary", headers=auditor).json
    assert summary["headline"]["total"] == 1


def test_nul_characters_are_a_clear_problem_and_change_nothing(client, officer, submitted):
    """PostgreSQL text cannot hold U+0000: the API names the field instead of failing."""
    own, _foreign = submitted
    action = client.get(f"/api/v1/actions?assessment_id={own}", headers=officer).json["items"][0]
    refused = client.patch(f"/api/v1/actions/{action['id']}", headers=officer,
                           json={"owner": "Phạm\x00Hải", "note": "Đã xong"})
    assert refused.status_code == 422
    assert refused.headers["Content-Type"] == PROBLEM
    assert [(e["field"], e["code"]) for e in refused.json["errors"]] == [("owner", "nul_character")]
    after = client.get(f"/api/v1/actions?assessment_id={own}", headers=officer).json["items"][0]
    assert after["owner"] == action["owner"] and after["note"] == action["note"]

    draft = client.post("/api/v1/assessments", headers=officer).json
    nested = client.patch(f"/api/v1/assessments/{draft['id']}/answers", headers=officer,
                          json={"answers": {"ORG-1": "yes", "ORG-2": "n\x00o"},
                                "lock_version": draft["lock_version"]})
    assert nested.status_code == 422
    assert nested.json["errors"][0]["field"] == "answers.ORG-2"

    in_query = client.get("/api/v1/enterprises?industry=C%00", headers=officer)
    assert in_query.status_code == 400
    assert in_query.headers["Content-Type"] == PROBLEM


def test_nul_in_a_page_address_is_a_400_page(login_as, world):
    response = login_as(world.a.admin).get("/province/enterprises?q=x%00y")
    assert response.status_code == 400
    assert b"Traceback" not in response.data
