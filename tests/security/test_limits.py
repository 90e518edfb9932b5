"""Request size and rate limits: clear pages, never a traceback."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Assessment, Report
from tests import factories
from tests.conftest import login


def test_a_body_over_max_content_length_gets_the_413_page(dedicated_app, world):
    app = dedicated_app(MAX_CONTENT_LENGTH=4096)
    client = app.test_client()
    login(client, world.a.admin)
    upload = {"file": (io.BytesIO(b"x" * 10_000), "big.csv")}
    response = client.post("/province/imports", data=upload, content_type="multipart/form-data")
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "The file is too large" in body and "Traceback" not in body


def test_max_content_length_is_set_by_default(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 64 * 1024 * 1024


@pytest.mark.parametrize("path", ["/province/export/enterprises.csv",
                                  "/province/export/tables.xlsx"])
def test_exports_are_rate_limited_per_user(dedicated_app, world, path):
    app = dedicated_app(RATELIMIT_ENABLED=True, COSTLY_RATE_LIMIT="2 per minute")
    client = app.test_client()
    login(client, world.a.admin)
    codes = [client.get(path).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "Too many requests" in client.get(path).get_data(as_text=True)
    other = app.test_client()  # another user from the same address is not held back
    login(other, world.a.viewer)
    assert other.get(path).status_code == 200


def test_report_downloads_are_rate_limited(dedicated_app, app, world):
    with app.app_context():
        factories.submit_assessment(db.session.merge(world.a.enterprise),
                                    db.session.merge(world.a.officer))
        db.session.commit()
        assessment_id = db.session.scalar(select(Assessment.id))
    limited = dedicated_app(RATELIMIT_ENABLED=True, COSTLY_RATE_LIMIT="1 per minute")
    client = limited.test_client()
    login(client, world.a.officer)
    path = f"/reports/assessment/{assessment_id}.pdf"
    assert client.get(path).status_code in (200, 202)
    assert client.get(path).status_code == 429


def test_costly_limit_has_a_setting(app):
    assert "per minute" in app.config["COSTLY_RATE_LIMIT"]


def test_behind_a_trusted_proxy_limits_count_per_client(dedicated_app, world):
    app = dedicated_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()
    wrong = {"email": world.a.viewer.email, "password": "wrong-password-1"}

    def attempt(address):
        return client.post("/auth/login", data=wrong,
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.7"), attempt("203.0.113.7")] == [401, 429]
    assert attempt("198.51.100.9") == 401  # another client behind the same proxy


# ----------------------------------------------------------------------------- one cap, one limit


def test_one_answer_cap_for_the_form_autosave_and_api(app, world, login_as):
    """An over-long answer is refused with a message on every path; nothing long is stored."""
    from riskapp.assessments.services import MAX_ANSWER_LENGTH
    from tests.api.helpers import bearer, make_token

    huge = "1" * 1_000_000
    client = login_as(world.a.officer)
    edit = client.post("/enterprise/assessments/new").headers["Location"]
    draft_id = int(edit.rstrip("/edit").rsplit("/", 1)[1])
    form = {"item-HYG-2": huge, "item-ORG-1": "yes", "action": "save", "lock_version": "1"}
    page = client.post(edit, data=form)
    assert page.status_code == 200
    message = f"At most {MAX_ANSWER_LENGTH} characters"
    assert message in page.get_data(as_text=True)
    autosave = client.post(edit.replace("/edit", "/autosave"),
                           data={**form, "lock_version": "2"})
    assert message in autosave.get_json()["problems"]["HYG-2"]
    api = app.test_client().patch(f"/api/v1/assessments/{draft_id}/answers",
                                  headers=bearer(make_token(app, world.a.officer)),
                                  json={"answers": {"HYG-2": huge}, "lock_version": 3})
    assert api.status_code == 422 and "HYG-2" in {e["item_id"] for e in api.json["errors"]}
    with app.app_context():
        stored = db.session.get(Assessment, draft_id).answers
    assert stored == {"ORG-1": "yes"}  # the good answer kept, the huge one never stored
    assert max(len(v) for v in stored.values()) <= MAX_ANSWER_LENGTH


def test_api_report_pdfs_share_the_costly_work_limit(dedicated_app, app, world, monkeypatch):
    """Each first request of a report queues a render on the shared worker: the API counts it
    against the same limit as the web's downloads."""
    from tests.api.helpers import bearer, make_token

    # No report at submit, so that every first request queues a render (an issued report could
    # not be deleted afterwards: riskapp.immutable).
    monkeypatch.setitem(app.config, "REPORTS_AUTORENDER", False)
    with app.app_context():
        for _ in range(3):
            factories.submit_assessment(db.session.merge(world.a.enterprise),
                                        db.session.merge(world.a.officer))
        db.session.commit()
        assert db.session.scalars(select(Report)).all() == []
        ids = db.session.scalars(select(Assessment.id).order_by(Assessment.id)).all()
    limited = dedicated_app(RATELIMIT_ENABLED=True, COSTLY_RATE_LIMIT="2 per minute")
    client = limited.test_client()
    headers = bearer(make_token(app, world.a.officer))
    codes = [client.get(f"/api/v1/assessments/{i}/report.pdf", headers=headers).status_code
             for i in ids]
    assert codes == [202, 202, 429]
    refused = client.get(f"/api/v1/assessments/{ids[2]}/report.pdf", headers=headers)
    assert refused.status_code == 429 and refused.json["status"] == 429
