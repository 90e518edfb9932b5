"""Declared, accepted and audited grades kept apart in exports, the API, the PDF and the mail."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pandas as pd

from riskapp.db import db
from riskapp.models import Assessment, User
from riskapp.reports.render import build_report_html
from riskapp.reviews import services as reviews
from tests.api.helpers import bearer, make_token
from tests.reports.sample import sample_report_data
from tests.reviews.support import fetch, return_post, submission


def _accept(login_as, world, assessment_id: int) -> None:
    response = login_as(world.a.admin).post(f"/province/reviews/{assessment_id}",
                                            data={"decision": "accepted"})
    assert response.status_code == 302


def test_the_enterprise_export_has_declared_review_accepted_and_audited(app, world, login_as):
    accepted = submission(app, world.a)
    pending = submission(app, world.a, enterprise=world.a.enterprise_elsewhere)
    _accept(login_as, world, accepted)
    csv = login_as(world.a.admin).get("/province/export/enterprises.csv").data
    frame = pd.read_csv(io.BytesIO(csv), dtype=str, encoding="utf-8-sig").set_index("Tax code")
    assert {"Declared grade", "Review", "Accepted grade", "Audited grade"} <= set(frame.columns)
    row, waiting = (frame.loc[world.a.enterprise.tax_code],
                    frame.loc[world.a.enterprise_elsewhere.tax_code])
    assert row["Review"] == "accepted" and row["Accepted grade"] == row["Declared grade"]
    assert waiting["Review"] == "awaiting review" and pd.isna(waiting["Accepted grade"])
    history = login_as(world.a.admin).get("/province/export/assessments.csv").data
    assert "Accepted grade" in history.decode("utf-8-sig")
    assert fetch(app, pending).accepted_grade is None


def test_the_api_names_each_grade(app, world, login_as):
    assessment_id = submission(app, world.a)
    headers = bearer(make_token(app, world.a.viewer))
    client = app.test_client()
    body = client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).get_json()
    assert body["review_status"] == "pending" and body["accepted_grade"] is None
    assert body["declared_grade"] == body["grade"] and body["audited_grade"] is None
    _accept(login_as, world, assessment_id)
    body = client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).get_json()
    assert body["review_status"] == "accepted" and body["accepted_grade"] == body["grade"]
    enterprise = client.get(f"/api/v1/enterprises/{world.a.enterprise.id}",
                            headers=headers).get_json()
    assert enterprise["status"]["review_status"] == "accepted"
    assert enterprise["status"]["accepted_grade"] == body["grade"]
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"declared_grade", "review_status", "accepted_grade", "audited_grade"} <= set(
        schema["Assessment"]["properties"])


def test_the_pdf_says_which_grade_it_shows(app, world, login_as):
    assessment_id = submission(app, world.a)
    with app.app_context():
        waiting = reviews.report_facts(db.session.get(Assessment, assessment_id),
                                       "Asia/Ho_Chi_Minh")
    assert waiting == {"review_status": "pending", "review_decided_on": None}
    _accept(login_as, world, assessment_id)
    with app.app_context():
        facts = reviews.report_facts(db.session.get(Assessment, assessment_id),
                                     "Asia/Ho_Chi_Minh")
    assert facts["review_status"] == "accepted" and isinstance(facts["review_decided_on"], date)
    accepted = replace(sample_report_data("en"), review_status="accepted",
                       review_decided_on=date(2026, 12, 3))
    assert "Self-declared grade — accepted by the province on 3 Dec 2026" in \
        build_report_html(accepted)
    pending_vi = replace(sample_report_data("vi"), review_status="pending")
    assert "Mức tự đánh giá — đang chờ tỉnh xét duyệt" in build_report_html(pending_vi)


def test_the_mail_is_in_the_officers_language(app, world, login_as, outbox):
    with app.app_context():
        db.session.get(User, world.a.officer.id).locale = "en"
        db.session.commit()
    assessment_id = submission(app, world.a)
    response = login_as(world.a.admin).post(f"/province/reviews/{assessment_id}",
                                            data=return_post(ORG_2="Show the plan"))
    assert response.status_code == 302
    assert outbox[0]["Subject"] == "Your assessment was returned for correction"
    assert "ORG-2: Show the plan" in outbox[0].get_content()


def test_verify_tells_the_review_today_beside_what_was_signed(app, world, login_as, client):
    """A report signed while its grade awaited review keeps saying so (it is signed); the public
    verification page adds what the review made of it since."""
    from tests.audit.support import report_row

    assessment_id = submission(app, world.a)
    report = report_row(app, assessment_id)
    client.get("/lang/en")
    page = client.get(f"/verify/{report.verification_code}").get_data(as_text=True)
    assert "<dt>The province's review today</dt>" in page
    assert "Self-declared grade — awaiting review by the province" in page
    _accept(login_as, world, assessment_id)
    page = client.get(f"/verify/{report.verification_code}").get_data(as_text=True)
    assert "Self-declared grade — accepted by the province on" in page
    assert report_row(app, assessment_id).sha256 == report.sha256  # the signed file is unchanged
