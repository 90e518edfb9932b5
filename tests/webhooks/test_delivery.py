"""Webhooks delivered to a local receiver that verifies each signature; retries, dead, 410."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from riskapp import events
from riskapp.db import db
from riskapp.models import ChangeEvent, WebhookDelivery, WebhookEndpoint, WorkItem
from riskapp.models.webhook import DeliveryStatus
from riskapp.province import regrade
from riskapp.webhooks import delivery
from tests import factories
from tests.webhooks.conftest import types_of


def _deliveries():
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def test_submission_is_delivered_signed(app, world, receiver, endpoint):
    with app.test_request_context():
        factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
        assert "assessment.submitted" in types_of(receiver)
        assert "assessment.reviewed" in types_of(receiver)
        submitted = next(p for p in receiver.received if p["type"] == "assessment.submitted")
        assert submitted["data"]["tax_code"] == world.a.enterprise.tax_code
        assert submitted["data"]["grade"]
        assert {d.status for d in _deliveries()} == {DeliveryStatus.DELIVERED}
        headers = receiver.headers[0]
        assert headers["webhook-id"].startswith("evt_")


def test_second_submission_reports_grade_change_and_report_ready(app, world, receiver,
                                                                 endpoint):
    answers = dict(factories.ANSWERS, **{"ORG-2": "yes", "ORG-3": "yes", "SCR-3": "yes"})
    with app.test_request_context():
        factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
        factories.submit_assessment(world.a.enterprise, world.a.officer, answers=answers)
        db.session.commit()
    types = types_of(receiver)
    assert types.count("assessment.submitted") == 2
    assert "report.ready" in types
    changed = [p for p in receiver.received if p["type"] == "grade.changed"]
    for payload in changed:
        assert payload["data"]["grade_before"] != payload["data"]["grade_after"]


def test_area_level_change_is_delivered(app, world, receiver, endpoint):
    with app.test_request_context():
        area = db.session.get(type(world.a.district), world.a.district.id)
        regrade.set_area_level(area, 4, date(2020, 1, 1), None)
        db.session.commit()
    payload = next(p for p in receiver.received if p["type"] == "area_level.changed")
    assert payload["data"]["area_id"] == world.a.district.id
    assert payload["data"]["level"] == 4


def test_overdue_action_is_reported_once(app, world, receiver, endpoint):
    from riskapp.models import RemediationAction
    from riskapp.webhooks import overdue

    with app.test_request_context():
        factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
        ids = set(db.session.scalars(select(RemediationAction.id)))
        assert ids
        assert overdue.emit_new(ids) == len(ids)
        db.session.commit()
        assert overdue.emit_new(ids) == 0
    assert types_of(receiver).count("action.overdue") == len(ids)


def _emit(world, type_="assessment.submitted"):
    event = events.emit(type_, world.a.province.id, {"enterprise_id": world.a.enterprise.id},
                        enterprise_id=world.a.enterprise.id)
    db.session.commit()
    return event


def test_retries_after_500_then_delivers(app, world, receiver, endpoint):
    receiver.answers = [500, 502]
    with app.test_request_context():
        _emit(world)
        row = _deliveries()[0]
        assert row.status == DeliveryStatus.DELIVERED
        assert row.attempts == 3
    assert len(receiver.received) == 1


def test_dead_after_last_attempt_and_retry_from_dead_letters(app, world, receiver, endpoint):
    receiver.answers = [500] * delivery.ATTEMPTS
    with app.test_request_context():
        _emit(world)
        row = _deliveries()[0]
        assert row.status == DeliveryStatus.DEAD
        assert row.last_status_code == 500
        assert receiver.received == []
        delivery.enqueue(row)  # what the dead-letter list's "retry" does
        row.status = DeliveryStatus.PENDING
        db.session.commit()
        db.session.refresh(row)
        assert row.status == DeliveryStatus.DELIVERED
    assert len(receiver.received) == 1


def test_gone_disables_the_endpoint(app, world, receiver, endpoint):
    receiver.answers = [410]
    with app.test_request_context():
        _emit(world)
        row = _deliveries()[0]
        assert row.status == DeliveryStatus.DEAD
        hook = db.session.get(WebhookEndpoint, endpoint)
        assert hook.active is False
        assert row.attempts == 1
        _emit(world)
        assert len(_deliveries()) == 1  # a disabled endpoint gets nothing more


def test_dispatching_twice_delivers_once(app, world, receiver, endpoint):
    with app.test_request_context():
        event = _emit(world)
        assert delivery.dispatch(db.session.get(ChangeEvent, event.id)) == 0
        db.session.commit()
        row = _deliveries()[0]
        assert delivery.deliver_task(row.id) == "nothing to do"
        items = db.session.scalars(select(WorkItem)).all()
        assert len(items) == 1
    assert len(receiver.received) == 1


def test_unsubscribed_type_is_not_delivered(app, world, receiver, endpoint):
    with app.test_request_context():
        hook = db.session.get(WebhookEndpoint, endpoint)
        hook.events = ["report.ready"]
        db.session.commit()
        _emit(world)
        assert _deliveries() == []


def test_other_province_endpoint_gets_nothing(app, world, receiver, endpoint):
    with app.test_request_context():
        hook = db.session.get(WebhookEndpoint, endpoint)
        hook.province_id = world.b.province.id
        db.session.commit()
        _emit(world)
        assert _deliveries() == []


def test_backoff_is_exponential_and_capped(app):
    from riskapp.jobs import outbox

    with app.app_context():
        waits = [delivery.backoff(n).total_seconds() for n in range(1, 8)]
        assert waits == [30, 120, 480, 1920, 3600, 3600, 3600]
        # The outbox waits by it between the attempts of a delivery.
        assert outbox.spec_of(delivery.TASK).backoff is delivery.backoff


def test_a_failed_attempt_waits_by_the_webhook_backoff(app):
    from riskapp.jobs import outbox
    from riskapp.models.types import utcnow

    with app.test_request_context():
        item = outbox.add(delivery.TASK, [0])
        db.session.commit()
        outbox.claim(item.id, "worker-1")
        outbox.fail(item.id, "worker-1", "HTTP 500")
        item = db.session.get(WorkItem, item.id, populate_existing=True)
        wait = (outbox._aware(item.available_at) - utcnow()).total_seconds()
        assert 25 < wait <= 30


def test_a_reviewer_decision_is_delivered(app, world, receiver, endpoint):
    from riskapp.models import Grade, Province, ReviewDecision
    from riskapp.reviews import services as reviews

    with app.test_request_context():
        db.session.get(Province, world.a.province.id).review_grades = ",".join(
            grade.value for grade in Grade)
        submitted = factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
        assert "assessment.reviewed" not in types_of(receiver)  # pending, not decided
        reviews.decide(submitted, ReviewDecision.RETURNED, world.a.admin, "Fix ORG-2")
        db.session.commit()
    reviewed = [p for p in receiver.received if p["type"] == "assessment.reviewed"]
    assert [p["data"]["decision"] for p in reviewed] == ["returned"]
    assert reviewed[0]["data"]["assessment_id"] == submitted.id


def _rotate(app, endpoint_id):
    with app.test_request_context():
        from riskapp.webhooks import services

        row = db.session.get(WebhookEndpoint, endpoint_id)
        old = row.secret
        until = services.rotate_secret(row, None)
        db.session.commit()
        return old, row.secret, until


def _send_test(app, endpoint_id):
    with app.test_request_context():
        from riskapp.webhooks import services

        services.send_test(db.session.get(WebhookEndpoint, endpoint_id), None)
        db.session.commit()


def test_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends(app, world, receiver,
                                                                        endpoint):
    from standardwebhooks import Webhook

    old, new, until = _rotate(app, endpoint)
    assert new != old and new.startswith("whsec_")
    _send_test(app, endpoint)  # the receiver still verifies with the old secret
    headers = receiver.headers[-1]
    assert len(headers["webhook-signature"].split()) == 2
    body = receiver.raw[-1]
    assert Webhook(new).verify(body, headers)["type"] == "webhook.test"
    # After the overlap only the new secret signs: the receiver with the old one refuses.
    with app.app_context():  # the overlap ran out a minute ago
        row = db.session.get(WebhookEndpoint, endpoint)
        row.previous_secret_until = until - timedelta(hours=24, minutes=1)
        db.session.commit()
    receiver.secret = new
    _send_test(app, endpoint)
    assert len(receiver.headers[-1]["webhook-signature"].split()) == 1
    receiver.secret = old
    _send_test(app, endpoint)
    with app.app_context():
        last = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc())
                                  ).first()
        assert last.status != DeliveryStatus.DELIVERED
