"""Dashboard figures are reused while the data is unchanged, lag at most FIGURES_STALE_SECONDS
behind other people's submissions, always show the viewer's own change or a refresh, are shared
by every app on one Redis, and are built uncached when the cache fails."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
import uuid

import pytest
from flask_babel import force_locale, lazy_gettext

from riskapp.clock import today as local_today
from riskapp.db import db
from riskapp.models import Enterprise, User
from riskapp.province import aggregates, cache, views
from riskapp.province import maps as province_maps
from riskapp.tenancy import scope_for
from tests import factories

CURRENT = re.compile(r"With a current assessment</p>\s*<p class=\"stat\"><a [^>]*>([\d,.]+)</a>")
AS_OF = re.compile(r'id="figures-as-of">([^<]*)<')
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


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


class Clock:
    """time.time() for the cache and the views, moved forward by hand."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(cache, "time", fake)
    monkeypatch.setattr(views, "time", fake)
    return fake


@pytest.fixture
def builds(monkeypatch):
    """How many times the dashboard's figures were built (by any app)."""
    calls = []
    build = views._dashboard_figures

    def counted(filters):
        calls.append(filters)
        return build(filters)

    monkeypatch.setattr(views, "_dashboard_figures", counted)
    return calls


@pytest.fixture
def lagging(dedicated_app, world):
    """An app whose dashboard may lag 60 s behind other people's changes, the admin logged in."""
    app = dedicated_app(FIGURES_STALE_SECONDS=60)
    client = app.test_client()
    _login(client, world.a.admin)
    return app, client


@pytest.fixture
def fresh_cache(app):
    """The session app's cache, emptied, inside an app context."""
    with app.test_request_context():
        cache.clear()
        yield


def _figures(value, version=(1,), *, key=("k",), stale_seconds=0.0, not_before=0.0):
    return cache.figures(key, version, lambda: value, stale_seconds=stale_seconds,
                         not_before=not_before)


# ----------------------------------------------------------------------------- through the page

def test_unchanged_data_is_served_from_the_cache(app, world, client, login_as, builds):
    with app.app_context():
        cache.clear()
    login_as(world.a.admin)
    first = client.get("/province/")
    again = client.get("/province/")
    assert len(builds) == 1
    assert _current_count(first) == _current_count(again) == 0
    assert AS_OF.search(first.get_data(as_text=True)).group(1) == \
        AS_OF.search(again.get_data(as_text=True)).group(1)


def test_without_a_lag_a_submission_shows_at_once(app, world, client, login_as):
    login_as(world.a.admin)
    assert _current_count(client.get("/province/")) == 0
    _submit(app, world.a.enterprise.id, world.a.officer.id)
    assert _current_count(client.get("/province/")) == 1


def test_others_submissions_lag_until_the_window_ends_or_a_refresh(lagging, world, builds,
                                                                   clock):
    app, client = lagging
    assert _current_count(client.get("/province/")) == 0
    _submit(app, world.a.enterprise.id, world.a.officer.id)
    assert _current_count(client.get("/province/")) == 0  # built less than 60 s ago
    assert len(builds) == 1
    clock.offset = 61  # the window ends: the entry is older than the allowed lag
    assert _current_count(client.get("/province/")) == 1
    _submit(app, world.a.enterprise_elsewhere.id, world.a.officer.id)
    assert _current_count(client.get("/province/")) == 1
    assert _current_count(client.get("/province/?refresh=1")) == 2
    assert len(builds) == 3


def test_the_viewers_own_change_is_shown_at_once(lagging, world):
    app, client = lagging
    assert _current_count(client.get("/province/")) == 0
    _submit(app, world.a.enterprise.id, world.a.officer.id)
    assert _current_count(client.get("/province/")) == 0
    # The admin changes an area's level: their next dashboard is built after that change.
    changed = client.post("/province/areas", data={
        "area_id": world.a.district.id, "level": 2, "effective_from": local_today().isoformat()})
    assert changed.status_code == 302
    assert _current_count(client.get("/province/")) == 1
    # Another viewer of the same figures may still see the older ones within the window.
    other = app.test_client()
    _login(other, world.a.viewer)
    assert _current_count(other.get("/province/")) == 1  # the admin's rebuild is shared


