"""The phone finding form's extras: a finding sent again under the same browser-made id is one
finding; the place and time are stored only as a whole and within range; photos go through the
evidence rules and belong to the finding, not to the officer's answers."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from sqlalchemy import func, select

from riskapp.audit import capture
from riskapp.db import db
from riskapp.evidence import services as evidence
from riskapp.models import Evidence, Finding
from tests.evidence.support import jpeg_bytes

CLIENT = "5b0c3a52-7a1e-4c55-9d0e-2f4f2a1c9b10"


def _send(client, assessment_id, photos=(), json=True, **fields):
    data = {"visited_on": "2026-01-20", "outcome": "differs", "observed-HYG-1": "no",
            "client_id": CLIENT, "latitude": "19.8067", "longitude": "105.7852",
            "accuracy_m": "12.5", "observed_at": "2026-01-20T03:05:00.000Z", **fields}
    data["photos"] = [(io.BytesIO(body), name) for name, body in photos]
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/audit/assessments/{assessment_id}/finding", data=data,
                       headers=headers, content_type="multipart/form-data")


def _findings(app):
    """The stored findings, detached with their columns loaded."""
    with app.app_context():
        found = db.session.scalars(select(Finding)).all()
        db.session.expunge_all()
        return found


def test_the_same_client_id_twice_is_one_finding(app, assessment_id, auditor):
    first = _send(auditor, assessment_id, photos=[("site.jpg", jpeg_bytes())])
    assert first.status_code == 200, first.get_data(as_text=True)
    again = _send(auditor, assessment_id, photos=[("site.jpg", jpeg_bytes())])
    assert again.status_code == 200
    assert again.get_json()["finding_id"] == first.get_json()["finding_id"]
    [finding] = _findings(app)
    assert finding.client_id == CLIENT
    assert (finding.latitude, finding.longitude, finding.accuracy_m) == (19.8067, 105.7852, 12.5)
    moment = finding.observed_at  # SQLite gives it back without its zone (stored in UTC)
    assert (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) == datetime(
        2026, 1, 20, 3, 5, tzinfo=UTC)
    with app.app_context():
        photos = evidence.finding_photos(finding.id)
        assert len(photos) == 1 and photos[0].content_type == evidence.JPEG
        assert b"Exif" not in evidence.read(photos[0])  # through the evidence rules
        photo_id = photos[0].id
        # The auditor's photo is not one of the officer's evidence files.
        assert evidence.evidence_of(assessment_id) == []
    # The assessment's page shows where and when, and the photo through the evidence route.
    page = auditor.get(f"/audit/assessments/{assessment_id}").get_data(as_text=True)
    assert "19.80670, 105.78520" in page and "(within 12 m)" in page
    assert f"/evidence/{photo_id}/thumbnail" in page
    assert f'data-clients="{CLIENT}"' in page  # the phone drops its copy of a recorded finding
    assert auditor.get(f"/evidence/{photo_id}").status_code == 200
    # A plain form post (no script) with the same id lands on the same finding too.
    plain = _send(auditor, assessment_id, json=False)
    assert plain.status_code == 302 and len(_findings(app)) == 1


def test_another_client_id_is_another_finding(app, assessment_id, auditor):
    assert _send(auditor, assessment_id).status_code == 200
    assert _send(auditor, assessment_id, client_id="other-id-123").status_code == 200
    assert len(_findings(app)) == 2


def test_the_id_is_per_auditor(app, world, assessment_id, auditor, login_as):
    """Another recorder sending the same id (a copied phone, a guess) makes their own finding."""
    assert _send(auditor, assessment_id).status_code == 200
    admin = login_as(world.a.admin)
    assert _send(admin, assessment_id).status_code == 200
    assert len(_findings(app)) == 2


def test_a_partial_or_impossible_position_is_not_kept(app, assessment_id, auditor):
    reply = _send(auditor, assessment_id, latitude="123", observed_at="not a time",
                  client_id="<script>")
    assert reply.status_code == 200
    [finding] = _findings(app)
    assert (finding.latitude, finding.longitude, finding.accuracy_m) == (None, None, None)
    assert finding.observed_at is None and finding.client_id is None


def test_refused_answers_come_back_as_json_and_nothing_is_stored(app, assessment_id, auditor):
    reply = _send(auditor, assessment_id, **{"observed-HYG-1": "", "observed-HYG-2": "150"})
    assert reply.status_code == 400
    assert "HYG-2" in reply.get_json()["errors"]
    assert _findings(app) == []


def test_a_refused_photo_keeps_the_finding_and_says_why(app, assessment_id, auditor):
    reply = _send(auditor, assessment_id, photos=[("fake.jpg", b"<html>not a photo")])
    assert reply.status_code == 200
    assert "fake.jpg" in reply.get_json()["refused"][0]
    [finding] = _findings(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
        assert finding.id


def test_a_parallel_send_of_the_same_id_answers_with_the_stored_finding(
        app, assessment_id, auditor, monkeypatch):
    """Two sends race past the check: the unique index keeps one, the loser answers with it."""
    first = _send(auditor, assessment_id).get_json()["finding_id"]
    real = capture.already_recorded
    calls = []

    def raced(client):
        calls.append(client)
        return None if len(calls) == 1 else real(client)  # the check saw nothing yet

    monkeypatch.setattr(capture, "already_recorded", raced)
    again = _send(auditor, assessment_id)
    assert again.status_code == 200 and again.get_json()["finding_id"] == first
    assert len(_findings(app)) == 1 and len(calls) == 2
