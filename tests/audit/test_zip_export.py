"""ZIP export of the latest reports of the auditor's filtered list, built as a background job."""

from __future__ import annotations

import csv
import errno
import io
import uuid
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from riskapp import immutable
from riskapp.db import db
from riskapp.models import AuditLog, Job, JobStatus, Report, ReportStatus
from tests.audit.support import report_row, submitted
from tests.storage_faults import files_under

INDEX = "index.csv"


@pytest.fixture
def assessed(app, world):
    return {
        "inside": submitted(app, world.a.enterprise, world.a.officer),
        "outside": submitted(app, world.a.enterprise_elsewhere, world.a.officer),
    }


def _start(client, **filters) -> str:
    response = client.post("/audit/exports", data=filters)
    assert response.status_code == 302
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_zip_holds_the_latest_reports_of_the_filtered_enterprises_only(
    app, world, assessed, auditor
):
    job_id = _start(auditor)
    status = auditor.get(f"/audit/exports/{job_id}/status").get_json()
    assert status["status"] == "done"
    assert (status["progress"], status["total"], status["percent"]) == (1, 1, 100)
    assert status["download_url"].endswith(f"/audit/exports/{job_id}/download")

    download = auditor.get(status["download_url"])
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    # Tax code, the enterprise's name readable without diacritics, and the assessment date.
    pdf_name = "2800000001-cong-ty-may-dong-hoa-th-2026-01-15.pdf"
    assert sorted(archive.namelist()) == [pdf_name, INDEX]
    stored = report_row(app, assessed["inside"]).pdf
    assert archive.read(pdf_name) == stored


def test_zip_download_is_logged_for_each_enterprise(app, world, assessed, auditor):
    job_id = _start(auditor)
    auditor.get(f"/audit/exports/{job_id}/download")
    with app.app_context():
        entries = db.session.execute(
            select(AuditLog.enterprise_id, AuditLog.user_id, AuditLog.details).where(
                AuditLog.action == "report_downloaded"
            )
        ).all()
    assert [(e.enterprise_id, e.user_id, e.details["via"]) for e in entries] == [
        (world.a.enterprise.id, world.a.auditor.id, "zip")
    ]


def test_filters_apply_to_the_zip(app, world, assessed, auditor):
    job_id = _start(auditor, grade="high")
    status = auditor.get(f"/audit/exports/{job_id}/status").get_json()
    assert (status["status"], status["total"]) == ("done", 0)
    archive = zipfile.ZipFile(io.BytesIO(auditor.get(f"/audit/exports/{job_id}/download").data))
    assert archive.namelist() == [INDEX]


def test_a_missing_report_is_rendered_by_the_job(app, world, assessed, auditor):
    with app.app_context():
        # An issued report goes only with an operator's bypass (riskapp.immutable).
        with immutable.maintenance(db.session.connection()):
            db.session.execute(
                Report.__table__.delete().where(Report.assessment_id == assessed["inside"])
            )
        db.session.commit()
    job_id = _start(auditor)
    archive = zipfile.ZipFile(io.BytesIO(auditor.get(f"/audit/exports/{job_id}/download").data))
    assert len(archive.namelist()) == 2  # the report and the index
    assert report_row(app, assessed["inside"]).status == ReportStatus.READY


