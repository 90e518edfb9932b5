"""The province's enterprise page leads from the grade to what is behind it — the assessment's
answers, its evidence and the PDF — as far as the viewer's role reaches, and no further."""

from __future__ import annotations

import html
import re

import pytest

from riskapp.db import db
from riskapp.models import Assessment, User
from tests.audit.support import submitted
from tests.evidence.support import make_evidence


@pytest.fixture
def assessed(app, world, tmp_path, monkeypatch):
    """world.a's enterprise with one submitted assessment holding one photo."""
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "storage"))
    assessment_id = submitted(app, world.a.enterprise, world.a.officer)
    with app.test_request_context():
        make_evidence(db.session.get(Assessment, assessment_id),
                      db.session.get(User, world.a.officer.id))
        db.session.commit()
    return assessment_id


def _links(page) -> set[str]:
    text = page.get_data(as_text=True)
    return {html.unescape(href) for href in re.findall(r'href="([^"]+)"', text)}


@pytest.mark.parametrize(("role", "opens_answers", "sees_photos"), [
    # The answers page records findings: auditors and province admins only. Photos may show
    # faces: the enterprise, its reviewers and auditors only (tenancy.EVIDENCE_READERS).
    ("viewer", False, False),
    ("admin", True, True),
    ("auditor", True, True),
])
def test_grade_links_to_answers_evidence_and_pdf_within_reach(
    app, world, login_as, assessed, role, opens_answers, sees_photos
):
    client = login_as(getattr(world.a, role))
    page = client.get(f"/province/enterprises/{world.a.enterprise.id}")
    assert page.status_code == 200
    links = _links(page)
    pdf = f"/reports/assessment/{assessed}.pdf"
    answers = f"/audit/assessments/{assessed}"
    evidence = {link for link in links if re.fullmatch(r"/evidence/\d+", link)}
    assert pdf in links and f"{pdf}?lang=en" in links
    assert (answers in links) is opens_answers
    assert len(evidence) == (1 if sees_photos else 0)
    # Every link shown opens for this viewer.
    for link in [pdf, *evidence, *([answers] if opens_answers else [])]:
        assert client.get(link).status_code in (200, 202), link


def test_viewers_without_reach_get_404_and_no_links(app, world, login_as, assessed):
    url = f"/province/enterprises/{world.a.enterprise.id}"
    other_province = login_as(world.b.viewer).get(url)
    assert other_province.status_code == 404
    assert f"/reports/assessment/{assessed}.pdf" not in other_province.get_data(as_text=True)
    # An auditor is confined to their areas: the enterprise outside them is not there for them.
    elsewhere = submitted(app, world.a.enterprise_elsewhere, world.a.officer)
    page = login_as(world.a.auditor).get(f"/province/enterprises/{world.a.enterprise_elsewhere.id}")
    assert page.status_code == 404
    assert f"/reports/assessment/{elsewhere}.pdf" not in page.get_data(as_text=True)
