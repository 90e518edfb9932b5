"""The database itself refuses to change the audit log and issued reports (riskapp.immutable):
raw SQL, as any client with the application's credentials would send it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from riskapp import immutable
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import Report, ReportStatus
from tests import factories


def _log_rows() -> list:
    return db.session.execute(text("SELECT * FROM audit_log ORDER BY id")).all()


@pytest.fixture
def logged(app, world):
    with app.test_request_context():
        for action in ("first", "second"):
            record(action, world.a.province, details={"k": action})
        db.session.commit()


def _refused(statement: str, message: str) -> None:
    db.session.rollback()  # the session's read must not hold a lock the TRUNCATE waits for
    with pytest.raises(DBAPIError, match=message):
        with db.engine.begin() as connection:
            connection.execute(text(statement))


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET action = 'rewritten'",
    "UPDATE audit_log SET details = NULL WHERE id = 2",
    "DELETE FROM audit_log WHERE id = 1",
    "DELETE FROM audit_log",
])
def test_the_audit_log_refuses_changes_and_deletes(app, logged, statement):
    with app.app_context():
        before = _log_rows()
        _refused(statement, "audit_log is append-only")
        assert _log_rows() == before and len(before) == 2


def test_the_audit_log_refuses_truncate(app, logged):
    with app.app_context():
        before = _log_rows()
        # SQLite has no TRUNCATE: its "DELETE FROM audit_log" is refused above.
        statement = ("TRUNCATE audit_log CASCADE" if db.engine.dialect.name == "postgresql"
                     else "DELETE FROM audit_log")
        _refused(statement, "audit_log is append-only")
        assert _log_rows() == before


@pytest.fixture(autouse=True)
def _no_autorender(app, monkeypatch):
    # The tests make their report rows themselves (no PDF needed to be "issued").
    monkeypatch.setitem(app.config, "REPORTS_AUTORENDER", False)


def _report(world, status: ReportStatus, lang: str = "vi") -> int:
    assessment = factories.submit_assessment(world.a.enterprise, world.a.officer)
    report = Report(assessment_id=assessment.id, enterprise_id=assessment.enterprise_id,
                    province_id=assessment.province_id, lang=lang, public_id=f"RA-{lang}",
                    verification_code=f"CODE-{lang}", status=ReportStatus.PENDING, attempts=0)
    db.session.add(report)
    db.session.flush()
    # pending → ready is how every report is issued: allowed.
    db.session.execute(text("UPDATE report SET status = :s, sha256 = 'abc' WHERE id = :id"),
                       {"s": status.value, "id": report.id})
    db.session.commit()
    return report.id


def _report_row(report_id: int):
    return db.session.execute(text("SELECT * FROM report WHERE id = :id"),
                              {"id": report_id}).one_or_none()


@pytest.mark.parametrize("statement", [
    "UPDATE report SET sha256 = 'forged' WHERE id = :id",
    "UPDATE report SET status = 'pending' WHERE id = :id",
    "DELETE FROM report WHERE id = :id",
])
def test_an_issued_report_cannot_be_changed_or_deleted(app, world, statement):
    with app.app_context():
        report_id = _report(world, ReportStatus.READY)
        before = _report_row(report_id)
        with pytest.raises(DBAPIError, match="an issued report"):
            with db.engine.begin() as connection:
                connection.execute(text(statement), {"id": report_id})
        assert _report_row(report_id) == before and before.status == "ready"


def test_an_issued_report_goes_not_with_its_enterprise_or_by_truncate(app, world):
    with app.app_context():
        report_id = _report(world, ReportStatus.READY)
        before = _report_row(report_id)
        statements = [f"DELETE FROM enterprise WHERE id = {world.a.enterprise.id}"]
        if db.engine.dialect.name == "postgresql":
            statements.append("TRUNCATE report")
        for statement in statements:
            _refused(statement, "an issued report")
        assert _report_row(report_id) == before


def test_a_pending_or_failed_report_may_still_change_and_go(app, world):
    with app.app_context():
        failed = _report(world, ReportStatus.FAILED)
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE report SET status = 'pending', error = NULL "
                                    "WHERE id = :id"), {"id": failed})
            connection.execute(text("UPDATE report SET status = 'ready' WHERE id = :id"),
                               {"id": failed})
        assert _report_row(failed).status == "ready"
        pending = _report(world, ReportStatus.PENDING, lang="en")
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM report WHERE id = :id"), {"id": pending})
        assert _report_row(pending) is None


def test_the_maintenance_bypass_lifts_the_rules_for_its_transaction_only(app, logged):
    with app.app_context():
        with db.engine.begin() as connection, immutable.maintenance(connection):
            connection.execute(text("DELETE FROM audit_log WHERE id = 2"))
        assert [row.id for row in _log_rows()] == [1]
        _refused("DELETE FROM audit_log", "audit_log is append-only")
        assert [row.id for row in _log_rows()] == [1]


def test_the_registry_makes_the_ddl_of_each_dialect():
    rule = immutable.Rule("transparency_leaf", "transparency_leaf is append-only")
    postgresql = " ".join(immutable.create_ddl(rule, "postgresql"))
    assert "BEFORE UPDATE OR DELETE ON transparency_leaf FOR EACH ROW EXECUTE" in postgresql
    assert "BEFORE TRUNCATE ON transparency_leaf" in postgresql
    sqlite = immutable.create_ddl(rule, "sqlite")
    assert [s.split(" ON ")[0] for s in sqlite] == [
        "CREATE TRIGGER immutable_transparency_leaf_update BEFORE UPDATE",
        "CREATE TRIGGER immutable_transparency_leaf_delete BEFORE DELETE"]
    assert all("RAISE(ABORT, 'transparency_leaf is append-only')" in s for s in sqlite)