def test_reach_filters_and_language_get_their_own_figures(lagging, world, builds):
    app, client = lagging
    _submit(app, world.a.enterprise_elsewhere.id, world.a.officer.id)
    assert _current_count(client.get("/province/")) == 1
    auditor = app.test_client()
    _login(auditor, world.a.auditor)
    # The auditor's areas hold no submission: the admin's cached figures are not theirs.
    assert _current_count(auditor.get("/province/")) == 0
    assert len(builds) == 2
    client.get("/province/?industry=C")
    assert len(builds) == 3 and builds[-1].industry == "C"
    client.get("/lang/vi")
    page = client.get("/province/").get_data(as_text=True)
    assert "Số liệu tính đến" in page and "Làm mới ngay" in page
    assert len(builds) == 4
    client.get("/province/")
    assert len(builds) == 4


# ----------------------------------------------------------------------------- the rules

def test_an_entry_serves_while_its_version_holds_then_for_the_stale_window(fresh_cache, clock):
    first = _figures("v1")
    assert _figures("again").built_at == first.built_at
    assert _figures("v2", (2,)).value == "v2"  # the data moved, no lag allowed
    assert _figures("v3", (3,), stale_seconds=60).value == "v2"
    clock.offset = 61
    assert _figures("v3", (3,), stale_seconds=60).value == "v3"


def test_no_entry_serves_past_its_time_to_live(fresh_cache, clock):
    _figures("old")
    clock.offset = cache.TTL_SECONDS - 1
    assert _figures("new").value == "old"
    clock.offset = cache.TTL_SECONDS + 1
    assert _figures("new").value == "new"  # the data never moved


def test_nothing_built_before_not_before_serves(fresh_cache):
    first = _figures("before")
    assert _figures("after", stale_seconds=60, not_before=first.built_at).value == "before"
    rebuilt = _figures("after", stale_seconds=60, not_before=first.built_at + 0.001)
    assert rebuilt.value == "after" and rebuilt.built_at > first.built_at
    assert _figures("later", stale_seconds=60).value == "after"  # shared with other viewers


def test_keys_are_separate(fresh_cache):
    _figures("a", key=((1, None), (), "en", "2026-01-01"))
    assert _figures("b", key=((1, (2,)), (), "en", "2026-01-01")).value == "b"
    assert _figures("c", key=((1, None), (), "vi", "2026-01-01")).value == "c"
    assert _figures("x", key=((1, None), (), "en", "2026-01-01")).value == "a"


def test_while_one_rebuilds_a_stale_entry_the_others_serve_it(fresh_cache):
    _figures("old")
    during = []

    def rebuild():  # another request for the same figures arrives meanwhile
        during.append(_figures("herd", (2,)).value)
        during.append(_figures("own change", (2,), not_before=time.time()).value)
        return "new"

    assert cache.figures(("k",), (2,), rebuild, stale_seconds=0, not_before=0).value == "new"
    assert during == ["old", "own change"]  # an entry older than one's own change never serves
    assert _figures("newer", (3,)).value == "newer"  # the lock went with the rebuild


def test_a_rebuild_lock_past_its_time_is_taken_over(fresh_cache, clock):
    _figures("old")
    during = []

    def rebuild():  # the first builder hangs (or died) past its lock's time
        clock.offset = cache.BUILD_LOCK_SECONDS + 1
        during.append(_figures("second builder", (2,)).value)
        return "first builder"

    cache.figures(("k",), (2,), rebuild, stale_seconds=0, not_before=0)
    assert during == ["second builder"]


