"""An area viewer's API token reaches the enterprises, assessments and figures of their areas
only: inside 200, outside their subtree 404, aggregates count the subtree alone."""

from __future__ import annotations

import pytest

from riskapp.db import db
from tests import factories
from tests.api.helpers import bearer, make_token


@pytest.fixture
def assessed(app, world):
    """A submitted assessment inside the area staff's district and one outside it."""
    with app.app_context():
        inside = factories.submit_assessment(world.a.enterprise, world.a.officer)
        outside = factories.submit_assessment(world.a.enterprise_elsewhere, world.a.officer)
        db.session.commit()
        return inside.id, outside.id


def test_area_viewer_token_reaches_only_their_subtree(app, client, world, assessed):
    inside, outside = assessed
    headers = bearer(make_token(app, world.a.area_viewer))
    listed = client.get("/api/v1/enterprises", headers=headers)
    assert [e["id"] for e in listed.json["items"]] == [world.a.enterprise.id]
    assert client.get(f"/api/v1/enterprises/{world.a.enterprise.id}",
                      headers=headers).status_code == 200
    assert client.get(f"/api/v1/enterprises/{world.a.enterprise_elsewhere.id}",
                      headers=headers).status_code == 404
    assessments = client.get("/api/v1/assessments", headers=headers).json["items"]
    assert [a["id"] for a in assessments] == [inside]
    for path in ("", "/result"):
        assert client.get(f"/api/v1/assessments/{inside}{path}",
                          headers=headers).status_code == 200
        assert client.get(f"/api/v1/assessments/{outside}{path}",
                          headers=headers).status_code == 404
    actions = client.get("/api/v1/actions", headers=headers).json["items"]
    assert actions and {a["assessment_id"] for a in actions} == {inside}


def test_area_viewer_token_aggregates_count_the_subtree_only(app, client, world, assessed):
    viewer = bearer(make_token(app, world.a.area_viewer))
    province = bearer(make_token(app, world.a.viewer))
    own = client.get("/api/v1/province/summary", headers=viewer).json
    whole = client.get("/api/v1/province/summary", headers=province).json
    assert own["headline"]["total"] == 1 and whole["headline"]["total"] == 2
    assert sum(own["headline"]["by_grade"].values()) == 1
    assert world.a.other_district.id not in {row["area_id"] for row in own["by_area"]}
    assert world.a.other_district.id in {row["area_id"] for row in whole["by_area"]}
    assert client.get(f"/api/v1/province/summary?area_id={world.a.other_district.id}",
                      headers=viewer).status_code == 404
    assert client.get(f"/api/v1/province/summary?area_id={world.a.commune.id}",
                      headers=viewer).status_code == 200
