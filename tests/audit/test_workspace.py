"""The auditor's scoped enterprise list and read-only assessment view."""

from __future__ import annotations

from datetime import date

import pytest

from tests.audit.support import submitted


@pytest.fixture
def assessed(app, world):
    """Assessments inside the auditor's district, outside it, and in province b."""
    return {
        "inside": submitted(app, world.a.enterprise, world.a.officer),
        "outside": submitted(app, world.a.enterprise_elsewhere, world.a.officer),
        "other_province": submitted(app, world.b.enterprise, world.b.officer),
    }


def test_list_holds_only_the_enterprises_of_the_assigned_areas(world, assessed, auditor):
    page = auditor.get("/audit/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Công ty May Đông Hòa TH" in text
    assert "Xi măng Nghi Sơn TH" not in text  # same province, outside the assigned district
    assert "Công ty May Đông Hòa NA" not in text
    assert f"/audit/assessments/{assessed['inside']}" in text
    assert "1 enterprise" in text


@pytest.mark.parametrize(
    "query, listed",
    [
        ({"grade": "low"}, True),
        ({"grade": "high"}, False),
        ({"industry": "C"}, True),
        ({"industry": "A"}, False),
        ({"date_from": "2026-01-01", "date_to": "2026-01-31"}, True),
        ({"date_from": "2026-02-01"}, False),
        ({"date_to": "2025-12-31"}, False),
    ],
)
def test_filters(world, assessed, auditor, query, listed):
    text = auditor.get("/audit/", query_string=query).get_data(as_text=True)
    assert ("Công ty May Đông Hòa TH" in text) is listed


def test_area_filter_takes_the_subtree_and_refuses_areas_outside_the_reach(
    world, assessed, auditor
):
    district = auditor.get("/audit/", query_string={"area_id": world.a.district.id})
    assert "Công ty May Đông Hòa TH" in district.get_data(as_text=True)
    commune = auditor.get("/audit/", query_string={"area_id": world.a.commune.id})
    assert "Công ty May Đông Hòa TH" in commune.get_data(as_text=True)
    for outside in (world.a.other_district, world.b.district):
        assert auditor.get("/audit/", query_string={"area_id": outside.id}).status_code == 404


def test_a_bad_date_is_reported_and_ignored(world, assessed, auditor):
    page = auditor.get("/audit/", query_string={"date_from": "31/13/2026"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Công ty May Đông Hòa TH" in text
    assert 'class="error"' in text


def test_read_only_assessment_shows_every_answer(world, assessed, auditor):
    page = auditor.get(f"/audit/assessments/{assessed['inside']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "A named COVID-safety lead" in text  # ORG-2's question
    assert "Declared by the enterprise" in text
    assert f"/reports/assessment/{assessed['inside']}.pdf" in text
    assert auditor.get(f"/reports/assessment/{assessed['inside']}.pdf").status_code == 200


@pytest.mark.parametrize("which", ["outside", "other_province"])
def test_assessments_outside_the_areas_answer_404(world, assessed, auditor, which):
    assessment_id = assessed[which]
    assert auditor.get(f"/audit/assessments/{assessment_id}").status_code == 404
    assert auditor.get(f"/audit/assessments/{assessment_id}/finding").status_code == 404
    assert auditor.get(f"/reports/assessment/{assessment_id}.pdf").status_code == 404


@pytest.mark.parametrize("role", ["officer", "viewer", "platform_admin"])
def test_other_roles_do_not_reach_the_workspace(world, assessed, login_as, role):
    user = world.platform_admin if role == "platform_admin" else getattr(world.a, role)
    client = login_as(user)
    assert client.get("/audit/").status_code == 404
    assert client.get(f"/audit/assessments/{assessed['inside']}").status_code == 404


def test_superseded_assessment_is_readable_but_takes_no_finding(app, world, assessed, auditor):
    newer = submitted(app, world.a.enterprise, world.a.officer, on=date(2026, 3, 1))
    old = auditor.get(f"/audit/assessments/{assessed['inside']}")
    assert old.status_code == 200
    assert "superseded" in old.get_data(as_text=True)
    assert "Record a finding" not in old.get_data(as_text=True)
    assert "Record a finding" in auditor.get(f"/audit/assessments/{newer}").get_data(as_text=True)
