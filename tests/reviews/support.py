"""Review test helpers: a submission of a reviewed grade, and the review page's posts."""

from __future__ import annotations

from riskapp.db import db
from riskapp.models import Assessment, Grade, Province
from tests import factories


def submission(app, tenant, enterprise=None, answers=None, review_grades: str | None = None):
    """Submit an assessment of `enterprise` (default: the tenant's); with `review_grades` the
    province reviews those grades (default: every grade, so it waits for review). Its id."""
    with app.test_request_context():
        province = db.session.get(Province, tenant.province.id)
        province.review_grades = review_grades if review_grades is not None else ",".join(
            grade.value for grade in Grade)
        db.session.flush()
        made = factories.submit_assessment(enterprise or tenant.enterprise, tenant.officer,
                                           answers=answers)
        db.session.commit()
        return made.id


def fetch(app, assessment_id: int) -> Assessment:
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        db.session.expunge(assessment)
        return assessment


def return_post(**comments) -> dict:
    """The form of a return: a general comment and per-item comments (ITEM: text, or
    (text, True) to request evidence)."""
    data = {"decision": "returned", "comment": "Please check the items marked."}
    for item_id, value in comments.items():
        text, evidence = value if isinstance(value, tuple) else (value, False)
        item_id = item_id.replace("_", "-")
        data[f"comment-{item_id}"] = text
        if evidence:
            data[f"evidence-{item_id}"] = "y"
    return data
