"""Dashboard figures are reused while the data is unchanged, lag at most FIGURES_STALE_SECONDS
behind other people's submissions, and always show the viewer's own change or a refresh."""

from __future__ import annotations

import re
from datetime import date

import pytest

from riskapp.db import db
from riskapp.models import Enterprise, User
from riskapp.province import services
from tests import factories

CURRENT = re.compile(r"With a current assessment</p>\s*<p class=\"stat\"><a [^>]*>([\d,.]+)</a>")


def _current_count(response) -> int:
    assert response.status_code == 200
    return int(CURRENT.search(response.get_data(as_text=True)).group(1).replace(",", ""))


def _submit(app, enterprise_id: int, officer_id: int) -> None:
    with app.test_request_context():
        factories.submit_assessment(db.session.get(Enterprise, enterprise_id),
                                    db.session.get(User, officer_id))
        db.session.commit()


def _login(client, user) -> None:
    response = client.post("/auth/login", data={"email": user.email,
                                                "password": factories.TEST_PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def lagging(dedicated_app, world):
    """An app whose dashboard may lag 60 s behind other people's changes, the admin logged in."""
    app = dedicated_app(FIGURES_STALE_SECONDS=60)
    client = app.test_client()
    _login(client, world.a.admin)
    return app, client


def test_unchanged_data_is_served_from_the_cache(app, world, client, login_as):
    login_as(world.a.admin)
    with app.app_context():
        cache = services.figures_cache()
    built_before = cache.builds
    first = client.get("/province/")
    again = client.get("/province/")
    assert cache.builds == built_before + 1
    assert _current_count(first) == _current_count(again) == 0
    assert b'id="figures-as-of"' in again.data


def test_without_a_lag_a_submission_shows_at_once(app, world, client, login_as):
    login_as(world.a.admin)
    assert _current_count(client.get("/province/")) == 0
    _submit(app, world.a.enterprise.id, world.a.officer.id)
    assert _current_count(client.get("/province/")) == 1


def test_others_submissions_lag_until_the_window_ends_or_a_refresh(lagging, world):
    app, client = lagging
    assert _current_count(client.get("/province/")) == 0
    _submit(app, world.a.enterprise.id, world.a.officer.id)
    stale = client.get("/province/")
    assert _current_count(stale) == 0  # built less than 60 s ago: served as it was
    with app.app_context():
        cache = services.figures_cache()
        assert cache.builds == 1
        # The window ends: the entry is older than the allowed lag and the data moved.
        for key, entry in list(cache.entries.items()):
            cache.entries[key] = services.CachedFigures(entry.value, entry.version,
                                                       entry.built_at - 61)
    assert _current_count(client.get("/province/")) == 1
    _submit(app, world.a.enterprise_elsewhere.id, world.a.officer.id)
    assert _current_count(client.get("/province/")) == 1
    refreshed = client.get("/province/?refresh=1")
    assert _current_count(refreshed) == 2
    with app.app_context():
        assert services.figures_cache().builds == 3


def test_the_viewers_own_change_is_shown_at_once(lagging, world):
    app, client = lagging
    assert _current_count(client.get("/province/")) == 0
    _submit(app, world.a.enterprise.id, world.a.officer.id)
    assert _current_count(client.get("/province/")) == 0
    # The admin changes an area's level: their next dashboard is built after that change.
    changed = client.post("/province/areas", data={
        "area_id": world.a.district.id, "level": 2, "effective_from": date.today().isoformat()})
    assert changed.status_code == 302
    assert _current_count(client.get("/province/")) == 1
    # Another viewer of the same figures may still see the older ones within the window.
    other = app.test_client()
    _login(other, world.a.viewer)
    assert _current_count(other.get("/province/")) == 1  # the admin's rebuild is shared


def test_reach_and_language_get_their_own_figures(lagging, world):
    app, client = lagging
    _submit(app, world.a.enterprise_elsewhere.id, world.a.officer.id)
    assert _current_count(client.get("/province/")) == 1
    auditor = app.test_client()
    _login(auditor, world.a.auditor)
    # The auditor's areas hold no submission: the admin's cached figures are not theirs.
    assert _current_count(auditor.get("/province/")) == 0
    with app.app_context():
        assert services.figures_cache().builds == 2


def test_cache_is_bounded_and_keeps_the_newest():
    cache = services.FiguresCache(size=2)
    built = []

    def build(value):
        return lambda: built.append(value) or value

    assert cache.get(("a",), (1,), build("a1")).value == "a1"
    assert cache.get(("a",), (1,), build("again")).value == "a1"
    assert cache.get(("a",), (2,), build("a2")).value == "a2"  # the data moved, no lag allowed
    assert cache.get(("a",), (3,), build("a3"), stale_seconds=60).value == "a2"
    cache.get(("b",), (1,), build("b1"))
    cache.get(("c",), (1,), build("c1"))
    assert list(cache.entries) == [("b",), ("c",)]
    assert built == ["a1", "a2", "b1", "c1"]