def test_lazy_strings_are_stored_as_text_and_rows_never(app, world, caplog):
    with app.test_request_context(), force_locale("vi"):
        cache.clear()
        _figures({"label": lazy_gettext("Refresh now")})
        stored = _figures("rebuilt").value["label"]
        assert type(stored) is str and stored == "Làm mới ngay"
        row = db.session.get(Enterprise, world.a.enterprise.id)
        with caplog.at_level(logging.WARNING, logger="riskapp.province.cache"):
            assert _figures(row, key=("row",)).value is row
        assert _figures("built again", key=("row",)).value == "built again"
        assert "not a cacheable figure" in caplog.text


# ----------------------------------------------------------------------------- backends

@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own; its keys are deleted afterwards."""
    from redis import Redis

    prefix = f"riskapp-test-{uuid.uuid4().hex[:12]}:"
    connection = Redis.from_url(TEST_REDIS_URL)
    yield prefix, connection
    keys = connection.keys(prefix + "*")
    if keys:
        connection.delete(*keys)


def test_apps_sharing_one_redis_build_once(dedicated_app, world, redis_prefix, builds,
                                           monkeypatch):
    """Two web processes (two apps) on one Redis: the second reuses what the first built."""
    prefix, connection = redis_prefix
    built_maps = []
    markers = province_maps.map_markers_json
    monkeypatch.setattr(province_maps, "map_markers_json",
                        lambda *a: built_maps.append(a) or markers(*a))
    clients = []
    for _ in range(2):
        app = dedicated_app(REDIS_URL=TEST_REDIS_URL, CACHE_KEY_PREFIX=prefix)
        clients.append(app.test_client())
        _login(clients[-1], world.a.admin)  # a log-in counts as one's own change: both first
    pages = []
    for client in clients:
        pages.append(client.get("/province/").get_data(as_text=True))
        pages.append(client.get("/province/map.json").get_json())
    assert len(builds) == 1 and len(built_maps) == 1
    assert AS_OF.search(pages[0]).group(1) == AS_OF.search(pages[2]).group(1)
    assert pages[1] == pages[3] and pages[1]["markers"]
    assert {key.decode().split(":")[1] for key in connection.keys(prefix + "*")} == {
        "figures", "map"}
    with app.app_context():
        cache.clear()
    assert connection.keys(prefix + "*") == []


VERSION_IN_A_PROCESS = """
import sys
from riskapp import create_app
from riskapp.province import aggregates
from riskapp.tenancy import scope_for
from riskapp.db import db
from riskapp.models import User
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "JOBS_INLINE": True})
with app.app_context():
    print(aggregates.figures_version(scope_for(db.session.get(User, int(sys.argv[2])))))
"""


def test_every_process_computes_the_same_version(app, world):
    """Another process (another string hash seed) must find the figures' version unchanged."""
    versions = {
        subprocess.run([sys.executable, "-c", VERSION_IN_A_PROCESS,
                        app.config["SQLALCHEMY_DATABASE_URI"], str(world.a.admin.id)],
                       env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True,
                       text=True, check=True, cwd=ROOT).stdout
        for seed in ("1", "2")
    }
    with app.app_context():
        here = aggregates.figures_version(scope_for(db.session.get(User, world.a.admin.id)))
    assert versions == {f"{here}\n"}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_redis_outage_serves_uncached_figures(dedicated_app, world, builds, caplog):
    app = dedicated_app(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    client = app.test_client()
    _login(client, world.a.admin)
    _submit(app, world.a.enterprise.id, world.a.officer.id)
    with caplog.at_level(logging.WARNING, logger="riskapp.province.cache"):
        assert _current_count(client.get("/province/")) == 1
        assert _current_count(client.get("/province/")) == 1
        assert client.get("/province/map.json").get_json()["markers"]
    assert len(builds) == 2  # built for each request, served all the same
    warnings = [r for r in caplog.records if r.name == "riskapp.province.cache"]
    assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage()
