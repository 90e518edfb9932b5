"""riskapp.tenancy decides reach for every tenant-owned model, and nothing else decides it.

The expected rows are worked out here from each row's own province, enterprise and area, so a
model added later with a `province_id` is checked without being listed; the drafts rule (a draft
and its evidence are its enterprise's own until submitted) and personal objects are checked too.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from flask_login import login_user
from sqlalchemy import inspect, select
from werkzeug.exceptions import NotFound

from riskapp import checklists, clock
from riskapp.api.tokens import create_token
from riskapp.assessments import services as assessments
from riskapp.audit.services import record_finding
from riskapp.db import Base, db
from riskapp.impact import services as impact_services
from riskapp.models import (
    ApiToken,
    Area,
    AreaChange,
    AreaSuccession,
    Assessment,
    AssessmentStatus,
    Enterprise,
    ErasureRequest,
    Evidence,
    ForensicFlag,
    Grade,
    InspectionVisit,
    Job,
    JobStatus,
    Province,
    RetentionSetting,
    ReviewDecision,
    Role,
    WebhookEndpoint,
    WorkItem,
)
from riskapp.province.proposals import propose_level
from riskapp.reviews import services as reviews
from riskapp.rounds import services as rounds
from riskapp.rounds.targets import Criteria
from riskapp.tenancy import (
    EVIDENCE_READERS,
    PROVINCE_WIDE_MODELS,
    READERS,
    SHARED_MODELS,
    TENANT_USERS,
    area_subtree_ids,
    get_own_or_404,
    get_platform_record_or_404,
    platform_wide,
    scope_for,
    scoped,
)
from tests import factories
from tests.evidence.support import make_evidence

RISKAPP = Path(__file__).resolve().parents[1] / "riskapp"
TENANT_MODELS = sorted(
    (mapper.class_ for mapper in Base.registry.mappers
     if "province_id" in mapper.columns and mapper.class_ is not Area),
    key=lambda model: model.__name__,
)


@pytest.fixture
def populated(app, world):
    """In both provinces: a submitted assessment inside and outside the auditor's areas, a draft,
    evidence on each, a ZIP job, an API token, level proposals inside and outside and a
    reporting round of every enterprise."""
    with app.test_request_context():
        for tenant in (world.a, world.b):
            db.session.get(Province, tenant.province.id).review_grades = ",".join(
                grade.value for grade in Grade)
            inside = factories.submit_assessment(tenant.enterprise, tenant.officer)
            outside = factories.submit_assessment(tenant.enterprise_elsewhere, tenant.officer)
            # A return for correction: a review and a comment pinned to an item.
            reviews.decide(inside, ReviewDecision.RETURNED, tenant.admin, "Fix ORG-2",
                           [reviews.PinnedComment("ORG-2", "Show the plan", True)])
            record_finding(inside, tenant.auditor, clock.today(), {}, confirmed=True)
            checklists.activate(checklists.default_version(), tenant.province.id, clock.today(),
                                tenant.admin)
            factories.upload_checklist(tenant.province, tenant.admin, 2,
                                       title=f"Uploaded by {tenant.province.name}")
            draft = assessments.start_draft(tenant.enterprise, tenant.officer)
            for assessment in (inside, outside, draft):
                make_evidence(assessment, tenant.officer)
            for assessment in (inside, outside):  # a forensic signal inside and outside
                db.session.add(ForensicFlag(
                    province_id=assessment.province_id, enterprise_id=assessment.enterprise_id,
                    assessment_id=assessment.id, kind="too_fast", key="tenancy", reason={}))
            db.session.add(Job(id=str(uuid.uuid4()), kind="audit_zip", status=JobStatus.DONE,
                               created_by_id=tenant.auditor.id, province_id=tenant.province.id))
            for enterprise in (tenant.enterprise, tenant.enterprise_elsewhere):
                db.session.add(InspectionVisit(
                    province_id=tenant.province.id, enterprise_id=enterprise.id,
                    auditor_id=tenant.auditor.id, planned_on=clock.today()))
            today = clock.today()
            rounds.open_round(tenant.province.id, rounds.RoundPlan(
                "Đợt 1", today, today, None, Criteria()), tenant.admin)
            db.session.add(AreaSuccession(
                province_id=tenant.province.id, old_area_id=tenant.commune.id,
                new_area_id=tenant.district.id, effective_from=clock.today(),
                kind=AreaChange.MERGE, old_name=tenant.commune.name))
            # Level proposals inside and outside the area staff's district.
            propose_level(tenant.commune, 3, clock.today(), "Ổ dịch", tenant.area_admin)
            propose_level(tenant.other_district, 2, clock.today(), "Ổn định", tenant.admin)
            # An impact preview (a province-wide record: every reader of the province).
            impact_services.start_level_preview(tenant.province.id, tenant.commune, 4,
                                                clock.today(), tenant.admin)
            # A retention period and an erasure request: the province's own.
            db.session.add(RetentionSetting(province_id=tenant.province.id, kind="files",
                                            period=7))
            db.session.add(ErasureRequest(province_id=tenant.province.id,
                                          user_id=tenant.viewer.id))
            # A webhook endpoint (the submissions above wrote change events).
            db.session.add(WebhookEndpoint(province_id=tenant.province.id,
                                           url="https://hooks.example.org/riskapp",
                                           events=["report.ready"], secret="whsec_" + "A" * 43,
                                           active=False))
        db.session.commit()
    return world


def _key(row) -> tuple:
    return inspect(row).identity


def _enterprise_of(row) -> int | None:
    if isinstance(row, Enterprise):
        return row.id
    return getattr(row, "enterprise_id", None)


def _area_of(row) -> int | None:
    if getattr(row, "area_id", None) is not None:
        return row.area_id
    enterprise = _enterprise_of(row)
    return db.session.get(Enterprise, enterprise).area_id if enterprise else None


def _is_draft_business(row) -> bool:
    if isinstance(row, Assessment):
        return row.is_draft
    if isinstance(row, Evidence):
        return db.session.get(Assessment, row.assessment_id).is_draft
    return False


def _expected(model, user) -> set[int]:
    """The rows of `model` the user may reach, from each row's own attributes."""
    rows = db.session.scalars(select(model)).all()
    if model in SHARED_MODELS:
        # No province: shipped, everyone's; else every user of that province reads it.
        province_id = scope_for(user).province_id
        return {_key(r) for r in rows if r.province_id is None or r.province_id == province_id}
    if user.role == Role.OFFICER:
        return {_key(r) for r in rows if _enterprise_of(r) == user.enterprise_id}
    if user.role not in READERS:
        return set()
    if model is Evidence and user.role not in EVIDENCE_READERS:
        return set()  # photos may show faces: viewers read assessments without them
    if model in PROVINCE_WIDE_MODELS:
        # A province's campaign (a reporting round) is read whole by its readers.
        return {_key(r) for r in rows if r.province_id == user.province_id}
    scope = scope_for(user)
    reach = set()
    for row in rows:
        if row.province_id != user.province_id or _is_draft_business(row):
            continue
        if scope.area_ids is not None and _area_of(row) not in scope.area_ids:
            continue
        reach.add(_key(row))
    return reach


