"""The result page: re-graded grade next to the submitted one, declared vs audited, PDF link."""

from __future__ import annotations

from datetime import date

from riskapp import clock
from riskapp.db import db
from riskapp.models import Assessment, Finding, Grade
from tests.assessments.conftest import submit_directly


def test_regraded_and_audited_grades_sit_next_to_the_declared_one(app, world, officer):
    assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        regraded = dict(assessment.result, grade="very_high")
        assessment.effective_result = regraded
        assessment.effective_grade = Grade.VERY_HIGH
        assessment.effective_area_level = 4
        db.session.add(Finding(
            assessment_id=assessment_id, enterprise_id=assessment.enterprise_id,
            province_id=assessment.province_id, visited_on=clock.today(),
            answers={"ORG-1": "yes"}, grade=Grade.LOW, score=12.5,
        ))
        db.session.commit()
    officer.get("/lang/en")
    html = officer.get(f"/enterprise/assessments/{assessment_id}").get_data(as_text=True)
    assert "Declared grade (self-assessed)" in html and ">high<" in html
    assert "Grade under the current area level (level 4)" in html and ">very high<" in html
    assert "Declared and audited" in html and ">low<" in html
    audited_table = html[html.index("Declared and audited"):]
    assert "ORG-1" in audited_table and "No" in audited_table and "Yes" in audited_table
    assert "vn-workplace-2021" in html and "Level 1 — low (green)" in html


def test_pdf_link_when_the_reports_area_is_installed(app, world, officer):
    assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
    html = officer.get(f"/enterprise/assessments/{assessment_id}").get_data(as_text=True)
    assert ("reports.download" in app.view_functions) == (
        f"/reports/assessment/{assessment_id}.pdf" in html)


def test_one_due_date_per_action_and_per_assessment_on_result_page_pdf_and_api(
        app, world, officer):
    """The result page showed the engine's first due date where the actions page and the PDF
    showed the stored (carried over or edited) one; and the submitted next due date where the
    home page showed the re-graded one."""
    from sqlalchemy import select

    from riskapp.models import RemediationAction
    from riskapp.reports import render
    from riskapp.reports import services as report_services
    from tests.api.helpers import bearer, make_token

    assessment_id = submit_directly(app, world.a.enterprise, world.a.officer)
    with app.app_context():
        action = db.session.scalars(select(RemediationAction).where(
            RemediationAction.assessment_id == assessment_id)
            .order_by(RemediationAction.position)).first()
        action.due_on = date(2031, 10, 17)  # the officer moved it
        assessment = db.session.get(Assessment, assessment_id)
        assessment.effective_next_due_on = date(2031, 12, 8)  # a level change moved it
        db.session.commit()
        report = report_services.report_of(assessment_id, "vi")
        data = report_services.build_report_data(report)
    officer.get("/lang/vi")
    result = officer.get(f"/enterprise/assessments/{assessment_id}").get_data(as_text=True)
    actions = officer.get("/enterprise/actions").get_data(as_text=True)
    home = officer.get("/enterprise/").get_data(as_text=True)
    assert "17/10/2031" in result and "17/10/2031" in actions
    assert "08/12/2031" in result and "08/12/2031" in home
    header = render._header(data, {})
    assert header["next_due"] == "08/12/2031"
    assert "17/10/2031" in [row["due_on"] for row in render._actions(data)]
    token = make_token(app, world.a.officer)
    api = officer.get(f"/api/v1/assessments/{assessment_id}", headers=bearer(token)).get_json()
    assert api["next_due_on"] == "2031-12-08"
