"""Who has not reported leads to action: contacts, days overdue, and the province's reminders
(idempotent per enterprise per day, queued as one work item, sent in the background)."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, insert, select

from riskapp import territory
from riskapp.db import db
from riskapp.models import (
    AuditLog,
    Enterprise,
    EnterpriseStatus,
    Notification,
    NotificationDelivery,
    ReminderLog,
    Role,
    User,
)
from riskapp.province import followup
from riskapp.province.rollups import new_status_values
from tests import factories


def _nudge_mails(outbox):
    return [m for m in outbox if "risk self-assessment" in m["Subject"]
            or "tự đánh giá" in m["Subject"]]


def test_the_list_shows_contacts_and_days_overdue_most_overdue_first(app, world, login_as):
    with app.test_request_context():
        today = territory.province_today(world.a.province.id)
        factories.submit_assessment(world.a.enterprise_elsewhere, world.a.officer,
                                    on=today - timedelta(days=400))
        db.session.commit()
        due = db.session.get(EnterpriseStatus, world.a.enterprise_elsewhere.id).next_due_on
    page = login_as(world.a.admin).get("/province/reporting").get_data(as_text=True)
    never = page.index(world.a.enterprise.name)
    overdue = page.index(world.a.enterprise_elsewhere.name)
    assert never < overdue  # never assessed leads
    assert world.a.officer.email in page and world.a.officer.name in page
    assert f">{(today - due).days}<" in page.replace(" ", "").replace("\xa0", "")
    assert world.b.enterprise.name not in page


def test_a_reminder_is_sent_once_per_enterprise_per_day(app, world, login_as, outbox):
    client = login_as(world.a.admin)
    chosen = {"target": "chosen", "enterprise": [str(world.a.enterprise.id)]}
    response = client.post("/province/reporting/remind", data=chosen, follow_redirects=True)
    assert response.status_code == 200
    mails = _nudge_mails(outbox)
    assert [m["To"] for m in mails] == [world.a.officer.email]
    assert world.a.enterprise.name in mails[0].get_content()
    assert "/enterprise/" in mails[0].get_content()
    page = client.get("/province/reporting").get_data(as_text=True)
    assert page.count("reminded today") + page.count("đã nhắc hôm nay") == 1
    again = client.post("/province/reporting/remind", data=chosen, follow_redirects=True)
    text = again.get_data(as_text=True)
    assert "Already reminded today" in text or "Đã nhắc hôm nay" in text
    assert len(_nudge_mails(outbox)) == 1
    with app.app_context():
        logs = db.session.scalars(select(ReminderLog).where(
            ReminderLog.kind == followup.NUDGE_KIND)).all()
        assert [(r.user_id, r.enterprise_id) for r in logs] == [
            (world.a.officer.id, world.a.enterprise.id)]
        actions = set(db.session.scalars(select(AuditLog.action)))
        assert {"province_nudge_queued", "province_nudge_sent"} <= actions


def test_the_job_never_reminds_outside_the_users_areas(app, world, login_as, outbox):
    client = login_as(world.a.area_admin)
    client.post("/province/reporting/remind", data={"target": "all"})
    client.post("/province/reporting/remind", data={
        "target": "chosen", "enterprise": [str(world.a.enterprise_elsewhere.id),
                                           str(world.b.enterprise.id)]})
    with app.app_context():
        reminded = set(db.session.scalars(select(ReminderLog.enterprise_id)))
    assert reminded == {world.a.enterprise.id}


def test_nothing_chosen_is_refused_with_a_message(world, login_as, held_work):
    response = login_as(world.a.admin).post("/province/reporting/remind",
                                            data={"target": "chosen"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Choose the enterprises to remind" in text or "Chọn doanh nghiệp cần nhắc" in text
    assert list(held_work) == []


def test_the_mail_is_in_the_officers_language(app, world, login_as, outbox):
    with app.app_context():
        db.session.get(User, world.a.officer.id).locale = "en"
        db.session.commit()
    login_as(world.a.admin).post("/province/reporting/remind", data={
        "target": "chosen", "enterprise": [str(world.a.enterprise.id)]})
    (mail,) = _nudge_mails(outbox)
    assert mail["Subject"].startswith("The authority asks")
    assert "has not received a current risk self-assessment" in mail.get_content()


def _many_unreported(world, count: int) -> None:
    """`count` never-assessed enterprises, each with one officer, inserted in bulk."""
    tenant = world.a
    enterprises = [dict(province_id=tenant.province.id, area_id=tenant.commune.id,
                        tax_code=f"27{n:08d}", name=f"Công ty {n}", industry="C", headcount=10)
                   for n in range(count)]
    db.session.execute(insert(Enterprise), enterprises)
    ids = db.session.scalars(select(Enterprise.id).where(Enterprise.tax_code.like("27%"))).all()
    db.session.execute(insert(EnterpriseStatus), [
        new_status_values(i, tenant.province.id, tenant.commune.id, "C", 10) for i in ids])
    db.session.execute(insert(User), [
        dict(email=f"o{i}@example.vn", name=f"Officer {i}", role=Role.OFFICER,
             province_id=tenant.province.id, enterprise_id=i,
             password_hash=factories.password_hash()) for i in ids])
    db.session.commit()


def test_ten_thousand_are_queued_fast_as_one_work_item_and_each_officer_mailed_once(
        app, world, login_as, held_work, outbox):
    with app.app_context():
        _many_unreported(world, 10_000)
    client = login_as(world.a.admin)
    started = time.perf_counter()
    response = client.post("/province/reporting/remind", data={"target": "all"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert elapsed < 5, elapsed
    assert [task for task, _args in held_work.tasks()] == [followup.NUDGE_TASK]
    (_task, args), = held_work.tasks()
    with app.test_request_context():
        followup.send_nudges_task(*args)
        followup.send_nudges_task(*args)  # a second run (a retry) sends nothing more
        logged = db.session.scalar(select(func.count()).select_from(ReminderLog))
        # Each officer's message goes through the notification service: one e-mail delivery
        # each (held here like every hand-over; tests/notifications sends them).
        recipients = list(db.session.scalars(
            select(Notification.user_id)
            .join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
            .where(Notification.kind == "province_nudge", NotificationDelivery.channel == "email")))
    assert len(recipients) == len(set(recipients))
    assert logged == len(recipients) == 10_000 + 1  # and the world's own officer


def test_an_enterprise_without_an_officer_account_queues_nothing(world, login_as, held_work):
    response = login_as(world.a.admin).post("/province/reporting/remind", data={
        "target": "chosen", "enterprise": [str(world.a.enterprise_elsewhere.id)]},
        follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "has an officer account to remind" in text or "tài khoản cán bộ để nhắc" in text
    assert list(held_work) == []
