"""The result page: re-graded grade next to the submitted one, declared vs audited, PDF link."""

from __future__ import annotations

from datetime import date

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
            province_id=assessment.province_id, visited_on=date.today(),
            answers={"ORG-1": "yes"}, grade=Grade.LOW, score=12.5,
        ))
        db.session.commit()
    officer.get("/lang/en")
    html = officer.get(f"/enterprise/assessments/{assessment_id}").get_data(as_text=True)
    assert "Risk grade (as submitted)" in html and ">high<" in html
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