def test_the_world_has_rows_of_every_tenant_model_to_check(app, populated):
    with app.app_context():
        empty = [m.__name__ for m in TENANT_MODELS if not db.session.scalars(select(m)).first()]
    # Rows that only background work or other features make are checked by their own tests.
    assert set(empty) <= {"ReminderLog"}
    assert {"Assessment", "Evidence", "EnterpriseStatus", "RemediationAction", "User",
            "WeeklyGradeCount", "Enterprise", "AuditLog", "Job", "ChecklistVersion"} <= {m.__name__
                                                                     for m in TENANT_MODELS}


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_scoped_reaches_exactly_the_rows_of_the_reach(app, populated, model):
    users = [populated.a.officer, populated.a.auditor, populated.a.viewer, populated.a.admin,
             populated.platform_admin]
    with app.test_request_context():
        for user in users:
            statement = scoped(select(model), model, scope_for(user))
            got = {_key(row) for row in db.session.scalars(statement)}
            assert got == _expected(model, user), user.role


def test_the_auditor_reaches_less_than_the_province_and_nothing_of_drafts(app, populated):
    with app.test_request_context():
        auditor, viewer = scope_for(populated.a.auditor), scope_for(populated.a.viewer)
        admin = scope_for(populated.a.admin)
        seen = set(db.session.scalars(scoped(select(Evidence.id), Evidence, auditor)))
        province = set(db.session.scalars(scoped(select(Evidence.id), Evidence, admin)))
        assert seen and seen < province
        # The province's viewer reads the assessments, never their photos.
        assert db.session.scalars(scoped(select(Evidence.id), Evidence, viewer)).all() == []
        drafts = select(Assessment.id).where(Assessment.status == AssessmentStatus.DRAFT)
        assert db.session.scalars(scoped(drafts, Assessment, viewer)).all() == []
        officer = scope_for(populated.a.officer)
        assert len(db.session.scalars(scoped(drafts, Assessment, officer)).all()) == 1
        assert auditor.area_ids == area_subtree_ids({populated.a.district.id})


