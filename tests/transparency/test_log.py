"""Appending leaves (every kind, dense under concurrency) and publishing signed tree heads."""

from __future__ import annotations

import json
import threading
from datetime import date

from sqlalchemy import select

from riskapp import checklists
from riskapp.db import db
from riskapp.models import Area, Assessment, LogLeaf, ReviewDecision, User
from riskapp.province.regrade import set_area_level
from riskapp.reports import keys
from riskapp.reviews import services as reviews
from riskapp.transparency import heads, merkle, services
from tests import factories
from tests.reviews.support import submission
from tests.transparency.support import logged_report, publish


def _leaves(app) -> list[LogLeaf]:
    with app.app_context():
        rows = list(db.session.scalars(select(LogLeaf).order_by(LogLeaf.leaf_index)))
        db.session.expunge_all()
        return rows


def _naive_root(inputs: list[bytes]) -> bytes:
    store = merkle.MemoryStore()
    for item in inputs:
        store.append(item)
    return merkle.root_hash(store, len(inputs))


def test_every_kind_of_decision_is_logged_without_personal_data(app, world):
    report = logged_report(app, world)
    waiting = submission(app, world.a)  # every grade reviewed: it waits for a decision
    with app.test_request_context():
        admin = db.session.get(User, world.a.admin.id)
        set_area_level(db.session.get(Area, world.a.commune.id), 3, date(2026, 1, 1), admin)
        checklists.activate(checklists.default_version(), world.a.province.id,
                            date(2026, 1, 1), admin)
        reviews.decide(db.session.get(Assessment, waiting), ReviewDecision.ACCEPTED, admin, None)
        db.session.commit()
    rows = _leaves(app)
    kinds = [row.kind for row in rows]
    assert {"report", "area_level", "checklist_activation", "review"} <= set(kinds)
    assert [row.leaf_index for row in rows] == list(range(len(rows)))
    logged = next(json.loads(row.leaf_input) for row in rows if row.kind == "report")
    assert logged["sha256"] == report.sha256
    assert logged["verification_code"] == report.verification_code
    assert logged["report_id"] == report.public_id
    for row in rows:
        text = bytes(row.leaf_input).decode()
        assert world.a.enterprise.name not in text and "@" not in text
        assert row.leaf_hash == merkle.leaf_hash(bytes(row.leaf_input))
        assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"),
                                  ensure_ascii=False)
    review = next(json.loads(row.leaf_input) for row in rows if row.kind == "review"
                  and not json.loads(row.leaf_input)["automatic"])
    assert review["decision"] == "accepted" and review["assessment_id"] == waiting
    with app.app_context():
        assert merkle.root_hash(services.DbStore(), len(rows)) == _naive_root(
            [bytes(row.leaf_input) for row in rows])


def test_a_rolled_back_decision_leaves_no_leaf_and_no_gap(app, world):
    with app.test_request_context():
        services.append("area_level", {"n": 1}, object_id=1, province_id=None)
        db.session.commit()
        services.append("area_level", {"n": 2}, object_id=2, province_id=None)
        db.session.rollback()
        services.append("area_level", {"n": 3}, object_id=3, province_id=None)
        db.session.commit()
    assert [(row.leaf_index, json.loads(row.leaf_input)["n"]) for row in _leaves(app)] == [
        (0, 1), (1, 3)]


def test_concurrent_appends_take_dense_sequential_indices(app):
    per_thread, threads = 25, 4
    start = threading.Barrier(threads)
    errors = []

    def work(number: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for i in range(per_thread):
                    services.append("review", {"t": number, "i": i}, object_id=i,
                                    province_id=None)
                    db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    rows = _leaves(app)
    assert [row.leaf_index for row in rows] == list(range(per_thread * threads))
    with app.app_context():
        assert services.size() == per_thread * threads
        assert merkle.root_hash(services.DbStore(), len(rows)) == _naive_root(
            [bytes(row.leaf_input) for row in rows])


def test_publish_signs_the_tree_once_per_size_and_day(app, world):
    empty = publish(app)
    assert empty["tree_size"] == 0 and empty["root_hash"] == merkle.EMPTY_ROOT.hex()
    logged_report(app, world)
    first = publish(app)
    again = publish(app)
    assert first == again and first["tree_size"] == len(_leaves(app)) > 0
    with app.app_context():
        key = keys.current_private_key().public_key()
        head = heads.head_from_json(first)
        assert heads.signature_valid(head, key)
        assert head.root_hash == merkle.root_hash(services.DbStore(), head.tree_size)
        forged = heads.TreeHead(head.tree_size + 1, head.timestamp_ms, head.root_hash,
                                head.key_id, head.signature)
        assert not heads.signature_valid(forged, key)
        assert len(services.recent_heads()) == 2


def test_cli_publish_says_what_it_did(app, world):
    logged_report(app, world)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["transparency-publish"])
    second = runner.invoke(args=["transparency-publish"])
    assert first.exit_code == 0 and "published:" in first.output
    assert second.exit_code == 0 and "already published today" in second.output


def test_signing_input_is_domain_separated_and_big_endian():
    data = heads.signing_input(5, 258, b"\xab" * 32)
    assert data.startswith(b"riskapp transparency tree head v1\n\x01")
    assert data[-33:] == b"\x20" + b"\xab" * 32
    assert data[-49:-33] == (258).to_bytes(8, "big") + (5).to_bytes(8, "big")


def test_log_page_lists_heads_and_kinds_without_login(app, world, client):
    logged_report(app, world)
    client.get("/lang/en")
    before = client.get("/verify/log").get_data(as_text=True)
    assert "No tree head has been published yet." in before
    head = publish(app)
    page = client.get("/verify/log").get_data(as_text=True)
    assert head["root_hash"] in page and head["signature"] in page
    assert "valid for the published key" in page and "Signed reports" in page
    assert "Sign and publish" not in page  # the button is the province admins'


def test_province_admin_publishes_from_the_log_page(app, world, login_as):
    client = login_as(world.a.admin)
    response = client.post("/province/transparency/publish")
    assert response.status_code == 302
    with app.app_context():
        assert services.latest_head() is not None
    page = client.get("/verify/log").get_data(as_text=True)
    assert "Sign and publish a tree head now" in page


def test_factories_world_has_no_leaves_before_any_decision(app):
    with app.app_context():
        factories.build_world()
        db.session.commit()
        assert services.size() == len(_leaves(app))
