"""Report delivery: rendered once in the background, stored, served with an ETag, logged."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest
from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Assessment, AssessmentStatus, AuditLog, Grade, Report, ReportStatus
from riskapp.reports import render
from riskapp.reports import services as report_services
from tests.audit.support import pdf_text, report_row, submitted


@pytest.fixture
def assessment_id(app, world):
    return submitted(app, world.a.enterprise, world.a.officer)


def _url(assessment_id: int, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/reports/assessment/{assessment_id}.pdf" + (f"?{query}" if query else "")


def test_submit_renders_and_stores_a_signed_pdf_with_vietnamese_text(app, world, assessment_id):
    report = report_row(app, assessment_id)
    assert report.status == ReportStatus.READY
    assert report.public_id == f"RA-2026-{report.id:06d}"
    assert report.sha256 == hashlib.sha256(report.pdf).hexdigest()
    assert report.size_bytes == len(report.pdf)
    assert report.payload["verification_code"] == report.verification_code
    text = pdf_text(report.pdf)
    assert "Công ty May Đông Hòa TH" in text
    assert "Báo cáo đánh giá nguy cơ lây nhiễm" in text
    assert "Thấp" in text  # the grade, in Vietnamese
    assert "Thành lập Tổ an toàn COVID" in text  # the ORG-2 remediation action
    # The industry and the action's status (when the report was made) in the web's words.
    assert "C – Công nghiệp chế biến, chế tạo (14)" in text
    assert "chưa làm" in text
    assert "Huyện Đông Sơn TH" in text and "Xã Đông Hòa TH" in text  # the area path
    assert report.verification_code in text


def test_officer_downloads_the_stored_bytes_with_etag_and_readable_name(
    app, world, assessment_id, login_as
):
    client = login_as(world.a.officer)
    stored = report_row(app, assessment_id)
    response = client.get(_url(assessment_id))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == stored.pdf
    assert response.headers["ETag"] == f'"{stored.sha256}"'
    disposition = response.headers["Content-Disposition"]
    assert 'filename="bao-cao-2800000001-2026-01-15.pdf"' in disposition
    utf8_name = quote("Báo cáo Công ty May Đông Hòa TH 2026-01-15.pdf", safe="")
    assert "filename*=UTF-8''" + utf8_name in disposition


def test_if_none_match_answers_304_without_a_body(app, world, assessment_id, login_as):
    client = login_as(world.a.officer)
    etag = client.get(_url(assessment_id)).headers["ETag"]
    again = client.get(_url(assessment_id), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    changed = client.get(_url(assessment_id), headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200


def test_every_download_is_written_to_the_audit_log(app, world, assessment_id, login_as):
    login_as(world.a.auditor).get(_url(assessment_id))
    login_as(world.a.officer).get(_url(assessment_id))
    report = report_row(app, assessment_id)
    with app.app_context():
        entries = db.session.execute(
            select(AuditLog.user_id, AuditLog.enterprise_id, AuditLog.object_id, AuditLog.details)
            .where(AuditLog.action == "report_downloaded")
            .order_by(AuditLog.id)
        ).all()
    assert [e.user_id for e in entries] == [world.a.auditor.id, world.a.officer.id]
    assert {e.enterprise_id for e in entries} == {world.a.enterprise.id}
    assert {e.object_id for e in entries} == {str(report.id)}
    assert entries[0].details["report"] == report.public_id


@pytest.mark.parametrize(
    "who, expected",
    [
        ("officer", 200),
        ("auditor", 200),
        ("viewer", 200),
        ("admin", 200),
        ("other_officer", 404),
        ("other_auditor", 404),
        ("other_viewer", 404),
        ("platform_admin", 404),
    ],
)
def test_download_reach(app, world, assessment_id, login_as, who, expected):
    users = {
        "officer": world.a.officer,
        "auditor": world.a.auditor,
        "viewer": world.a.viewer,
        "admin": world.a.admin,
        "other_officer": world.b.officer,
        "other_auditor": world.b.auditor,
        "other_viewer": world.b.viewer,
        "platform_admin": world.platform_admin,
    }
    assert login_as(users[who]).get(_url(assessment_id)).status_code == expected


def test_auditor_outside_the_enterprise_area_gets_404(app, world, login_as):
    elsewhere = submitted(app, world.a.enterprise_elsewhere, world.a.officer)
    assert login_as(world.a.auditor).get(_url(elsewhere)).status_code == 404
    assert login_as(world.a.viewer).get(_url(elsewhere)).status_code == 200


def test_anonymous_is_sent_to_login(client, assessment_id):
    response = client.get(_url(assessment_id))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_drafts_have_no_report(app, world, login_as):
    from riskapp.assessments.services import start_draft
    from riskapp.models import Enterprise, User

    with app.test_request_context():
        enterprise = db.session.get(Enterprise, world.a.enterprise.id)
        draft = start_draft(enterprise, db.session.get(User, world.a.officer.id))
        db.session.commit()
        draft_id = draft.id
    assert login_as(world.a.officer).get(_url(draft_id)).status_code == 404


def test_english_report_is_queued_not_rendered_in_the_request(
    app, world, assessment_id, login_as, monkeypatch, held_work
):
    renders = []
    real_render = render.render_report
    monkeypatch.setattr(render, "render_report", lambda data: renders.append(data) or b"")
    client = login_as(world.a.officer)

    pending = client.get(_url(assessment_id, lang="en"))
    assert pending.status_code == 202
    page = pending.get_data(as_text=True)
    assert 'http-equiv="refresh"' in page
    assert "<script>" not in page
    assert renders == []
    en = report_row(app, assessment_id, "en")
    assert en.status == ReportStatus.PENDING
    assert held_work.tasks() == [(report_services.RENDER_TASK, (en.id, "http://localhost"))]

    # A second visit while pending queues nothing more.
    client.get(_url(assessment_id, lang="en"))
    assert len(held_work) == 1

    # The background worker runs the task; then the download serves the English PDF.
    monkeypatch.setattr(render, "render_report", real_render)
    with app.app_context():
        assert report_services.render_report_task(en.id) == "ready"
    ready = client.get(_url(assessment_id, lang="en"))
    assert ready.status_code == 200
    assert 'filename="report-2800000001-2026-01-15.pdf"' in ready.headers["Content-Disposition"]
    text = pdf_text(ready.data)
    assert "Workplace infection risk assessment report" in text
    assert "Appoint a COVID-safety team" in text
    assert "C – Manufacturing (14)" in text and "Công nghiệp" not in text
    assert "Assessment date" in text and "Ngày đánh giá" not in text
    assert report_row(app, assessment_id, "vi").verification_code != en.verification_code


def test_failed_render_is_stored_assessment_untouched_and_retry_renders(
    app, world, login_as, monkeypatch
):
    real_render = render.render_report

    def broken(_data):
        raise RuntimeError("font missing")

    monkeypatch.setattr(render, "render_report", broken)
    assessment_id = submitted(app, world.a.enterprise, world.a.officer)
    failed = report_row(app, assessment_id)
    assert failed.status == ReportStatus.FAILED
    assert "font missing" in failed.error
    assert failed.attempts == 3  # the outbox tried every attempt before it gave up
    assert failed.pdf is None
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment.status == AssessmentStatus.SUBMITTED
        assert assessment.grade == Grade.LOW

    client = login_as(world.a.officer)
    page = client.get(_url(assessment_id))
    assert page.status_code == 200
    assert "http-equiv" not in page.get_data(as_text=True)  # no endless refresh on failure
    assert f"/reports/assessment/{assessment_id}/retry" in page.get_data(as_text=True)

    monkeypatch.setattr(render, "render_report", real_render)
    retried = client.post(f"/reports/assessment/{assessment_id}/retry")
    assert retried.status_code == 302
    ready = report_row(app, assessment_id)
    assert ready.status == ReportStatus.READY
    assert ready.error is None
    assert ready.attempts == 4
    assert client.get(_url(assessment_id)).data == ready.pdf


def test_schedule_render_is_idempotent(app, world, assessment_id):
    with app.test_request_context():
        assessment = db.session.get(Assessment, assessment_id)
        again = report_services.schedule_render(assessment)
        db.session.commit()
        assert len(db.session.scalars(select(Report)).all()) == 1
        assert again.status == ReportStatus.READY


def test_officer_sees_who_downloaded_their_reports(app, world, assessment_id, login_as):
    login_as(world.a.auditor).get(_url(assessment_id))
    page = login_as(world.a.officer).get("/reports/downloads")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Trần Văn Kiểm" in text
    assert report_row(app, assessment_id).public_id in text

    other = login_as(world.b.officer).get("/reports/downloads").get_data(as_text=True)
    assert "Trần Văn Kiểm" not in other
    assert login_as(world.a.auditor).get("/reports/downloads").status_code == 404
