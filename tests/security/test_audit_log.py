"""The audit log is append-only: the ORM refuses changes, and no code path or route edits it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import AuditLog, AuditLogIsAppendOnly

RISKAPP = Path(__file__).resolve().parents[2] / "riskapp"
# Statements that would change rows behind the ORM events' back.
BULK_CHANGE = re.compile(
    r"(update|delete)\(\s*AuditLog\b|AuditLog\.__table__\.(update|delete)"
    r"|(UPDATE|DELETE\s+FROM)\s+audit_log\b|TRUNCATE[^\"']*\baudit_log\b",
)


@pytest.fixture
def entry_id(app, world):
    with app.test_request_context():
        record("test_action", world.a.province, details={"k": "v"})
        db.session.commit()
        return db.session.scalar(select(AuditLog.id).where(AuditLog.action == "test_action"))


def test_an_entry_cannot_be_changed_through_the_orm(app, entry_id):
    with app.app_context():
        entry = db.session.get(AuditLog, entry_id)
        entry.action = "rewritten"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(AuditLog, entry_id).action == "test_action"


def test_an_entry_cannot_be_deleted_through_the_orm(app, entry_id):
    with app.app_context():
        db.session.delete(db.session.get(AuditLog, entry_id))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(AuditLog, entry_id) is not None


# The log's own module holds the only sanctioned changes: forgetting old IP addresses and
# pseudonymising an erased user (Decree 13/2023; riskapp/privacy).
PERSONAL_DATA_MODULE = "auditlog.py"


def test_no_application_code_changes_audit_rows_in_bulk():
    offenders = [
        f"{path.relative_to(RISKAPP)}: {match.group(0)}"
        for path in RISKAPP.rglob("*.py")
        if path.relative_to(RISKAPP).as_posix() != PERSONAL_DATA_MODULE
        for match in BULK_CHANGE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize("statement", ["update(AuditLog)", "delete( AuditLog)",
                                       "DELETE FROM audit_log", "AuditLog.__table__.delete()"])
def test_the_bulk_scan_finds_what_it_looks_for(statement):
    assert BULK_CHANGE.search(statement)


def test_no_route_can_edit_or_delete_audit_entries(app):
    """Routes of the audit log are read-only; no route anywhere takes PUT, PATCH or DELETE on it."""
    for rule in app.url_map.iter_rules():
        names = f"{rule.rule} {rule.endpoint}".lower()
        if "audit-log" in names or "audit_log" in names or "auditlog" in names:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
        if "log" in names:
            assert not rule.methods & {"PUT", "PATCH", "DELETE"}, rule
