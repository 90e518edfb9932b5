"""Each test stores its files in a folder of its own, so what is on disk is this test's alone."""

from __future__ import annotations

import pytest

from riskapp.assessments import services as assessment_services
from riskapp.db import db


@pytest.fixture(autouse=True)
def own_storage(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "storage"))


@pytest.fixture
def draft_id(app, world):
    with app.test_request_context():
        draft = assessment_services.start_draft(world.a.enterprise, world.a.officer)
        db.session.commit()
        return draft.id
