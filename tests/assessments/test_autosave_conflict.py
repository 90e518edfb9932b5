"""The autosave's 409 carries the server's version (values, words, when) so the page can show
both side by side (static/js/assessment-conflict.js); a save says when it reached the server."""

from __future__ import annotations

import re

from tests.assessments.conftest import form_data


def test_autosave_conflict_carries_the_servers_version(app, officer, start_draft):
    assessment_id, lock, _token = start_draft()
    url = f"/enterprise/assessments/{assessment_id}/autosave"
    assert officer.post(url, data=form_data({"ORG-1": "yes", "HYG-2": "120"},
                                            lock_version=lock)).status_code == 200
    stale = officer.post(url, data=form_data({"ORG-1": "no"}, lock_version=lock))
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["lock_version"] == int(lock) + 1
    server = body["server"]
    assert server["values"] == {"item-ORG-1": "yes", "item-HYG-2": "120"}
    assert set(server["words"]) == {"ORG-1", "HYG-2"} and server["saved_at"]
    assert server["confirmed_case_14d"] is False


def test_a_later_autosave_says_when_it_was_sent(officer, start_draft):
    assessment_id, lock, _token = start_draft()
    reply = officer.post(f"/enterprise/assessments/{assessment_id}/autosave",
                         data=form_data({"ORG-1": "yes"}, lock_version=lock))
    assert re.fullmatch(r"\d\d:\d\d", reply.get_json()["saved_time"])
