"""Revision 0021 on a database with a log: e-mails and addresses move beside it, entries are
chained in id order, and the triggers bind from then on."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from riskapp import create_app, migrate
from riskapp.auditverify import verify
from riskapp.db import db

ROWS = [
    (1, "2026-03-01 10:00:00.000000", 5, "a@example.vn", "login", None, "10.0.0.1"),
    (2, "2026-03-01 10:05:00.250000", 5, "a@example.vn", "user_invited",
     '{"email": "b@example.vn", "role": "officer"}', None),
    (4, "2026-03-02 08:00:00.000000", None, None, "export_audit_log", '{"format": "csv"}', None),
]


def test_existing_entries_are_moved_and_chained(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "m.sqlite3"),
                      "TESTING": True})
    migrate.upgrade(app, "0020")
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        for row in ROWS:
            connection.execute(text(
                "INSERT INTO audit_log (id, at, user_id, user_email, action, details, ip) "
                "VALUES (:id, :at, :user, :email, :action, :details, :ip)"),
                dict(zip(("id", "at", "user", "email", "action", "details", "ip"), row,
                         strict=True)))
    migrate.upgrade(app)
    with app.app_context(), db.engine.connect() as connection:
        verdict = verify(connection)
        # Id 3 never was (a rolled-back insert): the chain links 2 to 4, nothing is missing.
        assert (verdict.faults, verdict.entries) == ([], 3)
        assert connection.execute(text("SELECT details FROM audit_log WHERE id = 2")).scalar() \
            == '{"role": "officer"}'
        side = connection.execute(text(
            "SELECT audit_id, user_email, subject_email, ip FROM audit_log_personal "
            "ORDER BY audit_id")).all()
        assert side == [(1, "a@example.vn", None, "10.0.0.1"),
                        (2, "a@example.vn", "b@example.vn", None)]
        assert connection.execute(text("SELECT last_id FROM audit_chain_head")).scalar() == 4
    with app.app_context(), pytest.raises(DBAPIError, match="audit_log is append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_log WHERE id = 4"))
    migrate.downgrade(app, "0020")
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SELECT user_email, ip FROM audit_log WHERE id = 1")
                                  ).one() == ("a@example.vn", "10.0.0.1")
        connection.execute(text("DELETE FROM audit_log WHERE id = 4"))  # no trigger any more
