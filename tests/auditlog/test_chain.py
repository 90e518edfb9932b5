"""The audit log's hash chain (riskapp.auditchain) and `flask audit-verify`: intact, and each
fault a superuser could make behind the triggers' back, found and named."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from riskapp import immutable
from riskapp.auditchain import GENESIS, entry_hash
from riskapp.auditlog import record
from riskapp.auditverify import verify
from riskapp.db import db
from riskapp.models import AuditChainHead, AuditLog, Province, User


def _record(app, world, count: int) -> None:
    with app.test_request_context():
        for number in range(count):
            record(f"action_{number}", world.a.enterprise, user=world.a.admin,
                   details={"n": number, "tên": "Đông Hòa", "share": 0.1 * number,
                            "big": 1e20, "nested": [{"b": 2.0, "a": None}]})
        db.session.commit()


def _verify(app, **options):
    result = app.test_cli_runner().invoke(args=["audit-verify", *options])
    return result.exit_code, result.output


def _as_superuser(app, statement: str) -> None:
    with app.app_context(), db.engine.begin() as connection, immutable.maintenance(connection):
        connection.execute(text(statement))


def test_entries_are_chained_one_after_another(app, world):
    _record(app, world, 3)
    _record(app, world, 2)
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        head = db.session.get(AuditChainHead, 1)
        assert [e.id for e in entries] == [1, 2, 3, 4, 5]
        assert entries[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.row_hash for a, b in zip(entries, entries[1:], strict=False))
        assert all(entry_hash(e) == e.row_hash for e in entries)
        last_hash = entries[-1].row_hash
        assert (head.last_id, head.last_hash) == (5, last_hash)
    code, output = _verify(app)
    assert code == 0
    assert output.strip() == f"intact: 5 entries, last hash {last_hash}"


def test_an_empty_log_is_intact(app):
    assert _verify(app) == (0, f"intact: 0 entries, last hash {GENESIS}\n")


@pytest.mark.parametrize(("statement", "named", "not_named"), [
    ("UPDATE audit_log SET object_id = '999' WHERE id = 2",
     ["entry 2 was changed (row_hash does not match its content)"],
     "entry 3"),  # one fault, reported once
    ("DELETE FROM audit_log WHERE id IN (2, 3)",
     ["entries 2–3 are missing (deleted from the middle)",
      "entry 4: prev_hash does not match the hash of entry 1"],
     "changed"),
    ("DELETE FROM audit_log WHERE id >= 4",
     ["the tail is cut off: the chain's head says the last entry is 5, the table ends at 3"],
     "missing"),
])
def test_each_fault_is_named(app, world, statement, named, not_named):
    _record(app, world, 5)
    assert _verify(app)[0] == 0
    _as_superuser(app, statement)
    code, output = _verify(app)
    assert code != 0
    assert all(fault in output for fault in named)
    assert not_named not in output


def test_a_rewritten_hash_does_not_hide_the_change(app, world):
    """Changing an entry and its row_hash breaks the link to the next entry."""
    _record(app, world, 3)
    with app.app_context():
        entry = db.session.get(AuditLog, 2)
        entry.action = "forged"
        forged = entry_hash(entry)
        db.session.rollback()
    _as_superuser(app, f"UPDATE audit_log SET action = 'forged', row_hash = '{forged}' "
                       "WHERE id = 2")
    code, output = _verify(app)
    assert code != 0
    assert "entry 3: prev_hash does not match the hash of entry 2" in output


def test_verify_reads_in_batches(app, world):
    _record(app, world, 7)
    _as_superuser(app, "DELETE FROM audit_log WHERE id = 5")
    with app.app_context(), db.engine.connect() as connection:
        verdict = verify(connection, batch=2)
    assert verdict.entries == 6
    assert verdict.faults == ["entries 5–5 are missing (deleted from the middle)",
                              "entry 6: prev_hash does not match the hash of entry 4"]


def test_a_rolled_back_entry_leaves_no_gap(app, world):
    with app.test_request_context():
        record("rolled_back", world.a.province)
        db.session.flush()
        db.session.rollback()
        record("kept", world.a.province)
        db.session.commit()
        assert db.session.scalars(select(AuditLog.action)).all() == ["kept"]
    assert _verify(app)[0] == 0


WRITERS, EACH = 6, 15


def test_concurrent_writers_keep_one_chain(app, world):
    """Threads, each with its own sessions, record at once; the head's lock orders them."""
    province_id, admin_id = world.a.province.id, world.a.admin.id
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        try:
            start.wait()
            for step in range(EACH):
                # Each request context has its own session (riskapp.db), as each web worker.
                with app.test_request_context():
                    record(f"w{number}-{step}", db.session.get(Province, province_id),
                           user=db.session.get(User, admin_id))
                    db.session.commit()
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    code, output = _verify(app)
    assert (code, output.split(",")[0]) == (0, f"intact: {WRITERS * EACH} entries")


@pytest.mark.parametrize("entries", [0, 3])
def test_the_head_is_checked_against_the_last_entry(app, world, entries):
    _record(app, world, entries)
    _as_superuser(app, "UPDATE audit_chain_head SET last_hash = 'x'" if entries else
                  "INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 2, 'x')")
    code, output = _verify(app)
    assert code != 0
    assert ("entry 3: its hash is not the one the chain's head holds" if entries else
            "the tail is cut off: the chain's head says the last entry is 2, the table ends "
            "at nothing") in output