def test_personal_objects_belong_to_their_maker(app, populated, login_as):
    auditor = populated.a.auditor
    with app.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.created_by_id == auditor.id))
        token_id = create_token(populated.a.viewer, "viewer's", ["read"]).row.id
        db.session.commit()
    with app.test_request_context():
        login_user(db.session.get(type(auditor), auditor.id))
        assert get_own_or_404(Job, job_id, kind="audit_zip").id == job_id
        for model, object_id, criteria in ((Job, job_id, {"kind": "other"}),
                                           (ApiToken, token_id, {})):
            with pytest.raises(NotFound):
                get_own_or_404(model, object_id, **criteria)


def test_the_platform_records_are_the_platform_admins_alone(app, populated):
    """Background work of every province is the platform admin's to read; no one else's."""
    with app.test_request_context():
        every = set(db.session.scalars(select(WorkItem.id)))
        assert {i.province_id for i in db.session.scalars(select(WorkItem))} == {
            populated.a.province.id, populated.b.province.id}
        for user in (populated.a.officer, populated.a.auditor, populated.a.viewer,
                     populated.a.admin, populated.platform_admin):
            statement = platform_wide(select(WorkItem.id), WorkItem, scope_for(user))
            reach = set(db.session.scalars(statement))
            assert reach == (every if user.role == Role.PLATFORM_ADMIN else set()), user.role
        with pytest.raises(ValueError):
            platform_wide(select(Job.id), Job)
        login_user(db.session.get(type(populated.a.admin), populated.a.admin.id))
        with pytest.raises(NotFound):
            get_platform_record_or_404(WorkItem, min(every))


# Reach is decided in riskapp/tenancy.py: request code asks it rather than comparing ids or roles.
ACCESS_RULES = re.compile(
    r"current_user\.(province_id|enterprise_id|role)\b"
    r"|\b(login_required|roles_required)\b"
    r"|\b(Job\.created_by_id|ApiToken\.user_id)\s*=="
)


def _offenders(text: str) -> list[str]:
    return [m.group(0) for m in ACCESS_RULES.finditer(text)]


def test_no_request_code_spells_out_an_access_rule():
    found = []
    for path in sorted(RISKAPP.rglob("*.py")):
        relative = path.relative_to(RISKAPP).as_posix()
        if relative == "tenancy.py":
            continue
        found += [f"{relative}: {hit}" for hit in _offenders(path.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize("snippet", [
    "if current_user.role != Role.OFFICER:", "scope = current_user.province_id",
    "@login_required", "Job.created_by_id == user.id", "ApiToken.user_id == user.id",
])
def test_the_rule_scan_catches_what_it_looks_for(snippet):
    assert _offenders(snippet)


def test_every_role_group_is_a_set_of_roles():
    assert TENANT_USERS == READERS | {Role.OFFICER}
    assert Role.PLATFORM_ADMIN not in TENANT_USERS
