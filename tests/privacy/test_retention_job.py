"""The daily retention job with the clock moved forward: nothing goes before its time in the
province's own calendar, everything after; a second run does nothing; a run killed between
batches is finished by the next; files go with their rows; each kind is audit-logged."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from riskapp.db import db
from riskapp.evidence.services import path_of
from riskapp.models import (
    AuditLog,
    AuditLogPersonal,
    Evidence,
    Job,
    JobStatus,
    Notification,
    NotificationDelivery,
    OneTimeToken,
    Province,
    RemediationAction,
    RetentionSetting,
    User,
)
from riskapp.privacy import retention
from riskapp.privacy.kinds import ACCOUNTS, DELIVERIES, EVIDENCE, FILES, LINKS, LOGINS
from tests import factories
from tests.evidence.support import make_evidence
from tests.privacy.support import retention_entries, set_period, token, travel, utc


def _run(app, code=None, **options):
    with app.app_context():
        return retention.run(code, **options)


def _evidence_world(app, world):
    """A1 (10 Jan 2026) superseded by A2 (10 Feb 2026); photos on A1's ORG-1, A2's ORG-1 (no
    action) and A2's ORG-2 (an open action of the current assessment)."""
    with travel(utc(2026, 1, 10, 3)), app.test_request_context():
        first = factories.submit_assessment(db.session.merge(world.a.enterprise),
                                            db.session.merge(world.a.officer))
        old = make_evidence(first, world.a.officer, item_id="ORG-1")
        db.session.commit()
        old_id = old.id
    with travel(utc(2026, 2, 10, 3)), app.test_request_context():
        second = factories.submit_assessment(db.session.merge(world.a.enterprise),
                                             db.session.merge(world.a.officer))
        plain = make_evidence(second, world.a.officer, item_id="ORG-1")
        kept = make_evidence(second, world.a.officer, item_id="ORG-2")
        set_period(world.a.province.id, EVIDENCE, 12)
        db.session.commit()
        assert db.session.scalar(select(RemediationAction.id).where(
            RemediationAction.assessment_id == second.id, RemediationAction.item_id == "ORG-2"))
        return old_id, plain.id, kept.id


def _stored(app, evidence_id) -> tuple[bool, Path | None]:
    with app.app_context():
        row = db.session.get(Evidence, evidence_id)
        return row is not None, row and path_of(row.stored_name)


def test_evidence_goes_after_its_months_and_never_under_an_open_action(app, world):
    old, plain, kept = _evidence_world(app, world)
    files = {eid: _stored(app, eid)[1] for eid in (old, plain, kept)}
    assert all(path.is_file() for path in files.values())
    # 23:59 on 10 Feb 2027 in Hanoi: the cut is the start of 10 Feb 2026 there, and both
    # assessments ended at 10:00 that day (the server's UTC day is the same).
    with travel(utc(2027, 2, 10, 16, 59)):
        assert _run(app, "TH")["TH"][EVIDENCE] == 0
    assert all(_stored(app, eid)[0] for eid in (old, plain, kept))
    # Two minutes later it is 11 Feb in Hanoi (still 10 Feb in UTC): both are past.
    with travel(utc(2027, 2, 10, 17, 1)):
        assert _run(app, "TH")["TH"][EVIDENCE] == 2
        assert _run(app, "TH")["TH"][EVIDENCE] == 0  # a second run finds nothing
    assert [_stored(app, eid)[0] for eid in (old, plain, kept)] == [False, False, True]
    assert not files[old].exists() and not files[plain].exists() and files[kept].is_file()
    with app.app_context():
        assert (world.a.province.id, EVIDENCE, 2) in retention_entries()
        assert [e for e in retention_entries() if e[1] == EVIDENCE] == [
            (world.a.province.id, EVIDENCE, 2)]


def test_the_day_is_the_provinces_and_so_are_the_periods(app, world):
    with app.app_context():
        db.session.get(Province, world.b.province.id).timezone = "America/New_York"
        # Expired at 10:00 UTC on 1 June: 17:00 in Hanoi, 06:00 in New York.
        in_a = token(world.a.officer.id, utc(2026, 6, 1, 10))
        in_b = token(world.b.officer.id, utc(2026, 6, 1, 10))
        longer = token(world.b.auditor.id, utc(2026, 5, 1))
        for province in (world.a.province, world.b.province):
            set_period(province.id, LINKS, 1)
        db.session.commit()
    # 18:00 UTC on 2 June: 3 June in Hanoi (cut 1 June 17:00 UTC), 2 June in New York (cut
    # 1 June 04:00 UTC).
    with travel(utc(2026, 6, 2, 18)):
        done = _run(app)
    assert done["TH"][LINKS] == 1 and done["NA"][LINKS] == 1
    with app.app_context():
        left = set(db.session.scalars(select(OneTimeToken.id)))
        assert in_a not in left and in_b in left and longer not in left
        longer = token(world.b.auditor.id, utc(2026, 5, 1))
        db.session.execute(update(RetentionSetting).where(
            RetentionSetting.province_id == world.b.province.id,
            RetentionSetting.kind == LINKS).values(period=60))
        db.session.commit()
    with travel(utc(2026, 6, 2, 18)):
        assert _run(app, "NA")["NA"][LINKS] == 0  # 60 days in NA: a month-old token stays
    with app.app_context():
        assert db.session.get(OneTimeToken, longer) is not None


