"""Every save of a draft names the version it was read at: without it nothing is stored, the
user is told, and what they typed is kept (web form, autosave, API, the service itself)."""

from __future__ import annotations

import re

import pytest

from riskapp.assessments import services
from riskapp.db import db
from riskapp.models import Assessment, Enterprise, User
from tests.api.helpers import bearer, make_token
from tests.assessments.conftest import form_data

MISSING = "This page was sent without its version number"


def _answers(app, assessment_id: int) -> dict:
    with app.app_context():
        return db.session.get(Assessment, assessment_id).answers


@pytest.mark.parametrize("lock", ["", "abc", None])
def test_the_form_without_a_lock_version_saves_nothing_and_keeps_what_was_typed(
        app, officer, start_draft, lock):
    assessment_id, version, _token = start_draft()
    url = f"/enterprise/assessments/{assessment_id}/edit"
    assert officer.post(url, data=form_data({"ORG-1": "yes"}, lock_version=version)).status_code \
        in (200, 302)
    data = form_data({"ORG-1": "no"}, lock_version=lock or "")
    if lock is None:
        del data["lock_version"]
    refused = officer.post(url, data=data)
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert MISSING in page
    assert re.search(r'name="item-ORG-1"[^>]*value="no"[^>]*checked', page)  # kept
    assert _answers(app, assessment_id) == {"ORG-1": "yes"}  # nothing overwritten
    # The refused page carries the current version: saving from it goes through.
    current = re.search(r'name="lock_version"[^>]*value="(\d+)"', page).group(1)
    assert officer.post(url, data=form_data({"ORG-1": "no"}, lock_version=current)
                        ).status_code in (200, 302)
    assert _answers(app, assessment_id) == {"ORG-1": "no"}


def test_autosave_without_a_lock_version_is_refused_with_a_message(app, officer, start_draft):
    assessment_id, _version, _token = start_draft()
    url = f"/enterprise/assessments/{assessment_id}/autosave"
    data = form_data({"ORG-1": "no"}, lock_version="")
    refused = officer.post(url, data=data)
    assert refused.status_code == 409
    body = refused.get_json()
    assert MISSING in body["error"] and body["lock_version"] == 1
    assert _answers(app, assessment_id) == {}


def test_the_api_refuses_a_save_without_lock_version(app, client, world):
    headers = bearer(make_token(app, world.a.officer))
    draft = client.post("/api/v1/assessments", headers=headers).json
    refused = client.patch(f"/api/v1/assessments/{draft['id']}/answers", headers=headers,
                           json={"answers": {"ORG-1": "yes"}})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json["errors"]] == ["lock_version"]
    assert _answers(app, draft["id"]) == {}


def test_the_service_never_saves_without_a_lock_version(app, world):
    with app.test_request_context():
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        draft = services.start_draft(enterprise, db.session.get(User, world.a.officer.id))
        with pytest.raises(services.LockVersionMissing):
            services.save_draft(draft, {"ORG-1": "yes"}, {}, None)
        assert draft.answers == {}
