"""Evidence: what is accepted, what is refused, where it lands, who may see it, where it shows."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from riskapp.assessments import services as assessment_services
from riskapp.assessments.forms import field_name
from riskapp.db import db
from riskapp.evidence import services
from riskapp.models import Assessment, AuditLog
from riskapp.reports import services as report_services
from tests import factories
from tests.evidence.support import (
    CAMERA_MAKE,
    ITEM,
    VIETNAMESE_NAME,
    evidence_rows,
    jpeg_bytes,
    make_evidence,
    pdf_bytes,
    png_bytes,
    upload,
    webp_bytes,
)


def _submit(app, assessment_id, world, answers=None):
    with app.test_request_context():
        draft = db.session.get(Assessment, assessment_id)
        assessment_services.save_draft(draft, answers or factories.ANSWERS, {},
                                       draft.lock_version, world.a.officer)
        assessment_services.submit(draft, world.a.officer)
        db.session.commit()


def test_photos_and_pdfs_are_accepted_and_stored_outside_static_under_random_names(
        app, world, login_as, draft_id):
    client = login_as(world.a.officer)
    response = upload(client, draft_id, (VIETNAMESE_NAME, jpeg_bytes()),
                       ("sơ đồ.png", png_bytes()), ("ảnh.webp", webp_bytes()),
                       ("Biên bản kiểm tra.pdf", pdf_bytes()))
    assert response.status_code == 302
    stored = evidence_rows(app, draft_id)
    assert [(e.original_name, e.content_type) for e in stored] == [
        (VIETNAMESE_NAME, "image/jpeg"), ("sơ đồ.png", "image/png"),
        ("ảnh.webp", "image/webp"), ("Biên bản kiểm tra.pdf", "application/pdf")]
    folder = Path(app.config["STORAGE_DIR"]) / "evidence"
    static = Path(app.static_folder).resolve()
    for evidence in stored:
        assert re.fullmatch(r"[0-9a-f]{32}", evidence.stored_name)
        path = (folder / evidence.stored_name).resolve()
        assert path.is_file() and static not in path.parents
        assert path.stat().st_size == evidence.size_bytes
    assert stored[3].thumbnail_name is None and all(e.thumbnail_name for e in stored[:3])
    on_disk = {p.name for p in folder.iterdir()}
    assert not any("Ảnh" in name or name.endswith((".jpg", ".pdf")) for name in on_disk)
    page = client.get(f"/evidence/assessments/{draft_id}/items/{ITEM}").get_data(as_text=True)
    assert VIETNAMESE_NAME in page and "Biên bản kiểm tra.pdf" in page
    with app.app_context():
        logged = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "evidence_uploaded")).all()
        assert sorted(entry.details["name"] for entry in logged) == sorted(
            e.original_name for e in stored)


@pytest.mark.parametrize("name, data, words", [
    ("ảnh giả.jpg", b"<!doctype html><html><script>alert(1)</script></html>",
     "is not a JPEG, PNG or WebP photo or a PDF"),
    ("trang.jpg", b"\xff\xd8\xff\xe0<html><body><script>alert(1)</script></body></html>",
     "is not a readable picture"),
    ("tài liệu.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n",
     "also carries web-page code"),
    ("ảnh.png", png_bytes()[:40], "is not a readable picture"),
    ("ảnh.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 garbage", "is not a readable picture"),
], ids=["html-named-jpg", "jpeg-html-polyglot", "pdf-html-polyglot", "truncated", "fake-webp"])
def test_files_that_are_not_what_they_claim_are_refused_by_name(
        app, world, login_as, draft_id, name, data, words):
    client = login_as(world.a.officer)
    response = upload(client, draft_id, (name, data))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert name in page and words in page
    assert evidence_rows(app, draft_id) == []
    assert not list((Path(app.config["STORAGE_DIR"]) / "evidence").glob("*"))


def test_an_oversized_file_is_refused_and_the_others_are_kept(
        app, world, login_as, draft_id, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_MB", 1)
    client = login_as(world.a.officer)
    big = jpeg_bytes(with_exif=False) + b"\0" * (1024 * 1024)
    response = upload(client, draft_id, ("ảnh lớn.jpg", big), ("ảnh nhỏ.jpg", jpeg_bytes()))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ảnh lớn.jpg is larger than 1 MB" in page
    assert [e.original_name for e in evidence_rows(app, draft_id)] == ["ảnh nhỏ.jpg"]


def test_a_picture_with_a_payload_appended_is_stored_as_the_picture_alone(
        app, world, login_as, draft_id):
    client = login_as(world.a.officer)
    payload = b"<html><script>alert(document.cookie)</script></html>"
    assert upload(client, draft_id, ("ảnh.jpg", jpeg_bytes() + payload)).status_code == 302
    (evidence,) = evidence_rows(app, draft_id)
    with app.app_context():
        stored = services.path_of(evidence.stored_name).read_bytes()
    assert payload not in stored and stored.startswith(b"\xff\xd8\xff")


def test_exif_is_stripped_and_the_thumbnail_is_a_small_jpeg(app, world, login_as, draft_id):
    original = jpeg_bytes(size=(1600, 1200))
    assert Image.open(io.BytesIO(original)).getexif().get(0x010F) == CAMERA_MAKE
    client = login_as(world.a.officer)
    upload(client, draft_id, (VIETNAMESE_NAME, original))
    (evidence,) = evidence_rows(app, draft_id)
    with app.app_context():
        stored = services.path_of(evidence.stored_name).read_bytes()
        thumbnail = services.path_of(evidence.thumbnail_name).read_bytes()
    for data in (stored, thumbnail):
        assert CAMERA_MAKE.encode() not in data
        assert not dict(Image.open(io.BytesIO(data)).getexif())
    small = Image.open(io.BytesIO(thumbnail))
    assert small.format == "JPEG" and max(small.size) == 320
    assert Image.open(io.BytesIO(stored)).size == (1600, 1200)


def test_an_answer_holds_at_most_five_files(app, world, login_as, draft_id):
    client = login_as(world.a.officer)
    files = [(f"ảnh {n}.png", png_bytes()) for n in range(6)]
    response = upload(client, draft_id, *files)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ảnh 5.png was not attached: an answer holds at most 5 files." in page
    assert len(evidence_rows(app, draft_id)) == services.MAX_FILES_PER_ANSWER


def test_no_file_chosen_gets_a_message(world, login_as, draft_id):
    client = login_as(world.a.officer)
    response = client.post(f"/evidence/assessments/{draft_id}/items/{ITEM}", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a photo or a PDF to attach." in response.get_data(as_text=True)


def test_an_unknown_item_answers_404(world, login_as, draft_id):
    client = login_as(world.a.officer)
    assert client.get(f"/evidence/assessments/{draft_id}/items/NOPE-9").status_code == 404


def test_the_attach_button_saves_what_was_typed_first(app, world, login_as, draft_id):
    client = login_as(world.a.officer)
    form_page = client.get(f"/enterprise/assessments/{draft_id}/edit").get_data(as_text=True)
    assert f'name="action" value="attach:{ITEM}"' in form_page
    with app.app_context():
        lock = db.session.get(Assessment, draft_id).lock_version
    response = client.post(f"/enterprise/assessments/{draft_id}/edit",
                           data={field_name("ORG-1"): "yes", field_name("CTX-1"): "250",
                                 "lock_version": str(lock), "action": f"attach:{ITEM}"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evidence/assessments/{draft_id}/items/{ITEM}")
    with app.app_context():
        assert db.session.get(Assessment, draft_id).answers == {"ORG-1": "yes", "CTX-1": "250"}


def test_the_attach_button_on_a_stale_draft_keeps_what_was_typed(app, world, login_as, draft_id):
    client = login_as(world.a.officer)
    with app.test_request_context():
        draft = db.session.get(Assessment, draft_id)
        stale_lock = draft.lock_version
        assessment_services.save_draft(draft, {"ORG-1": "no"}, {}, stale_lock, world.a.officer)
        db.session.commit()
    response = client.post(f"/enterprise/assessments/{draft_id}/edit",
                           data={field_name("ORG-1"): "yes", "lock_version": str(stale_lock),
                                 "action": f"attach:{ITEM}"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert re.search(r'value="yes"[^>]*checked', page)
    with app.app_context():
        assert db.session.get(Assessment, draft_id).answers == {"ORG-1": "no"}


def test_files_are_served_only_within_reach(app, world, login_as, draft_id):
    with app.test_request_context():
        draft = db.session.get(Assessment, draft_id)
        photo = make_evidence(draft, world.a.officer).id
        document = make_evidence(draft, world.a.officer, name="Biên bản.pdf", data=pdf_bytes()).id
        db.session.commit()
    client = login_as(world.a.officer)
    response = client.get(f"/evidence/{photo}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response = client.get(f"/evidence/{document}")
    assert response.mimetype == "application/pdf" and response.data == pdf_bytes()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Bi%C3%AAn%20b%E1%BA%A3n.pdf" in response.headers["Content-Disposition"]
    assert client.get(f"/evidence/{photo}/thumbnail").mimetype == "image/jpeg"
    # A draft's files are the officer's alone; the auditor sees them once submitted.
    auditor = login_as(world.a.auditor)
    assert auditor.get(f"/evidence/{photo}").status_code == 404
    _submit(app, draft_id, world)
    for user in (world.a.auditor, world.a.admin, world.a.area_admin, world.a.officer):
        assert login_as(user).get(f"/evidence/{photo}").status_code == 200, user.email
    # Photos may show faces: viewers of the province and of the commune read without them.
    for user in (world.a.viewer, world.a.area_viewer, world.b.officer, world.b.auditor,
                 world.b.viewer, world.b.admin, world.platform_admin):
        reached = login_as(user)
        assert reached.get(f"/evidence/{photo}").status_code == 404, user.email
        assert reached.get(f"/evidence/{photo}/thumbnail").status_code == 404, user.email


def test_an_auditor_outside_the_area_gets_404(app, world, login_as):
    with app.test_request_context():
        submitted = factories.submit_assessment(world.a.enterprise_elsewhere, world.a.officer)
        evidence = make_evidence(submitted, world.a.officer).id
        db.session.commit()
    assert login_as(world.a.auditor).get(f"/evidence/{evidence}").status_code == 404
    assert login_as(world.a.area_admin).get(f"/evidence/{evidence}").status_code == 404
    assert login_as(world.a.admin).get(f"/evidence/{evidence}").status_code == 200


def test_deleting_works_on_drafts_only_and_is_logged(app, world, login_as, draft_id):
    client = login_as(world.a.officer)
    upload(client, draft_id, ("một.png", png_bytes()), ("hai.png", png_bytes()))
    first, second = evidence_rows(app, draft_id)
    response = client.post(f"/evidence/{first.id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert not services.path_of(first.stored_name).exists()
        assert not services.path_of(first.thumbnail_name).exists()
        (logged,) = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "evidence_deleted")).all()
        assert logged.details["name"] == "một.png"
    assert [e.id for e in evidence_rows(app, draft_id)] == [second.id]
    _submit(app, draft_id, world)
    page = client.post(f"/evidence/{second.id}/delete", follow_redirects=True)
    assert "its evidence can no longer be changed" in page.get_data(as_text=True)
    assert [e.id for e in evidence_rows(app, draft_id)] == [second.id]
    refused = upload(client, draft_id, ("ba.png", png_bytes()))
    assert refused.status_code == 302 and len(evidence_rows(app, draft_id)) == 1


def test_submitted_evidence_shows_on_the_result_the_audit_page_and_the_pdf(
        app, world, login_as, draft_id):
    client = login_as(world.a.officer)
    upload(client, draft_id, (VIETNAMESE_NAME, jpeg_bytes()), ("Biên bản.pdf", pdf_bytes()))
    _submit(app, draft_id, world)
    (photo, _document) = evidence_rows(app, draft_id)
    result = client.get(f"/enterprise/assessments/{draft_id}").get_data(as_text=True)
    assert VIETNAMESE_NAME in result and f"/evidence/{photo.id}/thumbnail" in result
    audit = login_as(world.a.auditor).get(f"/audit/assessments/{draft_id}")
    assert VIETNAMESE_NAME in audit.get_data(as_text=True) and "Biên bản.pdf" in audit.get_data(
        as_text=True)
    with app.app_context():
        report = report_services.report_of(draft_id, "vi")
        reader = PdfReader(io.BytesIO(report_services.stored_pdf(report)))
        images = [image for page in reader.pages for image in page.images]
        assert images, "the report should carry the photo's thumbnail"
        assert len(report_services.stored_pdf(report)) < 400_000


def test_a_report_without_evidence_has_no_image(app, world):
    with app.test_request_context():
        submitted = factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
        report = report_services.report_of(submitted.id, "vi")
        reader = PdfReader(io.BytesIO(report_services.stored_pdf(report)))
        assert not [image for page in reader.pages for image in page.images]


def test_pages_show_thumbnails_only_to_those_who_may_open_them(app, world, login_as):
    with app.test_request_context():
        submitted = factories.submit_assessment(world.a.enterprise, world.a.officer)
        evidence = make_evidence(submitted, world.a.officer).id
        db.session.commit()
        assessment_id, enterprise_id = submitted.id, world.a.enterprise.id
    pages = {
        "review": f"/province/reviews/{assessment_id}",
        "enterprise": f"/province/enterprises/{enterprise_id}",
        "result": f"/enterprise/assessments/{assessment_id}",
        "audit": f"/audit/assessments/{assessment_id}",
    }
    thumbnail = f"/evidence/{evidence}/thumbnail"
    expected = {  # the pages each role opens: thumbnail shown or not
        world.a.viewer: {"review": False, "enterprise": False},
        world.a.area_viewer: {"review": False, "enterprise": False},
        world.a.admin: {"review": True, "enterprise": True, "audit": True},
        world.a.area_admin: {"review": True, "enterprise": True},
        world.a.auditor: {"enterprise": True, "audit": True},
        world.a.officer: {"result": True},
    }
    for user, shown in expected.items():
        client = login_as(user)
        for name, visible in shown.items():
            response = client.get(pages[name])
            assert response.status_code == 200, (user.email, name)
            assert (thumbnail in response.get_data(as_text=True)) is visible, (user.email, name)
