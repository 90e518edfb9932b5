"""The signals pages: who sees them, what a flag says, and dismissing it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from riskapp.db import db
from riskapp.forensics import services
from riskapp.models import AuditLog, Evidence, ForensicFlag, User
from tests.forensics.conftest import submit_with_photos
from tests.forensics.images import jpeg, scene


@pytest.fixture
def reuse(app, world):
    """A photo of enterprise A sent again by A's other enterprise; a flag in province B too."""
    with app.test_request_context():
        a, b = world.a, world.b
        photo = jpeg(scene(81))
        submit_with_photos(a.enterprise, a.officer, [photo])
        second = submit_with_photos(a.enterprise, a.officer, [photo])
        services.scan_assessment(second)
        foreign = submit_with_photos(b.enterprise, b.officer)
        db.session.add(ForensicFlag(province_id=b.province.id, enterprise_id=b.enterprise.id,
                                    assessment_id=foreign.id, kind="too_fast", key="submit",
                                    reason={"seconds": 5.0, "min_seconds": 64, "answered": 32,
                                            "per_item": 2.0, "min_total": 60.0}))
        db.session.commit()
        flags = db.session.scalars(select(ForensicFlag).order_by(ForensicFlag.id)).all()
        evidence = db.session.scalars(select(Evidence.id).order_by(Evidence.id)).all()
        return flags[0].id, flags[1].id, evidence


def test_staff_see_the_reuse_in_plain_words_with_both_thumbnails(world, reuse, login_as):
    own, _foreign, evidence = reuse
    client = login_as(world.a.admin)
    client.get("/lang/vi")
    page = client.get("/province/signals/").get_data(as_text=True)
    assert f'id="signal-{own}"' in page and f'id="signal-{_foreign}"' not in page
    assert "Dấu hiệu bất thường" in page and "cùng doanh nghiệp" in page
    for evidence_id in evidence[:2]:
        assert f"/evidence/{evidence_id}/thumbnail" in page
        assert client.get(f"/evidence/{evidence_id}/thumbnail").status_code == 200
    # The province's viewer reads the signal, never the photos (they may show faces).
    viewer = login_as(world.a.viewer)
    viewer.get("/lang/en")
    seen = viewer.get("/province/signals/").get_data(as_text=True)
    assert f'id="signal-{own}"' in seen and "/thumbnail" not in seen
    assert "Photos are shown only to the enterprise, its reviewers and auditors." in seen
    assert viewer.get(f"/evidence/{evidence[0]}/thumbnail").status_code == 404
    client.get("/lang/en")
    english = client.get("/province/signals/").get_data(as_text=True)
    assert "Signals" in english and "of the same enterprise" in english


def test_filters_by_kind_and_status(world, reuse, login_as):
    own, _foreign, _evidence = reuse
    client = login_as(world.a.admin)
    assert f"signal-{own}" not in client.get("/province/signals/?kind=too_fast").get_data(
        as_text=True)
    assert f"signal-{own}" in client.get("/province/signals/?kind=photo_reuse").get_data(
        as_text=True)
    assert f"signal-{own}" not in client.get("/province/signals/?status=dismissed").get_data(
        as_text=True)


@pytest.mark.parametrize("who", ["officer", "area_viewer", "area_admin"])
def test_enterprise_users_and_area_staff_get_404(world, reuse, login_as, who):
    own, _foreign, _evidence = reuse
    client = login_as(getattr(world.a, who))
    assert client.get("/province/signals/").status_code == 404
    assert client.post(f"/province/signals/{own}/dismiss", data={"note": "x"}).status_code == 404


def test_the_officer_never_sees_the_flags(world, reuse, login_as):
    client = login_as(world.a.officer)
    client.get("/lang/vi")
    for path in ("/enterprise/", "/enterprise/assessments"):
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "signals-title" not in page and "Dấu hiệu" not in page