def test_job_runs_in_the_background_and_the_page_shows_progress(
    app, world, assessed, auditor, held_work
):
    job_id = _start(auditor)
    assert held_work.tasks() == [("riskapp.audit.services:build_zip_task", (job_id,))]

    page = auditor.get(f"/audit/exports/{job_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<noscript><meta http-equiv="refresh"' in text  # works without JavaScript
    assert "/static/js/audit.js" in text
    assert f'data-status-url="/audit/exports/{job_id}/status"' in text
    assert auditor.get(f"/audit/exports/{job_id}/status").get_json()["status"] == "queued"
    # Not ready yet: the download link leads back to the progress page.
    assert auditor.get(f"/audit/exports/{job_id}/download").status_code == 302


def test_done_page_has_no_refresh(app, world, assessed, auditor):
    job_id = _start(auditor)
    text = auditor.get(f"/audit/exports/{job_id}").get_data(as_text=True)
    assert "http-equiv" not in text
    assert f"/audit/exports/{job_id}/download" in text


def test_another_users_job_answers_404(app, world, assessed, auditor, login_as):
    job_id = _start(auditor)
    other = login_as(world.b.auditor)
    for suffix in ("", "/status", "/download"):
        assert other.get(f"/audit/exports/{job_id}{suffix}").status_code == 404
    officer = login_as(world.a.officer)
    assert officer.get(f"/audit/exports/{job_id}/status").status_code == 404
    assert login_as(world.a.auditor).get(f"/audit/exports/{uuid.uuid4()}/status").status_code == 404


def test_failed_job_says_so(app, world, assessed, auditor, monkeypatch):
    from riskapp.audit import services

    def broken(_job):
        raise OSError("disk full")

    monkeypatch.setattr(services, "_build_zip", broken)
    job_id = _start(auditor)
    status = auditor.get(f"/audit/exports/{job_id}/status").get_json()
    assert status["status"] == "failed"
    assert "disk full" in status["error"]
    with app.app_context():
        assert db.session.get(Job, job_id).status == JobStatus.FAILED


def _index_rows(archive: zipfile.ZipFile) -> list[list[str]]:
    text = archive.read(INDEX).decode("utf-8-sig")  # with a BOM: Excel then reads it as UTF-8
    return list(csv.reader(io.StringIO(text)))


def test_zip_index_lists_each_report_with_its_file(app, world, assessed, auditor):
    job_id = _start(auditor)
    archive = zipfile.ZipFile(io.BytesIO(auditor.get(f"/audit/exports/{job_id}/download").data))
    header, *rows = _index_rows(archive)
    assert header == ["Tax code", "Enterprise", "Area at the time", "Area today", "Risk grade",
                      "Assessment date", "Submitted on", "File"]
    assert len(rows) == 1
    tax_code, name, area_then, area_now, grade, assessed_on, submitted_on, file_name = rows[0]
    assert (tax_code, name, grade, assessed_on) == (
        "2800000001", "Công ty May Đông Hòa TH", "low", "2026-01-15")
    assert area_then == area_now == "Huyện Đông Sơn TH › Xã Đông Hòa TH"
    assert len(submitted_on) == 10 and submitted_on[4] == "-"
    assert file_name in archive.namelist()


def test_zip_index_keeps_the_area_an_assessment_was_made_in(app, world, assessed, auditor):
    from riskapp.models import Enterprise

    with app.app_context():  # moved since, still inside the auditor's district
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        enterprise.area_id = world.a.district.id
        db.session.commit()
    job_id = _start(auditor)
    archive = zipfile.ZipFile(io.BytesIO(auditor.get(f"/audit/exports/{job_id}/download").data))
    _header, row = _index_rows(archive)
    assert (row[2], row[3]) == ("Huyện Đông Sơn TH › Xã Đông Hòa TH", "Huyện Đông Sơn TH")


def test_zip_index_cells_never_start_a_formula(app, world, assessed, auditor):
    from riskapp.models import Enterprise

    with app.app_context():
        db.session.get(Enterprise, world.a.enterprise.id).name = '=HYPERLINK("http://x","y")'
        db.session.commit()
    job_id = _start(auditor)
    archive = zipfile.ZipFile(io.BytesIO(auditor.get(f"/audit/exports/{job_id}/download").data))
    _header, row = _index_rows(archive)
    assert not row[1].startswith(("=", "+", "-", "@"))
    assert "HYPERLINK" in row[1]
    assert row[7] == "2800000001-hyperlink-http-x-y-2026-01-15.pdf" in archive.namelist()


@pytest.fixture
def exports(app, tmp_path, monkeypatch) -> Path:
    """This test's own exports folder, so what is on disk is its alone."""
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path))
    return tmp_path / "exports"


def _failed_and_nothing_on_disk(auditor, job_id: str, exports: Path) -> None:
    assert auditor.get(f"/audit/exports/{job_id}/status").get_json()["status"] == "failed"
    assert files_under(exports) == []
    assert auditor.get(f"/audit/exports/{job_id}/download").status_code == 302


def test_a_zip_whose_build_fails_leaves_no_file(app, world, assessed, auditor, exports,
                                                monkeypatch):
    from riskapp.audit import services

    real_write_reports = services._write_reports

    def write_then_fill_up(archive, job, targets):
        real_write_reports(archive, job, targets)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(services, "_write_reports", write_then_fill_up)
    _failed_and_nothing_on_disk(auditor, _start(auditor), exports)


def test_a_zip_written_whole_but_not_committed_leaves_no_file(app, world, assessed, auditor,
                                                              exports, monkeypatch):
    from riskapp.audit import services

    def name_fails(_job):
        raise RuntimeError("the file name could not be made")

    # The archive is complete when its name is made, just before the job's last commit.
    monkeypatch.setattr(services, "_result_name", name_fails)
    _failed_and_nothing_on_disk(auditor, _start(auditor), exports)
