"""The deterministic Thanh Hóa demo (`flask seed-demo`) and its second province."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from riskapp import clock, gazetteer
from riskapp.auth.services import password_problem
from riskapp.db import db
from riskapp.demo import (
    AREA_STAFF_DISTRICT,
    AUDITOR_DISTRICTS,
    BOX_LAT,
    BOX_LON,
    DEMO_PASSWORD,
    DEMO_PROVINCE_CODE,
    DEMO_USERS,
    SECOND_PROVINCE_CODE,
    SECOND_USERS,
    seed,
)
from riskapp.models import (
    ActionStatus,
    Area,
    AreaKind,
    AreaLevel,
    Assessment,
    AssessmentStatus,
    AuditorArea,
    Enterprise,
    EnterpriseStatus,
    Finding,
    LevelProposal,
    ProposalStatus,
    Province,
    RemediationAction,
    Report,
    ReportStatus,
    Role,
    User,
)
from tests.conftest import login

# The former districts (before 1 July 2025; Đông Sơn had joined the city), as groupings.
REFERENCE_DISTRICTS = {
    "Thành phố Thanh Hóa", "Thành phố Sầm Sơn", "Thị xã Bỉm Sơn", "Thị xã Nghi Sơn",
    "Huyện Bá Thước", "Huyện Cẩm Thủy", "Huyện Hà Trung", "Huyện Hậu Lộc",
    "Huyện Hoằng Hóa", "Huyện Lang Chánh", "Huyện Mường Lát", "Huyện Nga Sơn", "Huyện Ngọc Lặc",
    "Huyện Như Thanh", "Huyện Như Xuân", "Huyện Nông Cống", "Huyện Quan Hóa", "Huyện Quan Sơn",
    "Huyện Quảng Xương", "Huyện Thạch Thành", "Huyện Thiệu Hóa", "Huyện Thọ Xuân",
    "Huyện Thường Xuân", "Huyện Triệu Sơn", "Huyện Vĩnh Lộc", "Huyện Yên Định",
}
REFERENCE_GROUPS = {f"{name} (cũ)" for name in REFERENCE_DISTRICTS}
TAX_CODE = re.compile(r"^28\d{8}(-\d{3})?$")


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _table_counts() -> dict[str, int]:
    models = (Province, Area, AreaLevel, Enterprise, Assessment, RemediationAction,
              EnterpriseStatus, Finding, User, AuditorArea, Report)
    return {model.__name__: _count(model) for model in models}


def _snapshot() -> list[tuple]:
    """What must come out the same in two fresh databases."""
    rows = db.session.execute(
        select(Enterprise.tax_code, Enterprise.name, Enterprise.latitude, Enterprise.headcount,
               EnterpriseStatus.effective_grade, EnterpriseStatus.assessed_on,
               EnterpriseStatus.assessment_count, EnterpriseStatus.score)
        .join(EnterpriseStatus, EnterpriseStatus.enterprise_id == Enterprise.id, isouter=True)
        .order_by(Enterprise.tax_code)
    ).all()
    actions = db.session.execute(
        select(Enterprise.tax_code, RemediationAction.item_id, RemediationAction.status)
        .join(Enterprise, Enterprise.id == RemediationAction.enterprise_id)
        # Two assessments can leave the same item due the same day: their order is the tie-break.
        .order_by(Enterprise.tax_code, RemediationAction.due_on, RemediationAction.item_id,
                  RemediationAction.id)
    ).all()
    return [tuple(r) for r in rows] + [tuple(a) for a in actions]


def test_full_demo_province(app):
    with app.app_context():
        summary = seed()
        today = clock.today()
        province = db.session.scalar(select(Province).where(Province.code == DEMO_PROVINCE_CODE))
        assert province.name == "Thanh Hóa"

        groups = db.session.scalars(
            select(Area).where(Area.province_id == province.id, Area.parent_id.is_(None))).all()
        assert {g.name for g in groups} == REFERENCE_GROUPS
        assert {(g.kind, g.former) for g in groups} == {(AreaKind.GROUP, True)}
        assert all(g.latitude for g in groups)
        communes = db.session.scalars(
            select(Area).where(Area.province_id == province.id, Area.parent_id.is_not(None))).all()
        official = {u.code: u for u in gazetteer.units("38")}
        assert len(communes) == 166 and {c.code for c in communes} == set(official)
        assert all(c.name == official[c.code].name for c in communes)
        group_of = {c.name: c.parent.name for c in communes}
        assert group_of["Phường Hạc Thành"] == "Thành phố Thanh Hóa (cũ)"
        assert group_of["Xã Hoằng Hóa"] == "Huyện Hoằng Hóa (cũ)"

        levels = Counter(db.session.scalars(select(AreaLevel.level).join(Area).where(
            Area.province_id == province.id, Area.parent_id.is_(None))))
        assert levels[4] == 1 and 1 <= levels[3] <= 4 and levels[1] + levels[2] >= 20

        enterprises = db.session.scalars(
            select(Enterprise).where(Enterprise.province_id == province.id)).all()
        assert len(enterprises) == 207
        assert all(TAX_CODE.match(e.tax_code) for e in enterprises)
        assert any("-" in e.tax_code for e in enterprises)  # some branches
        assert all(BOX_LAT[0] <= e.latitude <= BOX_LAT[1] for e in enterprises)
        assert all(BOX_LON[0] <= e.longitude <= BOX_LON[1] for e in enterprises)
        # In a real commune, near its official point.
        assert all(e.area.code in official and e.area.name in e.address for e in enterprises)
        assert all(abs(e.latitude - e.area.latitude) < 0.05
                   and abs(e.longitude - e.area.longitude) < 0.05 for e in enterprises)
        names = {e.name for e in enterprises}
        assert len(names) == 207
        assert {"Công ty TNHH May Xuất khẩu Hoằng Hóa", "Công ty CP Xi măng Nghi Sơn",
                "Công ty TNHH Giày da Thọ Xuân", "Công ty CP Chế biến Hải sản Sầm Sơn"} <= names
        divisions = Counter(e.industry_division for e in enterprises)
        assert {"10", "14", "15", "16", "23", "26"} <= set(divisions)
        by_group = Counter(e.area.parent.name for e in enterprises)
        assert by_group["Thị xã Nghi Sơn (cũ)"] > 5 * by_group["Huyện Mường Lát (cũ)"]

        statuses = db.session.scalars(
            select(EnterpriseStatus).where(EnterpriseStatus.province_id == province.id)).all()
        grades = {s.effective_grade for s in statuses if s.effective_grade is not None}
        assert len(grades) >= 4
        never = sum(1 for s in statuses if s.assessment_count == 0) + (
            len(enterprises) - len(statuses))
        assert 0.05 * 207 <= never <= 0.2 * 207
        assert any(s.next_due_on and s.next_due_on < today for s in statuses)  # overdue
        counts = Counter(s.assessment_count for s in statuses if s.assessment_count)
        assert set(counts) <= {2, 3, 4, 5}

        dates = db.session.scalars(select(Assessment.assessed_on).where(
            Assessment.province_id == province.id,
            Assessment.status != AssessmentStatus.DRAFT)).all()
        assert min(dates) >= today - timedelta(days=180) and max(dates) < today

        states = set(db.session.scalars(select(RemediationAction.status).where(
            RemediationAction.province_id == province.id).distinct()))
        assert states == set(ActionStatus)
        assert _count(Finding, Finding.province_id == province.id) >= 3
        # Reports render on first download, not during the seed.
        assert _count(Report, Report.province_id == province.id) == 0

        users = {u.email: u for u in db.session.scalars(
            select(User).where(User.email.in_([email for email, _r, _n in DEMO_USERS])))}
        assert sorted(u.role for u in users.values()) == sorted(Role)
        officer = users["officer@thanhhoa.demo.riskapp.vn"]
        assert officer.enterprise_id is not None
        assert _count(Assessment, Assessment.enterprise_id == officer.enterprise_id,
                      Assessment.status != AssessmentStatus.DRAFT) >= 2
        current = db.session.get(EnterpriseStatus, officer.enterprise_id).current_assessment_id
        assert _count(RemediationAction, RemediationAction.assessment_id == current,
                      RemediationAction.status == ActionStatus.OPEN) >= 1
        auditor_areas = set(db.session.scalars(
            select(Area.name).join(AuditorArea, AuditorArea.area_id == Area.id)
            .where(AuditorArea.user_id == users["auditor@thanhhoa.demo.riskapp.vn"].id)))
        assert auditor_areas == {f"{name} (cũ)" for name in AUDITOR_DISTRICTS}
        assert "Thị xã Nghi Sơn (cũ)" in auditor_areas
        # Commune/ward staff bound to one former district, with a proposal for the province.
        for email in ("xa-admin@thanhhoa.demo.riskapp.vn", "xa-viewer@thanhhoa.demo.riskapp.vn"):
            bound = set(db.session.scalars(
                select(Area.name).join(AuditorArea, AuditorArea.area_id == Area.id)
                .where(AuditorArea.user_id == users[email].id)))
            assert bound == {f"{AREA_STAFF_DISTRICT} (cũ)"}
        proposal = db.session.scalar(select(LevelProposal))
        assert proposal.status == ProposalStatus.PENDING
        assert proposal.proposed_by_id == users["xa-admin@thanhhoa.demo.riskapp.vn"].id
        assert any("officer@thanhhoa.demo.riskapp.vn" in line for line in summary)

        before = _table_counts()
        again = seed()
        assert "already seeded" in again[0]
        assert _table_counts() == before


def test_seed_is_deterministic_and_reset_recreates(app):
    with app.app_context():
        seed(enterprises=30)
        first = _snapshot()
        # A change to the demo that only a real reset undoes.
        changed = db.session.scalar(select(Enterprise).order_by(Enterprise.tax_code).limit(1))
        changed.name = "Tên đã sửa"
        db.session.commit()
        seed(reset=True, enterprises=30)
        second = _snapshot()
        assert len(first) > 30
        assert first == second
        assert _count(User, User.email.like("%demo.riskapp.vn")) == len(DEMO_USERS) + len(
            SECOND_USERS)


def test_demo_logins_work_and_cli_lists_them(app, client):
    assert password_problem(DEMO_PASSWORD) is None
    with app.app_context():
        seed(enterprises=27)
    for email, _role, _name in DEMO_USERS:
        response = login(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        client.post("/auth/logout")
    with app.app_context():  # `flask` pushes one for every command
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "already seeded" in result.output
    assert all(email in result.output for email, _r, _n in DEMO_USERS)


def test_second_province_comes_through_the_onboarding(app, client):
    with app.app_context():
        summary = seed(enterprises=26)
        second = db.session.scalar(select(Province).where(Province.code == SECOND_PROVINCE_CODE))
        assert second.name == "Ninh Bình"
        codes = set(db.session.scalars(select(Area.code).where(Area.province_id == second.id)))
        assert codes == {u.code for u in gazetteer.units(SECOND_PROVINCE_CODE)}
        enterprises = db.session.scalars(
            select(Enterprise).where(Enterprise.province_id == second.id)).all()
        assert 3 <= len(enterprises) <= 10
        assert all(e.area.province_id == second.id and e.area.code in codes for e in enterprises)
        assert all(s.assessment_count >= 2 for s in db.session.scalars(
            select(EnterpriseStatus).where(EnterpriseStatus.province_id == second.id)))
        officer = db.session.scalar(select(User).where(User.email == SECOND_USERS[1][0]))
        assert officer.role == Role.OFFICER and officer.enterprise.province_id == second.id
        assert any("Ninh Bình" in line for line in summary)
    for email, _role, _name in SECOND_USERS:
        assert login(client, email, DEMO_PASSWORD).status_code == 302, email
        client.post("/auth/logout")


def test_seed_leaves_a_real_province_of_the_same_code_alone(app):
    with app.app_context():
        db.session.add(Province(code=DEMO_PROVINCE_CODE, name="Thanh Hóa"))
        db.session.commit()
        lines = seed(reset=True, enterprises=26)
        assert "is not the demo's" in lines[0]
        assert _count(Province) == 1 and _count(Area) == 0


def test_reset_refuses_while_the_demo_holds_an_issued_report(app):
    """The database keeps issued reports (riskapp.immutable): the reset says so and changes
    nothing, rather than failing half-way."""
    with app.app_context():
        seed(enterprises=26)
        assessment = db.session.scalars(select(Assessment).where(
            Assessment.status == AssessmentStatus.SUBMITTED).limit(1)).one()
        db.session.add(Report(assessment_id=assessment.id, enterprise_id=assessment.enterprise_id,
                              province_id=assessment.province_id, lang="vi", public_id="RA-demo",
                              verification_code="DEMO-1", status=ReportStatus.READY,
                              attempts=1))
        db.session.commit()
        before = _count(Enterprise)
        lines = seed(reset=True, enterprises=26)
        assert lines == ["The demo provinces hold 1 issued report(s), which cannot be deleted; "
                         "nothing changed. Seed the demo into a fresh database instead."]
        assert _count(Enterprise) == before and _count(Report) == 1
