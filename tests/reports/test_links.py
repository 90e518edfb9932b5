"""Links that leave the browser (PDF, QR code, e-mails) point at the address the app is served on:
the configured BASE_URL, else — in development only — the host and port of the request."""

from __future__ import annotations

import pytest

from riskapp import create_app
from riskapp.auth.services import send_invitation
from riskapp.db import db
from riskapp.models import User
from riskapp.reports import services as report_services
from tests.audit.support import pdf_text, report_row, submitted

PORT_X = "http://localhost:8765"  # the test client logs in on localhost


def _request_english_report(client, assessment_id: int, base_url: str):
    return client.get(f"/reports/assessment/{assessment_id}.pdf?lang=en", base_url=base_url)


def test_report_requested_on_port_x_links_to_port_x(app, world, login_as):
    assessment_id = submitted(app, world.a.enterprise, world.a.officer)
    client = login_as(world.a.officer)
    # The render runs in the background (inline in tests), after the request that queued it.
    assert _request_english_report(client, assessment_id, PORT_X).status_code in (200, 202)
    report = report_row(app, assessment_id, "en")
    text = pdf_text(report.pdf)
    assert f"localhost:8765/verify/{report.verification_code}" in text
    assert "127.0.0.1:5000" not in text


def test_background_render_uses_the_address_of_the_request_that_queued_it(
    app, world, login_as, held_work
):
    assessment_id = submitted(app, world.a.enterprise, world.a.officer)
    client = login_as(world.a.officer)
    _request_english_report(client, assessment_id, PORT_X)
    english = report_row(app, assessment_id, "en").id
    (args,) = [args for task, args in held_work.tasks()
               if task == report_services.RENDER_TASK and args[0] == english]
    # A worker has no request: the base URL travels with the job.
    assert args[1] == PORT_X


def test_configured_base_url_wins_over_the_request(dedicated_app, world):
    configured = dedicated_app(BASE_URL="https://riskapp.example.gov.vn/")
    with configured.test_request_context(base_url=PORT_X):
        assert report_services.verify_url("AAAA-BBBB") == (
            "https://riskapp.example.gov.vn/verify/AAAA-BBBB")


def test_password_reset_link_uses_the_served_address(app, client, world, outbox):
    client.post("/auth/forgot", data={"email": world.a.viewer.email}, base_url=PORT_X)
    assert f"{PORT_X}/auth/reset/" in outbox[-1].get_content()


def test_invitation_link_uses_the_served_address(app, world, outbox):
    with app.test_request_context(base_url=PORT_X):
        link = send_invitation(db.session.get(User, world.a.viewer.id), "Lê Minh Quản")
        db.session.rollback()
    assert link.startswith(f"{PORT_X}/auth/")


@pytest.mark.parametrize("base_url", [None, "", "riskapp.example.gov.vn"])
def test_production_refuses_to_start_without_a_base_url(monkeypatch, tmp_path, base_url):
    monkeypatch.setenv("RISKAPP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("RISKAPP_INSTANCE", str(tmp_path))
    if base_url is None:
        monkeypatch.delenv("BASE_URL", raising=False)
    else:
        monkeypatch.setenv("BASE_URL", base_url)
    with pytest.raises(RuntimeError, match="BASE_URL"):
        create_app()