def test_another_provinces_flag_answers_404(world, reuse, login_as):
    own, foreign, _evidence = reuse
    client = login_as(world.b.admin)
    assert client.post(f"/province/signals/{own}/dismiss", data={"note": "x"}).status_code == 404
    page = client.get("/province/signals/").get_data(as_text=True)
    assert f"signal-{foreign}" in page and f"signal-{own}" not in page


def test_open_flags_show_on_the_enterprise_pages(world, reuse, app, login_as):
    with app.app_context():
        flag = db.session.get(ForensicFlag, reuse[0])
        enterprise_id, assessment_id = flag.enterprise_id, flag.assessment_id
    client = login_as(world.a.viewer)
    page = client.get(f"/province/enterprises/{enterprise_id}").get_data(as_text=True)
    assert "signals-title" in page
    client = login_as(world.a.auditor)
    page = client.get(f"/audit/assessments/{assessment_id}").get_data(as_text=True)
    assert "signals-title" in page


def test_dismissal_needs_a_note_and_is_audit_logged(world, reuse, app, login_as):
    own = reuse[0]
    viewer = login_as(world.a.viewer)
    assert 'name="note"' not in viewer.get("/province/signals/").get_data(as_text=True)
    assert viewer.post(f"/province/signals/{own}/dismiss",
                       data={"note": "Xem thôi"}).status_code in (403, 404)
    client = login_as(world.a.admin)
    refused = client.post(f"/province/signals/{own}/dismiss", data={"note": "  "})
    assert refused.status_code == 422
    done = client.post(f"/province/signals/{own}/dismiss",
                       data={"note": "Cùng một trạm rửa tay, chụp lại"})
    assert done.status_code == 302
    with app.app_context():
        flag = db.session.get(ForensicFlag, own)
        assert flag.status == "dismissed"
        assert flag.dismissal_note == "Cùng một trạm rửa tay, chụp lại"
        assert flag.dismissed_by_id == world.a.admin.id
        entry = db.session.scalar(select(AuditLog).where(
            AuditLog.action == "forensic_flag_dismissed"))
        assert entry.object_id == str(own) and entry.details["note"].startswith("Cùng")


def test_the_second_of_two_dismissals_is_told_who_won(world, reuse, app, login_as):
    own = reuse[0]
    with app.test_request_context():
        stale = db.session.get(ForensicFlag, own)
        winner = db.session.get(User, world.a.admin.id)
        services.dismiss(stale, winner, "Đã kiểm tra tại chỗ")
        db.session.commit()
        with pytest.raises(services.AlreadyDismissed) as lost:  # the UPDATE finds it dismissed
            services.dismiss(stale, db.session.get(User, world.a.viewer.id), "Cũng bỏ qua")
        assert lost.value.by == world.a.admin.name
        db.session.rollback()
        flag = db.session.get(ForensicFlag, own)
        assert (flag.dismissal_note, flag.dismissed_by_id) == ("Đã kiểm tra tại chỗ",
                                                              world.a.admin.id)
    client = login_as(world.a.auditor)
    page = client.post(f"/province/signals/{own}/dismiss", data={"note": "Muộn"},
                       follow_redirects=True).get_data(as_text=True)
    assert world.a.admin.name in page


def test_the_list_comes_in_pages_of_fifty(world, reuse, app, login_as):
    with app.app_context():
        flag = db.session.get(ForensicFlag, reuse[0])
        db.session.add_all(ForensicFlag(
            province_id=flag.province_id, enterprise_id=flag.enterprise_id,
            assessment_id=flag.assessment_id, kind="implausible", key=f"rule-{number}",
            reason={"rule": f"rule-{number}"}) for number in range(50))
        db.session.commit()
    client = login_as(world.a.viewer)
    client.get("/lang/en")
    first = client.get("/province/signals/").get_data(as_text=True)
    assert first.count('class="card signal"') == 50 and "Page 1 of 2" in first
    second = client.get("/province/signals/?page=2").get_data(as_text=True)
    assert second.count('class="card signal"') == 1
