"""The signing-key registry: rotation, revocation, publication, offline checks, first start."""

from __future__ import annotations

import io
import stat
import threading
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from riskapp.db import db
from riskapp.models import AuditLog, SigningKey
from riskapp.reports import keys, services, signing
from tests.audit.support import report_row, submitted


def _key_of(pdf: bytes) -> str:
    return pdf.rsplit(b"%riskapp-signature:v1:", 1)[1][:16].decode()


def _upload(client, pdf: bytes) -> str:
    response = client.post("/verify", data={"pdf": (io.BytesIO(pdf), "r.pdf")},
                           content_type="multipart/form-data")
    return response.get_data(as_text=True)


def _report(app, world, day: int):
    return report_row(app, submitted(app, world.a.enterprise, world.a.officer,
                                     on=date(2026, 1, day)))


@pytest.fixture
def english(client):
    client.get("/lang/en")
    return client


def test_rotation_signs_new_reports_with_the_new_key_and_old_ones_still_verify(
        app, world, english):
    old = _report(app, world, 10)
    result = app.test_cli_runner().invoke(args=["keys-rotate"])
    assert result.exit_code == 0, result.output
    new = _report(app, world, 11)
    assert _key_of(old.pdf) != _key_of(new.pdf)
    assert f"current signing key: {_key_of(new.pdf)}" in result.output
    with app.app_context():
        path = keys.key_path(_key_of(new.pdf))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for report in (old, new):
        assert "Genuine report" in _upload(english, report.pdf)
    current = signing.load_public_key(english.get("/verify/public-key.pem").data)
    assert signing.key_id(current) == _key_of(new.pdf)
    retired = english.get(f"/verify/keys/{_key_of(old.pdf)}.pem")
    assert signing.verify_report(old.pdf, signing.load_public_key(retired.data)).valid
    assert english.get("/verify/keys/0000000000000000.pem").status_code == 404
    statuses = {k["key_id"]: k["status"] for k in english.get("/verify/keys.json").json["keys"]}
    assert statuses == {_key_of(old.pdf): "retired", _key_of(new.pdf): "current"}


def _at(hour: int) -> datetime:
    return datetime(2026, 3, 2, hour, 0, tzinfo=UTC)


@pytest.fixture
def before_and_after(app, world):
    """Two reports by one key, at 08:00 and 10:00 UTC; the key revoked from 09:00."""
    with time_machine.travel(_at(8), tick=False):
        earlier = _report(app, world, 10)
    with time_machine.travel(_at(10), tick=False):
        later = _report(app, world, 11)
    revoked = app.test_cli_runner().invoke(args=[
        "keys-revoke", _key_of(earlier.pdf), "--at", "2026-03-02T16:00+07:00",
        "--reason", "server copied"])
    assert revoked.exit_code == 0, revoked.output
    return earlier, later


def test_revocation_fails_later_reports_with_the_reason_and_keeps_earlier_ones(
        app, world, english, before_and_after):
    earlier, later = before_and_after
    key_id = _key_of(earlier.pdf)
    refused = _upload(english, later.pdf)
    assert "Not a genuine report" in refused
    assert f"signed by key {key_id} after it was revoked on" in refused
    assert "server copied" in refused
    kept = _upload(english, earlier.pdf)
    assert "Genuine report" in kept and "was revoked on" in kept
    with app.app_context():
        row = db.session.scalar(select(SigningKey).where(SigningKey.key_id == key_id))
        assert row.revoked_at.replace(tzinfo=UTC) == _at(9) and row.current is None
        # The revoked key was the current one: a new key signs from now on.
        assert keys.current_row().key_id != key_id
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "signing_key_revoked")) == 1


def test_cli_verifies_offline_with_a_saved_key_set(app, world, client, before_and_after,
                                                   tmp_path):
    earlier, later = before_and_after
    saved = tmp_path / "keys.json"
    saved.write_bytes(client.get("/verify/keys.json").data)
    runner = app.test_cli_runner()
    files = {}
    for name, report in (("earlier", earlier), ("later", later)):
        files[name] = tmp_path / f"{name}.pdf"
        files[name].write_bytes(report.pdf)
    ok = runner.invoke(args=["verify-report", str(files["earlier"]), "--keys", str(saved)])
    assert ok.exit_code == 0, ok.output
    assert "note:" in ok.output and "server copied" in ok.output
    bad = runner.invoke(args=["verify-report", str(files["later"]), "--keys", str(saved)])
    assert bad.exit_code == 1
    assert (f"NOT GENUINE: signed by key {_key_of(later.pdf)} after it was revoked on "
            "2026-03-02T09:00:00Z: server copied") in bad.output
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    refused = runner.invoke(args=["verify-report", str(files["later"]), "--keys", str(junk)])
    assert refused.exit_code == 1 and "not a riskapp key set" in refused.output
    both = runner.invoke(args=["verify-report", str(files["later"]), "--keys", str(saved),
                               "--public-key", str(saved)])
    assert both.exit_code == 2 and "not both" in both.output


def test_revoke_refuses_what_cannot_be_done(app, world, before_and_after):
    earlier, _later = before_and_after
    runner = app.test_cli_runner()
    cases = [
        (["keys-revoke", _key_of(earlier.pdf), "--reason", "again"], "already revoked"),
        (["keys-revoke", "ffffffffffffffff", "--reason", "x"], "no signing key ffffffffffffffff"),
        (["keys-revoke", "x", "--at", "2999-01-01T00:00Z", "--reason", "x"], "in the future"),
        (["keys-revoke", "x", "--at", "yesterday", "--reason", "x"], "not an ISO time"),
        (["keys-revoke", "x", "--at", "2026-01-01T00:00", "--reason", "x"], "time zone"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_keys_page_lists_each_key_with_its_status(app, world, client, before_and_after, lang):
    client.get(f"/lang/{lang}")
    page = client.get("/verify/keys")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    earlier, _later = before_and_after
    assert _key_of(earlier.pdf) in text and "server copied" in text
    assert ("Revoked" if lang == "en" else "Đã thu hồi") in text
    assert "UTC" in text
    with app.app_context():
        fingerprint = keys.key_set()[_key_of(earlier.pdf)].fingerprint
    assert fingerprint[:4] + " " + fingerprint[4:8] in text


def test_first_registration_is_once_when_processes_start_together(app):
    barrier = threading.Barrier(4)
    errors = []

    def start():
        try:
            with app.app_context():
                barrier.wait()
                services.signing_key()
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SigningKey)) == 1
        # A second INSERT of the same key is refused by the database itself.
        keys._register_first_key()
        assert db.session.scalar(select(func.count()).select_from(SigningKey)) == 1
