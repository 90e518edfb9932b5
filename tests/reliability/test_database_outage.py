"""When PostgreSQL goes away, pages answer 503 without a traceback; when it returns, the app
recovers by itself. The app reaches its own database through a TCP proxy this test stops and starts,
so the real server keeps running for everyone else."""

from __future__ import annotations

from riskapp import migrate
from riskapp.db import db
from tests import factories
from tests.conftest import login


def test_database_outage_gives_a_clean_503_and_the_app_recovers(dedicated_app, outage_database,
                                                                 proxy):
    app = dedicated_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/"
                                f"{outage_database}",
        PROPAGATE_EXCEPTIONS=False, TESTING=False,
    )
    migrate.upgrade(app)
    with app.app_context():
        world = factories.build_world()
        db.session.commit()
    client = app.test_client()
    assert login(client, world.a.officer).status_code == 302
    assert client.get("/enterprise/").status_code == 200

    proxy.stop()
    for _attempt in range(2):  # the pool's dead connections, then refused new ones
        down = client.get("/enterprise/")
        body = down.get_data(as_text=True)
        assert down.status_code == 503
        assert "The database is not reachable right now" in body
        assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body

    proxy.start()
    assert client.get("/enterprise/").status_code == 200  # nothing restarted, same session
    assert client.get("/enterprise/assessments").status_code == 200
