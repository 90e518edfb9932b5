"""On-site findings: graded by the same engine, shown next to the declared grade."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import AuditLog, EnterpriseStatus, Finding, Grade
from tests.audit.support import submitted


def _findings(app):
    with app.app_context():
        return db.session.execute(
            select(
                Finding.answers, Finding.grade, Finding.confirmed, Finding.note, Finding.auditor_id
            )
        ).all()


def _status(app, enterprise_id):
    with app.app_context():
        row = db.session.get(EnterpriseStatus, enterprise_id)
        return row.declared_grade, row.audited_grade, row.audited_on


def _post(client, assessment_id, **fields):
    data = {"visited_on": "2026-01-20", "outcome": "differs", "note": "", **fields}
    return client.post(f"/audit/assessments/{assessment_id}/finding", data=data)


def test_form_lists_the_applicable_items(world, assessment_id, auditor):
    page = auditor.get(f"/audit/assessments/{assessment_id}/finding")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'name="observed-HYG-1"' in text
    assert 'name="observed-CAN-1"' in text  # the enterprise has a canteen
    assert 'name="observed-TRN-1"' not in text  # no shuttle: the item did not apply


def test_confirmed_finding_repeats_the_declared_grade(app, world, assessment_id, auditor):
    response = _post(auditor, assessment_id, outcome="confirmed", note="Đúng như khai báo")
    assert response.status_code == 302
    [finding] = _findings(app)
    assert finding.confirmed is True
    assert finding.answers == {}
    assert finding.grade == Grade.LOW
    assert finding.note == "Đúng như khai báo"
    assert finding.auditor_id == world.a.auditor.id
    assert _status(app, world.a.enterprise.id) == (Grade.LOW, Grade.LOW, date(2026, 1, 20))


def test_differing_items_are_graded_by_the_engine_next_to_the_declared_grade(
    app, world, assessment_id, auditor
):
    response = _post(
        auditor,
        assessment_id,
        **{"observed-HYG-1": "no", "observed-MSK-1": "no", "observed-ORG-1": "yes",
           "observed-HYG-2": "95"},
    )
    assert response.status_code == 302
    [finding] = _findings(app)
    # ORG-1 and HYG-2 were observed as declared, so only the two differing items are stored.
    assert finding.answers == {"HYG-1": "no", "MSK-1": "no"}
    assert finding.grade > Grade.LOW  # two failed critical items escalate the grade
    declared, audited, _on = _status(app, world.a.enterprise.id)
    assert (declared, audited) == (Grade.LOW, finding.grade)

    page = auditor.get(f"/audit/assessments/{assessment_id}").get_data(as_text=True)
    declared_part, found_part = page.split("Found on site", 1)
    assert ">low<" in declared_part
    assert f">{finding.grade.label.en}<" in found_part.split("</section>", 1)[0]
    assert "2 items differ" in page
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "finding_recorded"))
        assert entry.details["audited_grade"] == finding.grade.value


def test_differs_without_any_difference_is_refused(app, world, assessment_id, auditor):
    response = _post(auditor, assessment_id, **{"observed-ORG-1": "yes"})
    assert response.status_code == 400
    assert "No observed answer differs" in response.get_data(as_text=True)
    assert _findings(app) == []


def test_a_wrong_number_is_reported_at_its_item_and_kept(app, world, assessment_id, auditor):
    response = _post(auditor, assessment_id, **{"observed-HYG-2": "150", "observed-MSK-1": "no"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'id="observed-HYG-2-error"' in text
    assert 'value="150"' in text
    assert '<option value="no" selected>' in text
    assert _findings(app) == []


def test_visit_before_the_assessment_is_refused(app, world, assessment_id, auditor):
    response = _post(auditor, assessment_id, outcome="confirmed", visited_on="2026-01-01")
    assert response.status_code == 400
    assert "before the assessment date" in response.get_data(as_text=True)
    assert _findings(app) == []


def test_province_admin_may_record_a_finding_viewer_may_not(app, world, assessment_id, login_as):
    viewer = login_as(world.a.viewer)
    assert _post(viewer, assessment_id, outcome="confirmed").status_code == 404
    admin = login_as(world.a.admin)
    assert _post(admin, assessment_id, outcome="confirmed").status_code == 302
    assert len(_findings(app)) == 1


def test_auditor_of_another_province_gets_404(app, world, assessment_id, login_as):
    other = login_as(world.b.auditor)
    assert _post(other, assessment_id, outcome="confirmed").status_code == 404
    assert _findings(app) == []


def test_superseded_assessment_takes_no_finding(app, world, assessment_id, auditor):
    submitted(app, world.a.enterprise, world.a.officer, on=date(2026, 3, 1))
    response = _post(auditor, assessment_id, outcome="confirmed")
    assert response.status_code == 302
    assert _findings(app) == []


def _answer_row(page: str, item_id: str) -> str:
    """The text of the answer table's row of an item, tags removed and spaces collapsed."""
    row = re.search(rf'<tr id="answer-{item_id}".*?</tr>', page, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_answer_table_grades_the_observed_answer_and_labels_the_declared_one(
    app, world, assessment_id, auditor
):
    # Declared HYG-1 "yes" (1 risk point of 10, passed); observed "no" (10 of 10, failed).
    assert _post(auditor, assessment_id, **{"observed-HYG-1": "no"}).status_code == 302
    page = auditor.get(f"/audit/assessments/{assessment_id}").get_data(as_text=True)
    row = _answer_row(page, "HYG-1")
    assert "On site: 10 / 10" in row and "Declared: 1 / 10" in row
    assert "On site: failed" in row and "Declared: passed" in row
    # An item observed as declared keeps one figure and one outcome.
    unchanged = _answer_row(page, "MSK-1")
    assert "On site" not in unchanged and "Declared:" not in unchanged
    assert "passed" in unchanged
