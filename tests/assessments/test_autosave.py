"""The JSON autosave used by static/js/assessment-form.js."""

from __future__ import annotations

from riskapp.db import db
from riskapp.models import Assessment
from tests.assessments.conftest import form_data, hidden_value


def test_autosave_stores_the_draft_and_reports_progress(app, officer, start_draft):
    assessment_id, lock, _token = start_draft()
    url = f"/enterprise/assessments/{assessment_id}/autosave"
    reply = officer.post(url, data=form_data({"ORG-1": "yes", "ORG-2": "no", "HYG-2": "120"},
                                             lock_version=lock))
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["lock_version"] == int(lock) + 1
    assert body["progress"]["organisation"] == {"answered": 2, "total": 4}
    assert body["progress"]["transport"] == {"answered": 0, "total": 0}  # no shuttle
    assert set(body["problems"]) == {"HYG-2"}
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).answers == {
            "ORG-1": "yes", "ORG-2": "no", "HYG-2": "120"}
    # A save from an older page is refused, and says so.
    stale = officer.post(url, data=form_data({"ORG-1": "no"}, lock_version=lock))
    assert stale.status_code == 409 and stale.get_json()["stale"] is True
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).answers["ORG-1"] == "yes"


def test_autosave_needs_the_csrf_header(app, officer, start_draft):
    assessment_id, lock, _token = start_draft()
    url = f"/enterprise/assessments/{assessment_id}/autosave"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = officer.get(f"/enterprise/assessments/{assessment_id}/edit").get_data(as_text=True)
        token = hidden_value(page, "csrf_token")
        refused = officer.post(url, data=form_data({"ORG-1": "yes"}, lock_version=lock),
                               headers={"Accept": "application/json"})
        assert refused.status_code == 400
        # The page's script shows the reply's error: a sentence, in the page's language.
        assert refused.get_json()["error"] == ("The form has expired or is not valid. Reload the "
                                               "page and send it again.")
        accepted = officer.post(url, data=form_data({"ORG-1": "yes"}, lock_version=lock),
                                headers={"X-CSRFToken": token})
        assert accepted.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
