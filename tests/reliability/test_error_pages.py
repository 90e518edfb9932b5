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
