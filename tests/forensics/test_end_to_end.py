"""From the officer's web submit to a flag (the background scan), and the flask commands."""

from __future__ import annotations

import re

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Assessment, Evidence, ForensicFlag
from tests.assessments.conftest import COMPLETE_ANSWERS, form_data, hidden_value
from tests.forensics.conftest import submit_with_photos
from tests.forensics.images import jpeg, scene


def test_a_web_form_submitted_at_once_is_flagged_by_the_background_scan(app, world,
                                                                         login_as, monkeypatch):
    monkeypatch.setitem(app.config, "FORENSICS_ON_SUBMIT", True)
    officer = login_as(world.a.officer)
    edit_url = officer.post("/enterprise/assessments/new").headers["Location"]
    html = officer.get(edit_url).get_data(as_text=True)
    assessment_id = int(re.search(r"/assessments/(\d+)/edit", edit_url).group(1))
    sent = officer.post(edit_url, data=form_data(
        COMPLETE_ANSWERS, lock_version=hidden_value(html, "lock_version"),
        submit_token=hidden_value(html, "submit_token"), action="submit"))
    assert sent.status_code == 302
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).submitted_via == "web"
        kinds = set(db.session.scalars(select(ForensicFlag.kind)
                                       .where(ForensicFlag.assessment_id == assessment_id)))
    assert "too_fast" in kinds


def test_the_scan_and_backfill_commands(app, world):
    with app.test_request_context():
        photo = jpeg(scene(95))
        submit_with_photos(world.a.enterprise, world.a.officer, [photo])
        submit_with_photos(world.a.enterprise_elsewhere, world.a.officer, [photo])
        db.session.commit()
        db.session.execute(Evidence.__table__.update().values(phash=None))
        db.session.commit()
    runner = app.test_cli_runner()
    backfilled = runner.invoke(args=["forensics-backfill"])
    assert "2 photos hashed" in backfilled.output, backfilled.output
    first = runner.invoke(args=["forensics-scan", "--province", world.a.province.code])
    assert '"photo_reuse": 1' in first.output, first.output
    again = runner.invoke(args=["forensics-scan", "--province", world.a.province.code])
    assert '"photo_reuse": 0' in again.output
    assert runner.invoke(args=["forensics-scan", "--province", "XX"]).exit_code != 0
