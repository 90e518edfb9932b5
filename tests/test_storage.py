"""Files staged with the session: published when its transaction commits, removed when it rolls
back or ends uncommitted; a storage that cannot be written to is a clear 503, web and API."""

from __future__ import annotations

import html
import logging
from pathlib import Path

import pytest

from riskapp import storage
from riskapp.db import db
from tests.storage_faults import files_under, full_disk


def test_a_staged_file_is_published_under_its_name_on_commit(ctx, tmp_path):
    storage.stage(tmp_path / "a" / "one", b"first")
    assert files_under(tmp_path) == ["a/one.part"]
    db.session.commit()
    assert files_under(tmp_path) == ["a/one"]
    assert (tmp_path / "a" / "one").read_bytes() == b"first"


def test_a_rollback_or_an_uncommitted_end_removes_what_was_staged(ctx, tmp_path):
    storage.stage(tmp_path / "one", b"first")
    db.session.rollback()
    assert files_under(tmp_path) == []
    storage.stage(tmp_path / "two", b"second")
    db.session.close()
    assert files_under(tmp_path) == []
    db.session.commit()
    assert files_under(tmp_path) == []


def test_a_released_savepoint_waits_for_the_real_commit(ctx, tmp_path):
    with db.session.begin_nested():
        storage.stage(tmp_path / "inner", b"inner")
    assert files_under(tmp_path) == ["inner.part"]
    db.session.rollback()
    assert files_under(tmp_path) == []


def test_a_savepoint_rolled_back_removes_its_own_files_only(ctx, tmp_path):
    storage.stage(tmp_path / "outer", b"outer")
    savepoint = db.session.begin_nested()
    storage.stage(tmp_path / "inner", b"inner")
    savepoint.rollback()
    assert files_under(tmp_path) == ["outer.part"]
    db.session.commit()
    assert files_under(tmp_path) == ["outer"]


def test_a_failed_write_removes_its_partial_file_logs_and_says_storage_failed(
        ctx, tmp_path, monkeypatch, caplog):
    full_disk(monkeypatch, after=1)
    storage.stage(tmp_path / "one", b"first")
    with pytest.raises(storage.StorageUnavailable), caplog.at_level(logging.ERROR):
        storage.stage(tmp_path / "two", b"second")
    assert files_under(tmp_path) == ["one.part"]  # the request's rollback removes it
    assert "No space left on device" in caplog.text
    db.session.rollback()
    assert files_under(tmp_path) == []


def test_a_failure_while_staging_by_hand_removes_the_temporary_file(ctx, tmp_path):
    with pytest.raises(RuntimeError), storage.staging(tmp_path / "report.zip") as temporary:
        temporary.write_bytes(b"half an archive")
        raise RuntimeError("a report failed to render")
    db.session.commit()
    assert files_under(tmp_path) == []


def test_a_removal_happens_on_commit_only(ctx, tmp_path):
    kept = tmp_path / "kept"
    kept.write_bytes(b"kept")
    storage.remove_on_commit(kept)
    db.session.rollback()
    assert kept.is_file()
    storage.remove_on_commit(kept)
    assert kept.is_file()
    db.session.commit()
    assert not kept.exists()


@pytest.mark.parametrize("lang, words", [
    ("en", "The file could not be stored: the server's storage cannot be written to"),
    ("vi", "Không lưu được tệp: hiện không ghi được vào bộ nhớ lưu trữ của máy chủ"),
])
def test_a_storage_failure_is_a_clear_503_problem_on_the_api_and_a_page_on_the_web(
        dedicated_app, tmp_path, monkeypatch, lang, words):
    app = dedicated_app(PROPAGATE_EXCEPTIONS=False, TESTING=False, BABEL_DEFAULT_LOCALE=lang)

    def store_two():
        storage.stage(tmp_path / "one", b"first")
        storage.stage(tmp_path / "two", b"second")
        db.session.commit()
        return "stored"

    app.add_url_rule("/api/v1/_test/store", "api_store", store_two)
    app.add_url_rule("/_test/store", "web_store", store_two)
    full_disk(monkeypatch, after=1)
    client = app.test_client()
    api = client.get("/api/v1/_test/store")
    assert (api.status_code, api.mimetype) == (503, "application/problem+json")
    assert api.get_json()["status"] == 503 and words in api.get_json()["detail"]
    web = client.get("/_test/store")
    assert web.status_code == 503 and words in html.unescape(web.get_data(as_text=True))
    assert files_under(tmp_path) == []


def test_the_hourly_sweep_removes_only_old_leftover_parts(app):
    """A crash between a commit and its rename leaves a .part; the dispatcher's sweep removes
    it once it is older than any write, and leaves files in use and final files alone."""
    import os
    import time

    from riskapp.jobs.dispatcher import prune

    storage_dir = Path(app.config["STORAGE_DIR"])
    (storage_dir / "evidence").mkdir(parents=True, exist_ok=True)
    old = storage_dir / "evidence" / "lost.jpg.part"
    fresh = storage_dir / "evidence" / "writing.jpg.part"
    final = storage_dir / "evidence" / "kept.jpg"
    for path in (old, fresh, final):
        path.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(final, (two_days_ago, two_days_ago))
    prune(app)
    assert not old.exists()
    assert fresh.exists() and final.exists()
