"""Each test stores its files in a folder of its own, so what is on disk is this test's alone."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_storage(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "storage"))
