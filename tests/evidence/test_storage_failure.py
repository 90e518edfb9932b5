"""A storage that fails mid-upload: nothing half-written stays, the officer is told why in their
language, the draft is kept; files appear under their names only once the request commits."""

from __future__ import annotations

import html
import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from riskapp.assessments import services as assessment_services
from riskapp.db import db
from riskapp.evidence import services
from riskapp.models import Assessment, AuditLog, Evidence
from tests.evidence.support import (
    evidence_rows,
    jpeg_bytes,
    make_evidence,
    pdf_bytes,
    png_bytes,
    upload,
)
from tests.storage_faults import files_under, full_disk

ENGLISH = ("The file could not be stored: the server's storage cannot be written to right now "
           "(it may be full or read-only). Nothing was saved; try again later or tell your "
           "administrator.")
VIETNAMESE = ("Không lưu được tệp: hiện không ghi được vào bộ nhớ lưu trữ của máy chủ (có thể đã "
              "đầy hoặc chỉ cho phép đọc). Không có gì được lưu; vui lòng thử lại sau hoặc báo "
              "cho quản trị viên.")
ANSWERS = {"ORG-1": "yes", "CTX-1": "250"}


def _stored_files(app) -> list[str]:
    return files_under(Path(app.config["STORAGE_DIR"]))


def _uploads_logged(app) -> list[AuditLog]:
    with app.app_context():
        return list(db.session.scalars(
            select(AuditLog).where(AuditLog.action == "evidence_uploaded")))


@pytest.fixture
def answered_draft(app, world, draft_id):
    with app.test_request_context():
        draft = db.session.get(Assessment, draft_id)
        assessment_services.save_draft(draft, ANSWERS, {}, draft.lock_version, world.a.officer)
        db.session.commit()
    return draft_id


@pytest.mark.parametrize("lang, message", [("en", ENGLISH), ("vi", VIETNAMESE)])
def test_a_full_disk_mid_upload_leaves_nothing_and_says_so(
        app, world, login_as, answered_draft, monkeypatch, caplog, lang, message):
    storage_dir = app.config["STORAGE_DIR"]
    client = login_as(world.a.officer)
    client.get(f"/lang/{lang}")
    # The photo and its thumbnail are written whole; the PDF fails half-way.
    opened = full_disk(monkeypatch, after=2)
    response = upload(client, answered_draft, ("ảnh.jpg", jpeg_bytes()),
                      ("Biên bản.pdf", pdf_bytes()), ("sơ đồ.png", png_bytes()))
    assert len(opened) == 3
    assert response.status_code == 503
    assert message in html.unescape(response.get_data(as_text=True))
    assert _stored_files(app) == []
    assert evidence_rows(app, answered_draft) == []
    assert _uploads_logged(app) == []
    with app.app_context():
        assert db.session.get(Assessment, answered_draft).answers == ANSWERS
    assert any(record.levelno >= logging.ERROR and "No space left on device" in record.getMessage()
               for record in caplog.records)
    # Once the storage is back, the same upload goes through.
    monkeypatch.undo()
    monkeypatch.setitem(app.config, "STORAGE_DIR", storage_dir)
    assert upload(client, answered_draft, ("ảnh.jpg", jpeg_bytes())).status_code == 302


def test_a_later_error_in_the_request_removes_the_files_it_wrote(
        app, world, login_as, draft_id, monkeypatch):
    real_record = services.record
    calls = []

    def record_then_fail(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise RuntimeError("the audit log refused the second entry")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(services, "record", record_then_fail)
    client = login_as(world.a.officer)
    response = upload(client, draft_id, ("một.png", png_bytes()), ("hai.png", png_bytes()))
    assert response.status_code == 500
    assert _stored_files(app) == []
    assert evidence_rows(app, draft_id) == []


def test_files_appear_under_their_names_only_once_the_request_commits(app, world, draft_id):
    with app.test_request_context():
        draft = db.session.get(Assessment, draft_id)
        evidence = make_evidence(draft, world.a.officer)
        names = sorted(f"evidence/{name}" for name in (evidence.stored_name,
                                                        evidence.thumbnail_name))
        staged = _stored_files(app)
        assert len(staged) == 2 and all(name.endswith(".part") for name in staged)
        # Nothing is served before the commit, least of all a file still being written.
        assert services.read(evidence) is None
        db.session.commit()
        assert _stored_files(app) == names
        assert services.read(evidence).startswith(b"\xff\xd8\xff")


def test_a_rollback_after_a_successful_write_leaves_no_file(app, world, draft_id):
    with app.test_request_context():
        draft = db.session.get(Assessment, draft_id)
        make_evidence(draft, world.a.officer)
        make_evidence(draft, world.a.officer, name="Biên bản.pdf", data=pdf_bytes())
        assert len(_stored_files(app)) == 3
        db.session.rollback()
        assert _stored_files(app) == []
    assert evidence_rows(app, draft_id) == []


def test_a_deletion_rolled_back_keeps_the_file_and_a_committed_one_removes_it(
        app, world, draft_id):
    with app.test_request_context():
        draft = db.session.get(Assessment, draft_id)
        evidence = make_evidence(draft, world.a.officer, name="Biên bản.pdf", data=pdf_bytes())
        db.session.commit()
        path = services.path_of(evidence.stored_name)
        services.delete(evidence, world.a.officer)
        assert path.is_file()  # until the commit
        db.session.rollback()
        assert path.is_file()
        services.delete(db.session.get(Evidence, evidence.id), world.a.officer)
        db.session.commit()
        assert not path.exists() and _stored_files(app) == []
