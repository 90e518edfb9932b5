"""Closing a round freezes its figures: JSON, XLSX and PDF that later submissions do not change;
closing twice makes one snapshot."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from sqlalchemy import func, select, update

from riskapp import territory
from riskapp.db import db
from riskapp.models import AuditLog, ReportingRound, RoundStatus
from riskapp.rounds import services, summary
from riskapp.rounds.services import RoundRefused
from tests import factories
from tests.rounds.support import open_round


def _round(app, tenant, **dates):
    with app.test_request_context():
        today = territory.province_today(tenant.province.id)
        opens_on = dates.get("opens_on", today - timedelta(days=3))
        return open_round(tenant, opens_on, dates.get("due_on", today + timedelta(days=3))).id


def test_close_freezes_figures_and_files(app, world, login_as):
    round_id = _round(app, world.a)
    client = login_as(world.a.admin)
    assert client.post(f"/province/rounds/{round_id}/close").status_code == 302
    with app.app_context():
        round_ = db.session.get(ReportingRound, round_id)
        assert round_.status == RoundStatus.CLOSED
        assert round_.snapshot["total"]["received"] == 0
        assert round_.xlsx_file and round_.pdf_file
        frozen = dict(round_.snapshot)
    xlsx_before = client.get(f"/province/rounds/{round_id}/summary.xlsx").data
    pdf_before = client.get(f"/province/rounds/{round_id}/summary.pdf").data
    assert zipfile.ZipFile(io.BytesIO(xlsx_before)).namelist()
    assert pdf_before.startswith(b"%PDF")
    with app.test_request_context():
        factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
    with app.app_context():
        assert db.session.get(ReportingRound, round_id).snapshot == frozen
    assert client.get(f"/province/rounds/{round_id}/summary.xlsx").data == xlsx_before
    assert client.get(f"/province/rounds/{round_id}/summary.pdf").data == pdf_before
    page = client.get(f"/province/rounds/{round_id}").get_data(as_text=True)
    assert world.a.enterprise.name in page  # still listed as not reported, as frozen
    export = client.get(f"/province/rounds/{round_id}/progress.xlsx")
    assert export.status_code == 200 and export.data.startswith(b"PK")


def test_closing_twice_makes_one_snapshot(app, world, login_as):
    round_id = _round(app, world.a)
    client = login_as(world.a.admin)
    client.post(f"/province/rounds/{round_id}/close")
    second = client.post(f"/province/rounds/{round_id}/close", follow_redirects=True)
    assert "This round is already closed." in second.get_data(as_text=True)
    with app.app_context():
        closed = db.session.scalar(select(func.count()).select_from(AuditLog)
                                   .where(AuditLog.action == "round_closed"))
        assert closed == 1


def test_the_database_lets_only_one_close_land(app, world):
    """Two requests that both read the round open: the conditional UPDATE admits one."""
    round_id = _round(app, world.a)
    with app.test_request_context():
        round_ = db.session.get(ReportingRound, round_id)
        # The first request's close lands behind this (stale, still "open") object's back.
        db.session.execute(update(ReportingRound).where(ReportingRound.id == round_id)
                           .values(status=RoundStatus.CLOSED)
                           .execution_options(synchronize_session=False))
        assert round_.status == RoundStatus.OPEN
        try:
            services.close_round(round_, world.a.admin, "vi")
        except RoundRefused as refusal:
            assert str(refusal) == "This round is already closed."
        else:
            raise AssertionError("the second close was not refused")
        assert db.session.get(ReportingRound, round_id).snapshot is None


def test_a_round_cannot_close_before_its_open_date(app, world, login_as):
    with app.test_request_context():
        today = territory.province_today(world.a.province.id)
    round_id = _round(app, world.a, opens_on=today + timedelta(days=2),
                      due_on=today + timedelta(days=9))
    page = login_as(world.a.admin).post(f"/province/rounds/{round_id}/close",
                                        follow_redirects=True)
    assert "A round cannot be closed before its open date." in page.get_data(as_text=True)
    with app.app_context():
        round_ = db.session.get(ReportingRound, round_id)
        assert round_.status == RoundStatus.OPEN and round_.snapshot is None


def test_summary_of_an_open_round_is_not_ready(app, world, login_as):
    round_id = _round(app, world.a)
    page = login_as(world.a.viewer).get(f"/province/rounds/{round_id}/summary.pdf",
                                        follow_redirects=True)
    assert "The summary is not ready yet" in page.get_data(as_text=True)


def test_the_pdf_names_the_first_missing_and_points_to_the_xlsx(app, monkeypatch):
    monkeypatch.setattr(summary, "PDF_MISSING_LIMIT", 1)
    frozen = {"title": "Đợt 1", "opens_on": "2026-12-01", "due_on": "2026-12-15",
              "built_on": "2026-12-16", "rows": [], "total": {
                  "expected": 2, "received": 0, "on_time": 0, "accepted": 0},
              "missing": [{"tax_code": f"28{i}", "name": f"DN {i}", "area": "Xã A",
                           "officers": []} for i in range(2)]}
    with app.test_request_context():
        html = summary.summary_html(frozen, "en")
    assert "DN 0" in html and "DN 1" not in html
    assert "The summary XLSX lists all of them." in html
