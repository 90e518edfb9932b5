"""Fixtures: one migrated database per test session (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), emptied after every test."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import text

from riskapp import create_app, immutable, migrate
from riskapp.db import Base, db
from riskapp.extensions import limiter
from riskapp.mail import OUTBOX
from tests import factories

TEST_PASSWORD = factories.TEST_PASSWORD


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def _reset_postgres(app) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


def _compile_translations() -> None:
    """Build the .mo files from the committed .po files, as setup does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    po_path = os.path.join(root, "translations", "vi", "LC_MESSAGES", "messages.po")
    if not os.path.exists(po_path):
        return
    with open(po_path, "rb") as handle:
        catalogue = read_po(handle, locale="vi")
    with open(po_path[:-3] + ".mo", "wb") as handle:
        write_mo(handle, catalogue)


@pytest.fixture(scope="session", autouse=True)
def _server_clock():
    """TEST_NOW=2026-12-01T23:30:00+00:00 runs the tests with the server clock from there (it
    ticks on): the hours when the UTC day is not yet Vietnam's day must pass too (issue 12)."""
    moment = os.environ.get("TEST_NOW")
    if not moment:
        yield
        return
    with time_machine.travel(datetime.fromisoformat(moment), tick=True):
        yield


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    _compile_translations()
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "JOBS_INLINE": True,
            "SERVER_NAME": None,
            "REPORT_SIGNING_KEY": str(instance / "report-signing-key.pem"),
            "STORAGE_DIR": str(instance / "storage"),
            # Assertions read English; tests/test_i18n.py checks the Vietnamese default itself.
            "BABEL_DEFAULT_LOCALE": "en",
            # Figures follow every change at once; tests/province/test_figures_cache.py checks
            # the lag allowed in production.
            "FIGURES_STALE_SECONDS": 0,
        }
    )
    if application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        _reset_postgres(application)
    migrate.upgrade(application)
    yield application
    with application.app_context():
        db.engine.dispose()


def _empty_all_tables(app) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        # The protected tables refuse this; the test user may lift that (riskapp.immutable).
        with db.engine.begin() as connection, immutable.maintenance(connection):
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")
                )
            else:
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))
    app.extensions.pop(OUTBOX, None)


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    yield
    _empty_all_tables(app)


@pytest.fixture(autouse=True)
def _limiter_switch_restored():
    """Flask-Limiter's on/off switch is global: an app built by a test (a production config that
    refuses to start, say) must not leave the limits on for the tests after it."""
    enabled = limiter.enabled
    yield
    limiter.enabled = enabled


@pytest.fixture
def ctx(app):
    """An app context with a request context, for calling services directly."""
    with app.test_request_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(app):
    """Two provinces, each with areas, enterprises and one user of every role."""
    with app.app_context():
        built = factories.build_world()
        db.session.commit()
        return built


def login(client, user_or_email, password: str = TEST_PASSWORD):
    email = getattr(user_or_email, "email", user_or_email)
    return client.post("/auth/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(client):
    def _login(user, password: str = TEST_PASSWORD):
        client.post("/auth/logout")
        response = login(client, user, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login


@pytest.fixture
def dedicated_app(app):
    """Build an app on the test database with other settings; undo the limiter's global switch."""
    made = []
    enabled_before = limiter.enabled

    def build(**overrides):
        config = {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "JOBS_INLINE": True,
            "REDIS_URL": None,
            "REPORT_SIGNING_KEY": app.config["REPORT_SIGNING_KEY"],
            "STORAGE_DIR": app.config["STORAGE_DIR"],
            "BABEL_DEFAULT_LOCALE": app.config["BABEL_DEFAULT_LOCALE"],
            "FIGURES_STALE_SECONDS": 0,
            **overrides,
        }
        built = create_app(config)
        made.append(built)
        return built

    yield build
    # Flask-Limiter keeps `enabled` on the shared extension object, not per app.
    limiter.enabled = enabled_before
    for built in made:
        with built.app_context():
            db.engine.dispose()


@pytest.fixture
def outbox(app):
    """The messages sent during the test (kept because the app is testing)."""
    return app.extensions.setdefault(OUTBOX, [])


class HeldWork(list):
    """Ids of the work items handed over while held; none of them runs."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def tasks(self) -> list[tuple[str, tuple]]:
        """(task, arguments) of each item handed over, in order."""
        from riskapp.models import WorkItem

        with self.app.app_context():
            return [(item.task, tuple(item.args))
                    for item in (db.session.get(WorkItem, item_id) for item_id in self)]


@pytest.fixture
def held_work(app, monkeypatch):
    """Work items are stored and handed over, but no worker ever runs them."""
    from riskapp.jobs import JobRunner

    held = HeldWork(app)
    monkeypatch.setattr(JobRunner, "hand_over", lambda self, item_id: held.append(item_id) or True)
    return held
