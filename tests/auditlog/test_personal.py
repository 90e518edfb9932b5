"""Personal data beside the chain (audit_log_personal): erasing, pseudonymising and expiring it
keeps the chain intact, and the viewers show the e-mail, else a pseudonym."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from riskapp.auditchain import personal_digest
from riskapp.auditlog import forget_addresses, pseudonymise_user, record
from riskapp.db import db
from riskapp.models import AuditLog, AuditLogPersonal, Role


def _intact(app) -> bool:
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    return result.exit_code == 0 and result.output.startswith("intact:")


def _personal(audit_id: int) -> AuditLogPersonal | None:
    return db.session.get(AuditLogPersonal, audit_id, populate_existing=True)


def test_the_log_keeps_no_email_or_address_only_their_digest(app, world):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        record("user_invited", world.a.officer, user=world.a.admin,
               details={"role": "officer"}, subject_email=world.a.officer.email)
        db.session.commit()
        row = db.session.execute(text("SELECT * FROM audit_log")).mappings().one()
        assert "user_email" not in row and "ip" not in row
        assert world.a.officer.email not in str(dict(row))
        side = _personal(row["id"])
        assert (side.user_email, side.subject_email, side.ip) == (
            world.a.admin.email, world.a.officer.email, "203.0.113.7")
        assert row["personal_digest"] == personal_digest(
            side.salt, side.user_email, side.subject_email, side.ip)


def test_invitations_put_the_invitee_in_the_side_table(app, world, login_as):
    login_as(world.a.admin).post("/admin/users/invite", data={
        "email": "new-viewer@example.vn", "name": "Phạm Thu", "role": Role.PROVINCE_VIEWER.value})
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "user_invited")).one()
        assert "email" not in (entry.details or {})
        assert entry.personal.subject_email == "new-viewer@example.vn"


def _entries(app, world) -> tuple[int, int, int]:
    """By the officer, about the officer (by the admin), and by the admin about nobody."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.4"}):
        record("login", user=world.a.officer)
        record("user_deactivated", world.a.officer, user=world.a.admin,
               subject_email=world.a.officer.email)
        record("export", object_type="export", user=world.a.admin)
        db.session.commit()
        return tuple(db.session.scalars(select(AuditLog.id).order_by(AuditLog.id)))


def test_pseudonymising_a_user_changes_their_entries_only_and_keeps_the_chain(app, world):
    by, about, other = _entries(app, world)
    with app.app_context():
        assert pseudonymise_user(world.a.officer.id, "user-7f3a") == 2
        db.session.commit()
        assert (_personal(by).user_email, _personal(by).salt) == ("user-7f3a", None)
        assert _personal(about).subject_email == "user-7f3a"
        assert _personal(about).user_email == world.a.admin.email  # the actor stays
        assert _personal(other).user_email == world.a.admin.email
        assert _personal(other).salt is not None
    assert _intact(app)


def test_forgetting_addresses_keeps_newer_ones_and_the_chain(app, world):
    old, newer, _other = _entries(app, world)
    with app.app_context(), db.engine.connect() as connection:
        moment = connection.execute(select(AuditLog.at).where(AuditLog.id == newer)).scalar()
    with app.app_context():
        assert forget_addresses(moment if moment.tzinfo else moment.replace(tzinfo=UTC)) == 1
        db.session.commit()
        assert _personal(old).ip is None and _personal(newer).ip == "198.51.100.4"
        assert forget_addresses(datetime.now(UTC) + timedelta(seconds=1)) == 2
        db.session.commit()
    assert _intact(app)


def test_erasing_the_side_rows_keeps_the_chain(app, world):
    _entries(app, world)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_log_personal"))
        db.session.commit()
    assert _intact(app)


def test_the_viewer_and_its_export_show_emails_and_pseudonyms(app, world, login_as):
    by, about, other = _entries(app, world)
    with app.app_context():
        pseudonymise_user(world.a.officer.id, "user-7f3a")
        db.session.execute(text(f"DELETE FROM audit_log_personal WHERE audit_id = {other}"))
        db.session.commit()
    client = login_as(world.a.admin)
    page = client.get("/province/audit-log").get_data(as_text=True)
    table = page.split("<tbody>", 1)[1]
    assert "user-7f3a" in table and world.a.officer.email not in table
    assert world.a.admin.email in table  # the actor of the entry about the officer
    assert f"Erased user #{world.a.admin.id}" in table
    by_email = client.get(f"/province/audit-log?user={world.a.admin.email}").get_data(
        as_text=True).split("<tbody>", 1)[1]
    assert "user_deactivated" in by_email and "<code>export</code>" not in by_email
    csv = client.get("/province/audit-log.csv").get_data(as_text=True)
    assert "user-7f3a" in csv and f"Erased user #{world.a.admin.id}" in csv
    assert "198.51.100.4" in csv and world.a.officer.email not in csv
