"""The preview's pages: ask from the forms, read it (vi and en), apply once, other provinces 404."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, select

from riskapp.db import db
from riskapp.models import (
    AreaLevel,
    AuditLog,
    ChecklistActivation,
    ImpactPreview,
    JobStatus,
    LevelProposal,
    ProposalStatus,
)
from riskapp.province.proposals import propose_level
from tests import factories
from tests.impact.support import ON, build


def _world_with_assessments(app, world):
    with app.test_request_context():
        build(world.a)
        build(world.b)
        db.session.commit()


def _ask_level(client, tenant, level=4):
    return client.post("/province/impact/level", data={
        "area_id": tenant.district.id, "level": level, "effective_from": ON.isoformat(),
        "note": "QĐ 12/UBND"})


def _only_preview(app) -> SimpleNamespace:
    """The one preview asked, as plain values (read outside the request)."""
    with app.app_context():
        row = db.session.scalars(select(ImpactPreview)).one()
        return SimpleNamespace(id=row.id, status=row.status, result=row.result,
                               proposal_id=row.proposal_id)


def test_preview_from_the_level_form_then_apply_once(app, world, login_as):
    _world_with_assessments(app, world)
    client = login_as(world.a.admin)
    response = _ask_level(client, world.a)
    assert response.status_code == 302
    preview = _only_preview(app)
    assert preview.status == JobStatus.DONE and preview.result["replayed"] == 2
    page = client.get(f"/province/impact/{preview.id}").get_data(as_text=True)
    assert "Apply this change" in page and "New suspensions: 1" in page
    with app.app_context():
        levels_before = db.session.scalar(select(func.count()).select_from(AreaLevel))
    for _ in range(2):  # a double click
        assert client.post(f"/province/impact/{preview.id}/apply").status_code == 302
    with app.app_context():
        made = db.session.scalars(
            select(AreaLevel).where(AreaLevel.impact_preview_id == preview.id)).all()
        assert len(made) == 1
        assert db.session.scalar(select(func.count()).select_from(AreaLevel)) == levels_before + 1
        assert (made[0].area_id, made[0].level, made[0].note) == (
            world.a.district.id, 4, "QĐ 12/UBND")
        actions = set(db.session.scalars(select(AuditLog.action)))
        assert {"impact_preview_started", "impact_preview_applied", "area_level_set"} <= actions
    areas = client.get("/province/areas").get_data(as_text=True)
    assert f"/province/impact/{preview.id}" in areas and "Previewed" in areas
    page = client.get(f"/province/impact/{preview.id}").get_data(as_text=True)
    assert "Applied" in page and "Apply this change" not in page


def test_a_preview_older_than_the_data_says_so(app, world, login_as):
    _world_with_assessments(app, world)
    client = login_as(world.a.admin)
    _ask_level(client, world.a)
    preview = _only_preview(app)
    client.post("/province/areas", data={"area_id": world.a.district.id, "level": 3,
                                         "effective_from": ON.isoformat()})
    page = client.get(f"/province/impact/{preview.id}").get_data(as_text=True)
    assert 'id="impact-stale"' in page


def test_proposal_preview_applies_the_approval(app, world, login_as):
    _world_with_assessments(app, world)
    with app.test_request_context():
        proposal = propose_level(world.a.commune, 4, ON, "Ổ dịch mới", world.a.area_admin)
        db.session.commit()
        proposal_id = proposal.id
    client = login_as(world.a.admin)
    assert client.post(f"/province/impact/proposals/{proposal_id}",
                       data={"note": "Đồng ý"}).status_code == 302
    preview = _only_preview(app)
    assert preview.proposal_id == proposal_id and preview.result["suspensions"]["new"] == 1
    client.post(f"/province/impact/{preview.id}/apply")
    client.post(f"/province/impact/{preview.id}/apply")
    with app.app_context():
        proposal = db.session.get(LevelProposal, proposal_id)
        assert proposal.status == ProposalStatus.APPROVED
        level = db.session.get(AreaLevel, proposal.area_level_id)
        assert level.impact_preview_id == preview.id
        assert db.session.scalar(select(func.count()).select_from(AreaLevel).where(
            AreaLevel.impact_preview_id == preview.id)) == 1


def test_checklist_preview_applies_one_activation(app, world, login_as):
    _world_with_assessments(app, world)
    with app.test_request_context():
        from riskapp import checklists
        from riskapp.province import versions

        version = checklists.register(
            versions.parse_upload(factories.checklist_source(5).encode(), "v5.yaml"),
            province_id=world.a.province.id)
        db.session.commit()
        version_id = version.id
    client = login_as(world.a.admin)
    assert client.post(f"/province/impact/checklists/{version_id}",
                       data={"active_from": ON.isoformat()}).status_code == 302
    preview = _only_preview(app)
    assert preview.result["replayed"] == 3
    client.post(f"/province/impact/{preview.id}/apply")
    client.post(f"/province/impact/{preview.id}/apply")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChecklistActivation).where(
            ChecklistActivation.impact_preview_id == preview.id)) == 1
    assert f"/province/impact/{preview.id}" in client.get("/province/checklists").get_data(
        as_text=True)


def test_other_provinces_and_roles(app, world, login_as):
    _world_with_assessments(app, world)
    client = login_as(world.a.admin)
    _ask_level(client, world.a)
    preview = _only_preview(app)
    for user in (world.b.admin, world.b.viewer):
        other = login_as(user)
        assert other.get(f"/province/impact/{preview.id}").status_code == 404
        assert other.get(f"/province/impact/{preview.id}/status.json").status_code == 404
    assert login_as(world.b.admin).post(f"/province/impact/{preview.id}/apply").status_code == 404
    # Another province's area in the form: 404.
    assert _ask_level(login_as(world.b.admin), world.a).status_code == 404
    viewer = login_as(world.a.viewer)
    page = viewer.get(f"/province/impact/{preview.id}").get_data(as_text=True)
    assert "Apply this change" not in page
    assert viewer.post(f"/province/impact/{preview.id}/apply").status_code == 404
    assert viewer.get(f"/province/impact/{preview.id}/status.json").json["status"] == "done"
    for user in (world.a.auditor, world.a.area_admin, world.a.officer):
        assert login_as(user).get(f"/province/impact/{preview.id}").status_code == 404


def test_page_in_vietnamese_and_english(app, world, login_as):
    _world_with_assessments(app, world)
    client = login_as(world.a.admin)
    _ask_level(client, world.a)
    preview = _only_preview(app)
    client.get("/lang/vi")
    vi = client.get(f"/province/impact/{preview.id}").get_data(as_text=True)
    assert "Xem trước tác động" in vi and "Áp dụng thay đổi này" in vi
    client.get("/lang/en")
    en = client.get(f"/province/impact/{preview.id}").get_data(as_text=True)
    assert "Impact preview" in en and "Apply this change" in en


def test_the_forms_offer_the_preview_button(app, world, login_as):
    _world_with_assessments(app, world)
    client = login_as(world.a.admin)
    assert "/province/impact/level" in client.get("/province/areas").get_data(as_text=True)
    assert "/province/impact/checklists/" in client.get("/province/checklists").get_data(
        as_text=True)


def test_a_running_preview_shows_its_progress_and_refreshes(app, world, login_as, held_work):
    """Held work: the page shows the progress bar, polls (script) or refreshes (no script)."""
    _world_with_assessments(app, world)
    client = login_as(world.a.admin)
    _ask_level(client, world.a)
    preview = _only_preview(app)
    assert preview.status == JobStatus.QUEUED and preview.result is None
    page = client.get(f"/province/impact/{preview.id}").get_data(as_text=True)
    assert 'id="impact-job"' in page and 'http-equiv="refresh"' in page
    assert "Apply this change" not in page
    assert client.get(f"/province/impact/{preview.id}/status.json").json == {
        "status": "queued", "progress": 0, "total": 0, "percent": 0}
    # Applying before the figures exist is refused and decides nothing.
    client.post(f"/province/impact/{preview.id}/apply")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AreaLevel).where(
            AreaLevel.impact_preview_id.is_not(None))) == 0


def test_an_upload_is_stored_unactivated_and_previewed(app, world, login_as):
    """"Check, store and preview": the new version is stored, nothing is activated until the
    preview is applied; a broken file says why and stores nothing."""
    import io

    from riskapp.models import ChecklistVersion

    _world_with_assessments(app, world)
    client = login_as(world.a.admin)
    client.get("/lang/en")
    assert "Check, store and preview the impact" in client.get("/province/checklists").get_data(
        as_text=True)
    with app.app_context():
        versions_before = db.session.scalar(select(func.count()).select_from(ChecklistVersion))
    page = client.post("/province/impact/checklists/upload", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"id: broken\nversion: one\n"), "broken.yaml"),
                             "active_from": ON.isoformat()}, follow_redirects=True)
    assert page.request.path == "/province/checklists" and "flash-error" in page.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.scalar(
            select(func.count()).select_from(ChecklistVersion)) == versions_before
        assert db.session.scalar(select(func.count()).select_from(ImpactPreview)) == 0
    source = factories.checklist_source(6).encode()
    answer = client.post("/province/impact/checklists/upload", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(source), "v6.yaml"),
                               "active_from": ON.isoformat()})
    assert answer.status_code == 302
    preview = _only_preview(app)
    assert answer.headers["Location"].endswith(f"/province/impact/{preview.id}")
    with app.app_context():
        stored = db.session.get(ImpactPreview, preview.id).checklist_version_id
        assert db.session.get(ChecklistVersion, stored).version == 6
        assert db.session.scalar(select(func.count()).select_from(ChecklistActivation).where(
            ChecklistActivation.checklist_version_id == stored)) == 0
    client.post(f"/province/impact/{preview.id}/apply")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChecklistActivation).where(
            ChecklistActivation.checklist_version_id == stored,
            ChecklistActivation.impact_preview_id == preview.id)) == 1
