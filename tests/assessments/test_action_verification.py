"""The authority verifies a done action (then locked) or sends it back with a note; a
conditional UPDATE on the lock version lets only the first of two reviews (or an edit) win."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from riskapp.assessments import actions as remediation
from riskapp.db import db
from riskapp.models import ActionStatus, AuditLog, RemediationAction
from tests.assessments.conftest import submit_directly


def _done_action(app, world, enterprise=None, officer=None) -> int:
    """A remediation action of a submitted assessment, marked done by its officer."""
    assessment_id = submit_directly(app, enterprise or world.a.enterprise,
                                    officer or world.a.officer)
    with app.test_request_context():
        action = db.session.scalar(select(RemediationAction).where(
            RemediationAction.assessment_id == assessment_id).order_by(
            RemediationAction.position).limit(1))
        remediation.update_action(action, owner="Bình", due_on=action.due_on,
                                  status=ActionStatus.DONE, note="Đã lắp trạm rửa tay")
        db.session.commit()
        return action.id


def _row(app, action_id):
    with app.app_context():
        action = db.session.get(RemediationAction, action_id)
        db.session.expunge(action)
        return action


def _review(client, action_id, decision, note="", lock_version=None, app=None):
    if lock_version is None:
        lock_version = _row(app, action_id).lock_version
    prefix = f"review-{action_id}-"
    return client.post(f"/province/actions/{action_id}/review", data={
        prefix + "decision": decision, prefix + "note": note,
        prefix + "lock_version": str(lock_version)}, follow_redirects=True)


def test_a_manager_verifies_a_done_action_and_the_officer_sees_who_and_when(
        app, world, login_as):
    action_id = _done_action(app, world)
    admin = login_as(world.a.admin)
    page = admin.get(f"/province/enterprises/{world.a.enterprise.id}").get_data(as_text=True)
    assert f"/province/actions/{action_id}/review" in page
    _review(admin, action_id, "verify", "Đã kiểm tra tại chỗ", app=app)
    action = _row(app, action_id)
    assert action.status == ActionStatus.VERIFIED and action.verified_by_id == world.a.admin.id
    assert action.review_note == "Đã kiểm tra tại chỗ" and action.verified_at is not None
    officer = login_as(world.a.officer)
    mine = officer.get("/enterprise/actions?show=verified").get_data(as_text=True)
    assert world.a.admin.name in mine and "Đã kiểm tra tại chỗ" in mine
    # Locked: the officer's edit changes nothing.
    officer.post(f"/enterprise/actions/{action_id}", data={
        f"action-{action_id}-status": "in_progress",
        f"action-{action_id}-due_on": action.due_on.isoformat()})
    assert _row(app, action_id).status == ActionStatus.VERIFIED
    with app.app_context():
        assert db.session.scalar(select(AuditLog.action).where(
            AuditLog.object_id == str(action_id)).order_by(AuditLog.id.desc())) == \
            "action_verified"


def test_sending_back_needs_a_note_and_reopens_the_action(app, world, login_as):
    action_id = _done_action(app, world)
    admin = login_as(world.a.admin)
    refused = _review(admin, action_id, "send_back", "", app=app).get_data(as_text=True)
    assert "Say what is still missing" in refused or "Hãy nêu" in refused
    assert _row(app, action_id).status == ActionStatus.DONE
    _review(admin, action_id, "send_back", "Chưa có xà phòng", app=app)
    action = _row(app, action_id)
    assert action.status == ActionStatus.IN_PROGRESS and action.completed_at is None
    mine = login_as(world.a.officer).get("/enterprise/actions").get_data(as_text=True)
    assert "Chưa có xà phòng" in mine


def test_of_two_reviews_from_the_same_page_only_the_first_counts(app, world, login_as):
    action_id = _done_action(app, world)
    seen = _row(app, action_id).lock_version
    _review(login_as(world.a.admin), action_id, "verify", lock_version=seen)
    late = _review(login_as(world.a.area_admin), action_id, "send_back", "Chưa đạt",
                   lock_version=seen).get_data(as_text=True)
    assert "changed meanwhile" in late or "đã thay đổi" in late
    action = _row(app, action_id)
    assert action.status == ActionStatus.VERIFIED and action.verified_by_id == world.a.admin.id


def test_an_edit_by_the_officer_since_the_page_was_loaded_wins(app, world, login_as):
    action_id = _done_action(app, world)
    seen = _row(app, action_id).lock_version
    with app.test_request_context():
        action = db.session.get(RemediationAction, action_id)
        remediation.update_action(action, owner="Bình", due_on=action.due_on,
                                  status=ActionStatus.DONE, note="Thêm ảnh")
        db.session.commit()
    _review(login_as(world.a.admin), action_id, "verify", lock_version=seen)
    assert _row(app, action_id).status == ActionStatus.DONE


def test_the_officers_stale_edit_cannot_undo_a_verification(app, world):
    action_id = _done_action(app, world)
    with app.test_request_context():
        stale = db.session.get(RemediationAction, action_id)
        db.session.expunge(stale)
        db.session.execute(RemediationAction.__table__.update().where(
            RemediationAction.id == action_id).values(status="verified",
                                                      lock_version=stale.lock_version + 1))
        db.session.commit()
        stale = db.session.merge(stale, load=False)
        with pytest.raises(remediation.ActionLocked):
            remediation.update_action(stale, owner=None, due_on=stale.due_on,
                                      status=ActionStatus.IN_PROGRESS, note=None)
        db.session.rollback()
    assert _row(app, action_id).status == ActionStatus.VERIFIED


def test_auditors_and_area_staff_review_only_within_their_areas(app, world, login_as):
    inside = _done_action(app, world)
    outside = _done_action(app, world, world.a.enterprise_elsewhere)
    auditor = login_as(world.a.auditor)
    assert auditor.post(f"/province/actions/{outside}/review").status_code == 404
    _review(auditor, inside, "verify", app=app)
    assert _row(app, inside).status == ActionStatus.VERIFIED
    assert login_as(world.a.area_admin).post(
        f"/province/actions/{outside}/review").status_code == 404
    assert login_as(world.a.viewer).post(
        f"/province/actions/{outside}/review").status_code == 404
    assert login_as(world.b.admin).post(
        f"/province/actions/{inside}/review").status_code == 404
