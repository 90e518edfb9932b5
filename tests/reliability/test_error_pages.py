"""A lost database is "unavailable" (503); any other database error is a bug page (500)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError


def test_constraint_errors_are_not_reported_as_an_unavailable_database(dedicated_app):
    app = dedicated_app(PROPAGATE_EXCEPTIONS=False, TESTING=False)

    def broken_constraint():
        raise IntegrityError("INSERT …", {}, Exception("duplicate key"))

    def lost_connection():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    app.add_url_rule("/_test/integrity", view_func=broken_constraint)
    app.add_url_rule("/_test/lost", view_func=lost_connection)
    client = app.test_client()

    bug = client.get("/_test/integrity")
    assert bug.status_code == 500
    assert "Traceback" not in bug.get_data(as_text=True)
    assert "duplicate key" not in bug.get_data(as_text=True)

    away = client.get("/_test/lost")
    assert away.status_code == 503
    assert "Traceback" not in away.get_data(as_text=True)


def test_a_failure_after_the_commit_still_shows_the_apps_own_error_page(dedicated_app, world):
    """A hook failing after the commit (the queue hand-over once did) left the session unusable,
    and the error page's own queries (the logged-in user's notices) failed with it."""
    from sqlalchemy import event, select
    from sqlalchemy.orm import Session

    from riskapp.db import db
    from riskapp.models import Province
    from tests.conftest import login

    app = dedicated_app(PROPAGATE_EXCEPTIONS=False, TESTING=False)

    def commit_then_fail():
        db.session.execute(select(Province.id)).all()
        db.session.commit()
        return "not reached"

    def failing_hook(_session):
        raise RuntimeError("hand-over exploded")

    app.add_url_rule("/_test/after-commit", view_func=commit_then_fail)
    client = app.test_client()
    assert login(client, world.a.officer).status_code == 302
    event.listen(Session, "after_commit", failing_hook)
    try:
        page = client.get("/_test/after-commit")
    finally:
        event.remove(Session, "after_commit", failing_hook)
    text = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "Something went wrong on our side" in text
    assert "Traceback" not in text and "hand-over exploded" not in text
