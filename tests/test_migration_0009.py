"""Revision 0009: a submitted assessment's area is backfilled from its enterprise's area."""

from __future__ import annotations

from sqlalchemy import select

from riskapp import create_app, migrate
from riskapp.db import db
from riskapp.models import Area, Assessment
from tests import factories


def test_0009_backfills_the_area_of_submitted_assessments(tmp_path):
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "a.sqlite3"),
                        "TESTING": True, "SECRET_KEY": "x" * 40})
    migrate.upgrade(fresh)
    with fresh.test_request_context():
        world = factories.build_world()
        factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
        expected = world.a.enterprise.area_id
    migrate.downgrade(fresh, "0008")
    migrate.upgrade(fresh)
    with fresh.app_context():
        assert db.session.scalars(select(Assessment.area_id)).all() == [expected]
        assert db.session.scalars(select(Area.valid_to)).all() == [None] * 6
