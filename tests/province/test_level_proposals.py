"""Levels proposed by area admins for their own areas; the province approves (the level is set)
or rejects, once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from riskapp.db import db
from riskapp.models import AreaLevel, AuditLog, AuditorArea, LevelProposal, ProposalStatus
from riskapp.province import proposals

ON = "2026-12-01"


def _propose(client, area_id: int, **overrides):
    client.get("/lang/en")
    data = {"area_id": area_id, "level": 3, "effective_from": ON,
            "reason": "Cụm ca bệnh tại khu công nghiệp"}
    return client.post("/province/areas/proposals", data={**data, **overrides})


def _proposals(app) -> list[LevelProposal]:
    with app.app_context():
        rows = list(db.session.scalars(select(LevelProposal).order_by(LevelProposal.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _levels(app, area_id: int) -> list[tuple[int, int | None]]:
    with app.app_context():
        rows = db.session.execute(select(AreaLevel.level, AreaLevel.set_by_id)
                                  .where(AreaLevel.area_id == area_id).order_by(AreaLevel.id))
        return [(level, set_by) for level, set_by in rows]


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_area_staff_see_the_areas_of_their_reach_only(world, client, login_as):
    for user in (world.a.area_admin, world.a.area_viewer):
        login_as(user)
        client.get("/lang/en")
        page = client.get("/province/areas").get_data(as_text=True)
        assert world.a.district.name in page and world.a.commune.name in page
        assert world.a.other_district.name not in page
        assert "Save the level" not in page and 'id="maintenance"' not in page
        assert ("Send the proposal" in page) == (user is world.a.area_admin)


def test_area_admin_proposes_a_level_for_an_area_of_theirs(app, world, client, login_as):
    login_as(world.a.area_admin)
    assert _propose(client, world.a.commune.id).status_code == 302
    outside = _propose(client, world.a.other_district.id)
    assert outside.status_code == 404
    no_reason = _propose(client, world.a.commune.id, reason="")
    assert no_reason.status_code == 400
    # Setting a level directly stays the province's.
    direct = client.post("/province/areas", data={"area_id": world.a.commune.id, "level": 4,
                                                  "effective_from": ON})
    assert direct.status_code == 404
    [proposal] = _proposals(app)
    assert (proposal.area_id, proposal.level, proposal.status) == (
        world.a.commune.id, 3, ProposalStatus.PENDING)
    assert proposal.proposed_by_id == world.a.area_admin.id
    assert proposal.effective_from == date(2026, 12, 1)
    assert _levels(app, world.a.commune.id) == []
    assert "level_proposed" in _actions(app)
    page = client.get("/province/areas").get_data(as_text=True)
    assert "Waiting for the province" in page and "Cụm ca bệnh" in page


def test_province_admin_approves_and_the_level_is_set(app, world, client, login_as):
    login_as(world.a.area_admin)
    _propose(client, world.a.commune.id)
    [proposal] = _proposals(app)
    login_as(world.a.admin)
    client.get("/lang/en")
    dashboard = client.get("/province/").get_data(as_text=True)
    assert "1 level proposal waits for your decision." in dashboard
    page = client.get("/province/areas").get_data(as_text=True)
    assert f"/province/areas/proposals/{proposal.id}/approve" in page
    response = client.post(f"/province/areas/proposals/{proposal.id}/approve",
                           data={"note": "QĐ 12/UBND"})
    assert response.status_code == 302
    assert _levels(app, world.a.commune.id) == [(3, world.a.admin.id)]
    [decided] = _proposals(app)
    assert decided.status == ProposalStatus.APPROVED
    assert decided.decided_by_id == world.a.admin.id and decided.decision_note == "QĐ 12/UBND"
    assert decided.area_level_id is not None
    assert {"area_level_set", "level_proposal_approved"} <= set(_actions(app))
    assert "level proposal waits" not in client.get("/province/").get_data(as_text=True)
    # Decided once: a second decision changes nothing and says so.
    again = client.post(f"/province/areas/proposals/{proposal.id}/reject",
                        data={"note": "Không"}, follow_redirects=True)
    assert "already been decided" in again.get_data(as_text=True)
    assert _proposals(app)[0].status == ProposalStatus.APPROVED
    assert len(_levels(app, world.a.commune.id)) == 1


def test_rejecting_needs_a_note_and_sets_no_level(app, world, client, login_as):
    login_as(world.a.area_admin)
    _propose(client, world.a.commune.id)
    [proposal] = _proposals(app)
    login_as(world.a.admin)
    client.get("/lang/en")
    silent = client.post(f"/province/areas/proposals/{proposal.id}/reject", data={"note": ""},
                         follow_redirects=True)
    assert "Say why the proposal is rejected." in silent.get_data(as_text=True)
    assert _proposals(app)[0].status == ProposalStatus.PENDING
    client.post(f"/province/areas/proposals/{proposal.id}/reject",
                data={"note": "Chưa đủ căn cứ"})
    [rejected] = _proposals(app)
    assert rejected.status == ProposalStatus.REJECTED
    assert rejected.decision_note == "Chưa đủ căn cứ"
    assert _levels(app, world.a.commune.id) == []
    assert "level_proposal_rejected" in _actions(app)
    login_as(world.a.area_admin)
    client.get("/lang/en")
    assert "Chưa đủ căn cứ" in client.get("/province/areas").get_data(as_text=True)


def test_of_two_admins_deciding_at_once_one_wins(app, world):
    with app.test_request_context():
        proposal = proposals.propose_level(world.a.commune, 2, date(2026, 12, 1), "Ổn định",
                                           world.a.area_admin)
        db.session.commit()
        # The first admin's page loaded the proposal pending; the second one rejects it first.
        seen = db.session.get(LevelProposal, proposal.id)
        db.session.execute(update(LevelProposal).where(LevelProposal.id == proposal.id)
                           .values(status=ProposalStatus.REJECTED, decision_note="Không"))
        with pytest.raises(proposals.ProposalRefused):
            proposals.approve(seen, None, world.a.admin)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AreaLevel).where(
            AreaLevel.area_id == world.a.commune.id)) == 0


def test_province_viewer_and_other_provinces_cannot_decide(app, world, client, login_as):
    login_as(world.a.area_admin)
    _propose(client, world.a.commune.id)
    [proposal] = _proposals(app)
    for user in (world.a.viewer, world.a.area_admin, world.b.admin):
        login_as(user)
        assert client.post(f"/province/areas/proposals/{proposal.id}/approve",
                           data={"note": ""}).status_code == 404
    assert _proposals(app)[0].status == ProposalStatus.PENDING


def test_dashboard_names_the_reach_of_area_staff(app, world, client, login_as):
    login_as(world.a.area_viewer)
    client.get("/lang/en")
    page = client.get("/province/").get_data(as_text=True)
    assert f"Your areas: {world.a.district.name}" in page
    assert 'id="guided-start"' not in page  # the province's set-up is not theirs
    with app.app_context():
        db.session.add(AuditorArea(user_id=world.a.area_viewer.id,
                                   area_id=world.a.other_district.id))
        db.session.commit()
    page = client.get("/province/").get_data(as_text=True)
    assert "Your areas: " in page and " and 1 more" in page
    login_as(world.a.admin)
    assert 'id="reach"' not in client.get("/province/").get_data(as_text=True)
