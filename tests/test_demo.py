"""The deterministic Thanh Hóa demo (`flask seed-demo`)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from riskapp import clock
from riskapp.auth.services import password_problem
from riskapp.db import db
from riskapp.demo import (
    AUDITOR_DISTRICTS,
    BOX_LAT,
    BOX_LON,
    DEMO_PASSWORD,
    DEMO_PROVINCE_CODE,
    DEMO_USERS,
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
    Province,
    RemediationAction,
    Report,
    Role,
    User,
)
from tests.conftest import login

REFERENCE_DISTRICTS = {
    "Thành phố Thanh Hóa", "Thành phố Sầm Sơn", "Thị xã Bỉm Sơn", "Thị xã Nghi Sơn",
    "Huyện Bá Thước", "Huyện Cẩm Thủy", "Huyện Đông Sơn", "Huyện Hà Trung", "Huyện Hậu Lộc",
    "Huyện Hoằng Hóa", "Huyện Lang Chánh", "Huyện Mường Lát", "Huyện Nga Sơn", "Huyện Ngọc Lặc",
    "Huyện Như Thanh", "Huyện Như Xuân", "Huyện Nông Cống", "Huyện Quan Hóa", "Huyện Quan Sơn",
    "Huyện Quảng Xương", "Huyện Thạch Thành", "Huyện Thiệu Hóa", "Huyện Thọ Xuân",
    "Huyện Thường Xuân", "Huyện Triệu Sơn", "Huyện Vĩnh Lộc", "Huyện Yên Định",
}
KIND_BY_PREFIX = {"Thành phố": AreaKind.CITY, "Thị xã": AreaKind.TOWN, "Huyện": AreaKind.DISTRICT}
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
        .order_by(Enterprise.tax_code, RemediationAction.due_on, RemediationAction.item_id)
    ).all()
    return [tuple(r) for r in rows] + [tuple(a) for a in actions]


def test_full_demo_province(app):
    with app.app_context():
        summary = seed()
        today = clock.today()
        province = db.session.scalar(select(Province).where(Province.code == DEMO_PROVINCE_CODE))
        assert province.name == "Thanh Hóa"

        districts = db.session.scalars(
            select(Area).where(Area.province_id == province.id, Area.parent_id.is_(None))).all()
        assert {d.name for d in districts} == REFERENCE_DISTRICTS
        for district in districts:
            prefix = next(p for p in KIND_BY_PREFIX if district.name.startswith(p + " "))
            assert district.kind == KIND_BY_PREFIX[prefix]
        assert _count(Area, Area.province_id == province.id, Area.parent_id.is_not(None)) >= 5

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
        names = {e.name for e in enterprises}
        assert len(names) == 207
        assert {"Công ty TNHH May Xuất khẩu Hoằng Hóa", "Công ty CP Xi măng Nghi Sơn",
                "Công ty TNHH Giày da Thọ Xuân", "Công ty CP Chế biến Hải sản Sầm Sơn"} <= names
        divisions = Counter(e.industry_division for e in enterprises)
        assert {"10", "14", "15", "16", "23", "26"} <= set(divisions)
        by_district = Counter(
            (e.area.parent.name if e.area.parent_id else e.area.name) for e in enterprises)
        assert by_district["Thị xã Nghi Sơn"] > 5 * by_district["Huyện Mường Lát"]

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
        assert auditor_areas == set(AUDITOR_DISTRICTS) and "Thị xã Nghi Sơn" in auditor_areas
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
        assert _count(User, User.email.like("%demo.riskapp.vn")) == len(DEMO_USERS)


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
