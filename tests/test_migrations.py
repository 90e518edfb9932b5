"""The schema comes from Alembic alone: the migrations build exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from riskapp import create_app, migrate
from riskapp.db import Base, db


def _differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migrated_database_matches_the_models(app):
    assert _differences(app) == []


def test_migrations_go_down_to_nothing_and_up_again(tmp_path):
    fresh = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "m.sqlite3"), "TESTING": True}
    )
    migrate.upgrade(fresh)
    migrate.downgrade(fresh, "base")
    with fresh.app_context(), db.engine.connect() as connection:
        tables = set(connection.dialect.get_table_names(connection)) - {"alembic_version"}
    assert tables == set()
    migrate.upgrade(fresh)
    assert _differences(fresh) == []


def test_0007_owns_uploaded_checklists_and_merges_duplicate_drafts(tmp_path):
    """Old data: an uploaded checklist version without a province, and two open drafts of one
    enterprise (made by parallel requests before the index)."""
    from sqlalchemy import inspect, select, text

    from riskapp.assessments import services
    from riskapp.models import Assessment, AssessmentStatus, ChecklistVersion
    from tests import factories

    fresh = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "o.sqlite3"),
                        "TESTING": True, "SECRET_KEY": "x" * 40})
    migrate.upgrade(fresh)
    with fresh.test_request_context():
        world = factories.build_world()
        uploaded = factories.upload_checklist(world.a.province, world.a.admin, 2)
        shipped = factories.checklists_default_id()
        draft = services.start_draft(world.a.enterprise, world.a.officer)
        draft.answers = {"ORG-1": "yes", "HYG-2": "12"}
        db.session.commit()
        uploaded_id, draft_id = uploaded.checklist_version_id, draft.id
    migrate.downgrade(fresh, "0005")
    with fresh.app_context(), db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO assessment (enterprise_id, province_id, checklist_version_id, status, "
            "answers, failed_critical, lock_version, created_at, updated_at) "
            "SELECT enterprise_id, province_id, checklist_version_id, 'draft', "
            "'{\"ORG-1\": \"no\", \"ORG-2\": \"no\"}', failed_critical, 1, created_at, "
            "'2099-01-01 00:00:00' FROM assessment WHERE id = :id"), {"id": draft_id})
    migrate.upgrade(fresh)
    with fresh.app_context():
        drafts = db.session.scalars(
            select(Assessment).where(Assessment.status == AssessmentStatus.DRAFT)).all()
        assert len(drafts) == 1 and drafts[0].id != draft_id  # the newest stays open
        assert drafts[0].answers == {"ORG-1": "no", "ORG-2": "no", "HYG-2": "12"}  # nothing lost
        owners = dict(db.session.execute(select(ChecklistVersion.id,
                                                ChecklistVersion.province_id)).all())
        assert owners == {shipped: None, uploaded_id: world.a.province.id}
        indexes = {i["name"]: i for i in inspect(db.engine).get_indexes("assessment")}
        assert indexes["uq_assessment_one_draft"]["unique"]
    assert _differences(fresh) == []
