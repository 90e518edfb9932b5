"""A round's "accepted" follows the authority's review: a reviewed grade counts once accepted,
an unreviewed grade on submit, a return not at all (the correction counts when accepted)."""

from __future__ import annotations

from datetime import timedelta

from riskapp import territory
from riskapp.db import db
from riskapp.models import Grade, Province, ReviewDecision
from riskapp.reviews import services as reviews
from riskapp.rounds import progress
from riskapp.tenancy import province_reader_scope
from tests import factories
from tests.rounds.support import open_round


def _totals(round_, tenant):
    _rows, total = progress.area_rows(round_, province_reader_scope(tenant.province.id))
    return total.received, total.accepted


def test_accepted_counts_what_the_review_accepted(app, world):
    with app.test_request_context():
        a = world.a
        today = territory.province_today(a.province.id)
        province = db.session.get(Province, a.province.id)
        reviews.set_review_grades(province, set(Grade), a.admin)  # every grade is reviewed
        round_ = open_round(a, today, today + timedelta(days=7))
        first = factories.submit_assessment(a.enterprise, a.officer)
        other = factories.submit_assessment(a.enterprise_elsewhere, a.officer)
        db.session.commit()
        assert _totals(round_, a) == (2, 0)

        reviews.decide(first, ReviewDecision.ACCEPTED, a.admin, None)
        reviews.decide(other, ReviewDecision.RETURNED, a.admin, "Thiếu ảnh khu rửa tay")
        db.session.commit()
        assert _totals(round_, a) == (2, 1)


def test_an_unreviewed_grade_is_accepted_on_submit(app, world):
    with app.test_request_context():
        a = world.a
        today = territory.province_today(a.province.id)
        province = db.session.get(Province, a.province.id)
        reviews.set_review_grades(province, set(), a.admin)  # nothing is reviewed
        round_ = open_round(a, today, today + timedelta(days=7))
        factories.submit_assessment(a.enterprise, a.officer)
        db.session.commit()
        assert _totals(round_, a) == (1, 1)
