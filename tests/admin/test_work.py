"""The platform admin's "Background work" page: counts, the list (failed and stuck first) and the
retry of a failed item (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_login import login_user
from sqlalchemy import func, select

from riskapp import clock
from riskapp.admin import services
from riskapp.db import db
from riskapp.jobs import outbox
from riskapp.models import AuditLog, JobStatus, Province, Report, ReportStatus, User, WorkItem
from riskapp.reports import services as report_services
from riskapp.reports.services import RENDER_TASK
from tests.audit.support import submitted

QUEUED, RUNNING, DONE, FAILED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE,
                                 JobStatus.FAILED)


def _item(province, status: JobStatus, *, task: str = RENDER_TASK, key: str | None = None,
          created: datetime | None = None, **values) -> int:
    """A stored work item (never handed over), its id."""
    now = clock.now()
    item = WorkItem(task=task, args=[0], key=key, province_id=getattr(province, "id", None),
                    status=status, attempts=values.pop("attempts", 0), max_attempts=3,
                    budget_seconds=120, available_at=values.pop("available_at", now),
                    created_at=created or now, **values)
    db.session.add(item)
    db.session.flush()
    return item.id


def _stored(app, item_id: int) -> WorkItem:
    with app.app_context():
        item = db.session.get(WorkItem, item_id)
        db.session.expunge(item)
        return item


def _item_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(WorkItem))


def _render_item(app, assessment_id: int) -> WorkItem:
    with app.app_context():
        report_id = db.session.scalar(
            select(Report.id).where(Report.assessment_id == assessment_id))
        item = db.session.scalar(select(WorkItem).where(WorkItem.key == f"report:{report_id}"))
        db.session.expunge(item)
        return item


@pytest.fixture
def failed_render(app, world, monkeypatch):
    """A submitted assessment whose report render gave up after every attempt; its id."""
    def broken(_report, _base_url=None):
        raise OSError("fonts directory vanished")

    monkeypatch.setattr(report_services, "render_signed", broken)
    assessment_id = submitted(app, world.a.enterprise, world.a.officer)
    monkeypatch.undo()  # the fault is gone: a retry renders
    return assessment_id


def test_a_failed_render_shows_with_its_reason_in_vietnamese_and_english(app, world, login_as,
                                                                         failed_render):
    item = _render_item(app, failed_render)
    assert (item.status, item.attempts) == (FAILED, 3)
    client = login_as(world.platform_admin)
    page = client.get("/admin/work").get_data(as_text=True)
    for text in ("Background work", "Report render", "Thanh Hóa", "Failed", "3 / 3",
                 "Attempt 3: OSError: fonts directory vanished", 'class="stack-table',
                 f'action="/admin/work/{item.id}/retry'):
        assert text in page, text
    client.get("/lang/vi")
    page = client.get("/admin/work").get_data(as_text=True)
    for text in ("Công việc chạy nền", "Tạo tệp báo cáo", "Thất bại", "Chạy lại",
                 "Lần thử 3: OSError: fonts directory vanished"):
        assert text in page, text


def test_the_nav_links_the_page_for_the_platform_admin_only(world, login_as):
    client = login_as(world.platform_admin)
    assert 'href="/admin/work"' in client.get("/admin/").get_data(as_text=True)
    client = login_as(world.a.admin)
    assert 'href="/admin/work"' not in client.get("/admin/users").get_data(as_text=True)


def test_retry_queues_the_failed_render_again_and_it_renders(app, world, login_as, failed_render):
    item = _render_item(app, failed_render)
    client = login_as(world.platform_admin)
    client.get("/lang/vi")
    response = client.post(f"/admin/work/{item.id}/retry?show=failed&page=1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/work?show=failed&page=1")
    # Run at once in tests: a fresh first attempt, and the report is ready.
    again = _stored(app, item.id)
    assert (again.status, again.attempts, again.last_error) == (DONE, 1, None)
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.assessment_id == failed_render))
        assert (report.status, report.error) == (ReportStatus.READY, None)
        assert db.session.scalar(select(AuditLog.action).where(
            AuditLog.action == "work_retried", AuditLog.object_id == str(item.id)))
    page = client.get("/admin/work").get_data(as_text=True)
    assert "Tạo tệp báo cáo đã được xếp hàng để chạy lại." in page


def test_retry_puts_the_item_back_in_the_queue_with_fresh_attempts(app, world, held_work):
    with app.test_request_context():
        login_user(db.session.get(User, world.platform_admin.id))
        item_id = _item(world.a.province, FAILED, attempts=3, key="report:1",
                        last_error="attempt 3: OSError: disk full",
                        finished_at=clock.now())
        again = services.retry_work(db.session.get(WorkItem, item_id),
                                    db.session.get(User, world.platform_admin.id))
        assert again.id == item_id and list(held_work) == []  # handed over after the commit
        db.session.commit()
    assert list(held_work) == [item_id]
    item = _stored(app, item_id)
    assert (item.status, item.attempts, item.finished_at) == (QUEUED, 0, None)


def test_a_second_retry_click_queues_nothing_more(app, world, login_as, failed_render):
    item = _render_item(app, failed_render)
    client = login_as(world.platform_admin)
    client.post(f"/admin/work/{item.id}/retry")
    count = _item_count(app)
    response = client.post(f"/admin/work/{item.id}/retry", follow_redirects=True)
    assert "This work has not failed: there is nothing to retry." in response.get_data(as_text=True)
    assert _item_count(app) == count
    assert _stored(app, item.id).status == DONE


def test_retry_of_work_already_live_again_does_not_queue_it_twice(app, world, login_as,
                                                                   held_work):
    with app.app_context():
        failed = _item(world.a.province, FAILED, attempts=3, key="report:9")
        live = _item(world.a.province, QUEUED, key="report:9")
        db.session.commit()
    client = login_as(world.platform_admin)
    page = client.post(f"/admin/work/{failed}/retry", follow_redirects=True)
    assert "already queued or running; it was not queued twice" in page.get_data(as_text=True)
    assert _item_count(app) == 2
    assert _stored(app, failed).status == FAILED and list(held_work) == [live]


def test_retry_of_a_task_this_version_lacks_is_refused(app, world, login_as, held_work):
    with app.app_context():
        gone = _item(world.a.province, FAILED, task="riskapp.gone:old_task", attempts=3)
        db.session.commit()
    client = login_as(world.platform_admin)
    assert "riskapp.gone:old_task" in client.get("/admin/work").get_data(as_text=True)
    response = client.post(f"/admin/work/{gone}/retry", follow_redirects=True)
    assert response.status_code == 200
    assert "no longer has this kind of work" in response.get_data(as_text=True)
    assert _stored(app, gone).status == FAILED and list(held_work) == []


def test_counts_and_order_failed_then_stuck_then_newest(app, world, login_as):
    now = clock.now()
    with app.app_context():
        a, b = world.a.province, world.b.province
        ids = {
            "queued": _item(a, QUEUED, created=now),
            "queued_stuck": _item(b, QUEUED, available_at=now - timedelta(minutes=6),
                                  created=now - timedelta(hours=2)),
            "running": _item(a, RUNNING, attempts=1, lease_until=now + timedelta(minutes=1),
                             created=now - timedelta(minutes=1)),
            "running_stuck": _item(a, RUNNING, attempts=1, lease_until=now - timedelta(seconds=1),
                                   created=now - timedelta(hours=3)),
            "failed": _item(a, FAILED, attempts=3, created=now - timedelta(days=2)),
            "failed_too": _item(None, FAILED, attempts=3, created=now - timedelta(days=3)),
            "done": _item(a, DONE, attempts=1, finished_at=now - timedelta(hours=1),
                          created=now - timedelta(hours=1, minutes=1)),
            "done_before": _item(b, DONE, attempts=1, finished_at=now - timedelta(hours=25),
                                 created=now - timedelta(hours=26)),
        }
        db.session.commit()
    with app.test_request_context():
        login_user(db.session.get(User, world.platform_admin.id))
        counts = services.work_counts()
    assert counts == services.WorkCounts(queued=2, running=2, failed=2, done=1, stuck=2)
    client = login_as(world.platform_admin)
    page = client.get("/admin/work").get_data(as_text=True)
    shown = sorted(ids, key=lambda name: page.index(f'id="work-{ids[name]}"'))
    assert shown == ["failed", "failed_too", "queued_stuck", "running_stuck", "queued", "running",
                     "done", "done_before"]
    stuck = client.get("/admin/work?show=stuck").get_data(as_text=True)
    assert [name for name in ids if f'id="work-{ids[name]}"' in stuck] == ["queued_stuck",
                                                                           "running_stuck"]
    failed = client.get("/admin/work?show=failed").get_data(as_text=True)
    assert [name for name in ids if f'id="work-{ids[name]}"' in failed] == ["failed",
                                                                            "failed_too"]
    assert client.get("/admin/work?show=nonsense").status_code == 200


def test_the_list_pages(app, world, login_as):
    with app.app_context():
        for _ in range(52):
            _item(world.a.province, DONE, attempts=1, finished_at=clock.now())
        db.session.commit()
    client = login_as(world.platform_admin)
    first = client.get("/admin/work").get_data(as_text=True)
    second = client.get("/admin/work?page=2").get_data(as_text=True)
    assert first.count('id="work-') == 50 and second.count('id="work-') == 2
    assert "Page 1 of 2" in first


def test_times_show_in_the_province_time_zone(app, world, login_as):
    created = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    with app.app_context():
        tokyo = db.session.get(Province, world.b.province.id)
        tokyo.timezone = "Asia/Tokyo"
        _item(tokyo, DONE, attempts=1, created=created, started_at=created + timedelta(minutes=1),
              finished_at=created + timedelta(minutes=2))
        _item(world.a.province, QUEUED, created=created)
        db.session.commit()
    client = login_as(world.platform_admin)
    page = client.get("/admin/work").get_data(as_text=True)
    assert "1 Mar 2026 12:00" in page and "1 Mar 2026 12:01" in page and "1 Mar 2026 12:02" in page
    assert "1 Mar 2026 10:00" in page  # Vietnam's, for the other province's item
    client.get("/lang/vi")
    assert "01/03/2026 12:02" in client.get("/admin/work").get_data(as_text=True)


def test_a_lease_that_ran_out_reads_in_vietnamese(app, world, login_as):
    with app.app_context():
        item_id = _item(world.a.province, RUNNING, attempts=3, worker="other-host:41",
                        lease_until=clock.now() - timedelta(seconds=1))
        db.session.commit()
        assert outbox.expire_leases(clock.now()) == 1
    assert _stored(app, item_id).status == FAILED
    client = login_as(world.platform_admin)
    page = client.get("/admin/work").get_data(as_text=True)
    assert "Attempt 3: no result within 120 s (other-host:41)" in page
    client.get("/lang/vi")
    page = client.get("/admin/work").get_data(as_text=True)
    assert "Lần thử 3: không có kết quả sau 120 giây (other-host:41)" in page


@pytest.mark.parametrize("who", ["officer", "auditor", "viewer", "admin"])
def test_other_roles_cannot_open_the_page_or_retry(app, world, login_as, who):
    with app.app_context():
        item_id = _item(world.a.province, FAILED, attempts=3)
        db.session.commit()
    client = login_as(getattr(world.a, who))
    assert client.get("/admin/work").status_code == 404
    assert client.post(f"/admin/work/{item_id}/retry").status_code == 404
    assert _stored(app, item_id).status == FAILED


def test_visitors_are_sent_to_log_in_and_a_missing_item_answers_404(app, client, world,
                                                                    login_as):
    assert client.get("/admin/work").status_code == 302
    login_as(world.platform_admin)
    assert client.post("/admin/work/987654/retry").status_code == 404
