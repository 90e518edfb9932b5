"""The audit chain's checkpoints in the transparency log: a superuser who cuts the chain's tail and
puts the head row back in step is still caught, by the leaf published before the cut."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from riskapp import immutable
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import AuditChainHead, AuditLog, LogLeaf
from riskapp.transparency import leaves, services


def _record(app, world, count: int) -> None:
    with app.test_request_context():
        for number in range(count):
            record(f"action_{number}", world.a.enterprise, user=world.a.admin)
        db.session.commit()


def _publish(app) -> None:
    with app.app_context():
        services.publish()
        db.session.commit()


def _checkpoints(app) -> list[dict]:
    with app.app_context():
        inputs = db.session.scalars(select(LogLeaf.leaf_input).where(
            LogLeaf.kind == leaves.AUDIT_CHECKPOINT).order_by(LogLeaf.leaf_index)).all()
        return [json.loads(bytes(value)) for value in inputs]


def _verify(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    return result.exit_code, result.output


def test_a_publication_logs_the_chain_once_per_move(app, world):
    _publish(app)
    assert _checkpoints(app) == []  # an empty chain has nothing to vouch for
    _record(app, world, 3)
    _publish(app)
    _publish(app)  # the chain did not move: no second checkpoint
    with app.app_context():
        head = db.session.get(AuditChainHead, 1)
        expected = {"kind": "audit_checkpoint", "v": 1, "last_id": 3, "last_hash": head.last_hash}
    assert _checkpoints(app) == [expected]
    _record(app, world, 1)
    _publish(app)
    assert [point["last_id"] for point in _checkpoints(app)] == [3, 4]
    assert _verify(app)[0] == 0


def test_a_cut_tail_with_its_head_row_rewritten_is_caught(app, world):
    _record(app, world, 4)
    _publish(app)
    _record(app, world, 1)
    with app.app_context():
        third = db.session.scalar(select(AuditLog.row_hash).where(AuditLog.id == 3))
    # What a superuser could do: cut entries 4–5 and put the head row back at entry 3.
    with app.app_context(), db.engine.begin() as connection, immutable.maintenance(connection):
        connection.execute(text("DELETE FROM audit_log WHERE id >= 4"))
        connection.execute(text("UPDATE audit_chain_head SET last_id = 3, last_hash = :hash"),
                           {"hash": third})
    code, output = _verify(app)
    assert code != 0
    assert "entry 4 is missing: the transparency log published it as" in output
    assert "the chain was rewritten after that publication" in output
