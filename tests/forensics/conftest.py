"""Assessments with photos, submitted through the services, and a storage folder per test."""

from __future__ import annotations

import pytest

from riskapp.assessments import services as assessment_services
from riskapp.db import db
from riskapp.evidence import services as evidence_services
from tests import factories


@pytest.fixture(autouse=True)
def own_storage(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "storage"))


@pytest.fixture(autouse=True)
def no_scan_on_submit(app, monkeypatch):
    """The tests call the detectors themselves (one test checks the submit's own job)."""
    monkeypatch.setitem(app.config, "FORENSICS_ON_SUBMIT", False)


def submit_with_photos(enterprise, user, photos=(), answers=None, item="ORG-2"):
    """A submitted assessment of the enterprise with these JPEG files on one item."""
    draft = assessment_services.start_draft(enterprise, user)
    assessment_services.save_draft(draft, answers or factories.ANSWERS, {}, draft.lock_version,
                                   user)
    for number, data in enumerate(photos):
        evidence_services.store_evidence(
            draft, item, evidence_services.Upload(f"anh-{number}.jpg", data), user)
    submitted = assessment_services.submit(draft, user)
    db.session.flush()
    return submitted