def test_a_run_killed_between_batches_is_finished_by_the_next(app, world, monkeypatch):
    with app.app_context():
        made = [token(world.a.officer.id, utc(2026, 1, day)) for day in range(1, 6)]
        db.session.commit()
    real = retention.STEPS[LINKS]
    calls = []

    def killed_on_second(ids):
        calls.append(list(ids))
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        real.apply(ids)

    monkeypatch.setitem(retention.STEPS, LINKS, retention.Step(real.ids, killed_on_second))
    with travel(utc(2026, 6, 1)), pytest.raises(KeyboardInterrupt):
        _run(app, "TH", batch=2)
    with app.app_context():
        db.session.rollback()
        assert set(db.session.scalars(select(OneTimeToken.id))) == set(made[2:])
        assert retention_entries() == []  # the kind's entry comes with its last batch
    monkeypatch.setitem(retention.STEPS, LINKS, real)
    with travel(utc(2026, 6, 1)):
        assert _run(app, "TH", batch=2)["TH"][LINKS] == 3
        assert _run(app, "TH", batch=2)["TH"][LINKS] == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OneTimeToken)) == 0
        assert [e for e in retention_entries() if e[1] == LINKS] == [
            (world.a.province.id, LINKS, 3)]


def _delivery(app, world, created):
    with app.app_context():
        note = Notification(user_id=world.a.officer.id, province_id=world.a.province.id,
                            kind="reminder", dedup_key=f"t:{created.isoformat()}",
                            subject="Nhắc việc", body="Gửi tới 84912345678",
                            context={"phone": "84912345678"}, created_at=created)
        db.session.add(note)
        db.session.flush()
        db.session.add(NotificationDelivery(notification_id=note.id,
                                            province_id=world.a.province.id, channel="sms",
                                            status="dead", last_error="84912345678 refused"))
        db.session.commit()
        return note.id


def test_deliveries_exports_imports_and_accounts(app, world):
    old_note = _delivery(app, world, utc(2026, 1, 1))
    new_note = _delivery(app, world, utc(2026, 5, 25))
    storage = Path(app.config["STORAGE_DIR"])
    (storage / "exports").mkdir(parents=True, exist_ok=True)
    (storage / "imports").mkdir(parents=True, exist_ok=True)
    zip_path = storage / "exports" / "old.zip"
    zip_path.write_bytes(b"PK")
    upload = storage / "imports" / f"{world.a.province.id}-{world.a.admin.id}-{'a' * 24}.csv"
    upload.write_text("tax_code\n")
    other = storage / "imports" / f"{world.b.province.id}-{world.b.admin.id}-{'b' * 24}.csv"
    other.write_text("tax_code\n")
    for path in (upload, other):
        os.utime(path, (utc(2026, 1, 1).timestamp(),) * 2)
    with app.app_context():
        db.session.add(Job(id="job-old", kind="audit_zip", status=JobStatus.DONE,
                           province_id=world.a.province.id, created_by_id=world.a.auditor.id,
                           result_path=str(zip_path), finished_at=utc(2026, 1, 2)))
        quiet = db.session.get(User, world.a.viewer.id)
        quiet.is_active_account = False
        quiet.last_login_at = utc(2023, 1, 1)
        db.session.commit()
    with travel(utc(2026, 6, 1, 3)):
        planned = _run(app, "TH", dry_run=True)["TH"]
        assert planned[DELIVERIES] == 1 and planned[FILES] == 1
        assert planned["import_files"] == 1 and planned[ACCOUNTS] == 1
        assert zip_path.exists() and upload.exists()  # a dry run changes nothing
        done = _run(app, "TH")["TH"]
    assert done == planned
    assert not zip_path.exists() and not upload.exists() and other.exists()
    with app.app_context():
        old, new = db.session.get(Notification, old_note), db.session.get(Notification, new_note)
        assert old.body == "" and old.context is None and old.subject == "Nhắc việc"
        assert new.body.startswith("Gửi tới")
        errors = dict(db.session.execute(select(NotificationDelivery.notification_id,
                                                NotificationDelivery.last_error)).all())
        assert errors[old_note] is None and errors[new_note] == "84912345678 refused"
        assert db.session.get(Job, "job-old").result_path is None
        viewer = db.session.get(User, world.a.viewer.id)
        assert viewer.email == f"erased-{viewer.id}@invalid" and viewer.phone is None
        kinds = {kind for _p, kind, _c in retention_entries()}
        assert {DELIVERIES, FILES, "import_files", ACCOUNTS} <= kinds


def test_login_addresses_are_forgotten_after_the_longest_provincial_period(app, world):
    with app.app_context():
        for days_old, ip in ((400, "203.0.113.1"), (100, "203.0.113.2"), (10, "203.0.113.3")):
            db.session.add(AuditLog(action="login", user_id=world.a.officer.id,
                                    province_id=world.a.province.id,
                                    personal=AuditLogPersonal(ip=ip),
                                    at=utc(2026, 6, 1) - timedelta(days=days_old)))
        set_period(world.a.province.id, LOGINS, 30)
        set_period(world.b.province.id, LOGINS, 365)
        db.session.commit()
    with travel(utc(2026, 6, 1, 3)):
        assert _run(app)["*"][LOGINS] == 1
        assert _run(app)["*"][LOGINS] == 0
    with app.app_context():
        ips = {entry.ip for entry in db.session.scalars(
            select(AuditLog).where(AuditLog.action == "login"))}
        assert ips == {None, "203.0.113.2", "203.0.113.3"}
        assert (None, LOGINS, 1) in retention_entries()


def test_command_reports_and_refuses_an_unknown_province(app, world):
    runner = app.test_cli_runner()
    with travel(utc(2026, 6, 1, 3)):
        shown = runner.invoke(args=["privacy-retention", "--province", "TH", "--dry-run"])
    assert shown.exit_code == 0, shown.output
    assert "TH: evidence_photos: would delete or anonymise 0" in shown.output
    unknown = runner.invoke(args=["privacy-retention", "--province", "ZZ"])
    assert unknown.exit_code != 0 and "no province with code 'ZZ'" in unknown.output
