"""Small builders of test data; every test that needs a tenant world uses build_world()."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from riskapp.auth.consent import NOTICE_VERSION
from riskapp.db import db
from riskapp.models import (
    Area,
    AreaKind,
    AreaLevel,
    AuditorArea,
    Enterprise,
    Province,
    Role,
    User,
)

TEST_PASSWORD = "Correct-Horse-42"


@lru_cache(maxsize=1)
def password_hash() -> str:
    # Hash once per run: argon2 is slow on purpose.
    from riskapp.auth.services import hash_password

    return hash_password(TEST_PASSWORD)


def make_province(code: str, name: str) -> Province:
    province = Province(code=code, name=name)
    db.session.add(province)
    db.session.flush()
    return province


def make_area(
    province: Province,
    name: str,
    parent: Area | None = None,
    kind=AreaKind.DISTRICT,
    level: int | None = 1,
) -> Area:
    area = Area(
        province_id=province.id,
        parent_id=parent.id if parent else None,
        name=name,
        kind=kind,
        latitude=19.8,
        longitude=105.7,
    )
    db.session.add(area)
    db.session.flush()
    if level is not None:
        db.session.add(AreaLevel(area_id=area.id, level=level, effective_from=date(2021, 10, 11)))
    return area


def make_enterprise(area: Area, tax_code: str, name: str, **overrides) -> Enterprise:
    values = dict(
        province_id=area.province_id,
        area_id=area.id,
        tax_code=tax_code,
        name=name,
        industry="C",
        industry_division="14",
        address="Số 1, đường Lê Lợi",
        latitude=19.8,
        longitude=105.77,
        headcount=250,
    )
    values.update(overrides)
    enterprise = Enterprise(**values)
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def make_user(
    email: str,
    role: Role,
    province: Province | None = None,
    enterprise: Enterprise | None = None,
    name: str = "",
) -> User:
    user = User(
        email=email,
        name=name or email.split("@")[0],
        role=role,
        province_id=province.id if province else (enterprise.province_id if enterprise else None),
        enterprise_id=enterprise.id if enterprise else None,
        password_hash=password_hash(),
        # The test users have agreed to the privacy notice (tests/auth/test_consent.py: the others).
        privacy_notice_version=NOTICE_VERSION,
    )
    db.session.add(user)
    db.session.flush()
    return user


@dataclass
class Tenant:
    province: Province
    district: Area
    commune: Area
    other_district: Area
    enterprise: Enterprise
    enterprise_elsewhere: Enterprise  # same province, outside the auditor's areas
    officer: User
    auditor: User
    viewer: User
    admin: User
    # Commune/ward staff bound to `district` (like the auditor): inside it `enterprise`, outside
    # it `enterprise_elsewhere`, still in the same province.
    area_admin: User | None = None
    area_viewer: User | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    a: Tenant
    b: Tenant
    platform_admin: User


def build_tenant(code: str, name: str, tax_prefix: str) -> Tenant:
    province = make_province(code, name)
    district = make_area(province, f"Huyện Đông Sơn {code}")
    commune = make_area(
        province, f"Xã Đông Hòa {code}", parent=district, kind=AreaKind.COMMUNE, level=None
    )
    other = make_area(province, f"Thị xã Nghi Sơn {code}", kind=AreaKind.TOWN, level=2)
    enterprise = make_enterprise(
        commune, f"{tax_prefix}00000001", f"Công ty May Đông Hòa {code}", has_canteen=True
    )
    elsewhere = make_enterprise(
        other,
        f"{tax_prefix}00000002",
        f"Xi măng Nghi Sơn {code}",
        industry="C",
        industry_division="23",
        headcount=1200,
    )
    officer = make_user(
        f"officer-{code}@example.vn", Role.OFFICER, enterprise=enterprise, name="Nguyễn Thị Hương"
    )
    auditor = make_user(
        f"auditor-{code}@example.vn", Role.AUDITOR, province=province, name="Trần Văn Kiểm"
    )
    db.session.add(AuditorArea(user_id=auditor.id, area_id=district.id))
    viewer = make_user(f"viewer-{code}@example.vn", Role.PROVINCE_VIEWER, province=province)
    admin = make_user(
        f"admin-{code}@example.vn", Role.PROVINCE_ADMIN, province=province, name="Lê Minh Quản"
    )
    area_admin = make_user(f"area-admin-{code}@example.vn", Role.AREA_ADMIN, province=province,
                           name="Hoàng Văn Xã")
    area_viewer = make_user(f"area-viewer-{code}@example.vn", Role.AREA_VIEWER, province=province)
    for staff in (area_admin, area_viewer):
        db.session.add(AuditorArea(user_id=staff.id, area_id=district.id))
    db.session.flush()
    return Tenant(
        province, district, commune, other, enterprise, elsewhere, officer, auditor, viewer, admin,
        area_admin, area_viewer,
    )


def build_world() -> World:
    a = build_tenant("TH", "Thanh Hóa", "28")
    b = build_tenant("NA", "Nghệ An", "29")
    platform_admin = make_user("platform@example.vn", Role.PLATFORM_ADMIN)
    return World(a, b, platform_admin)


# A complete set of answers to the default checklist: mostly good practice, a few failing items,
# so the grade is above the lowest and remediation actions exist.
ANSWERS = {
    "ORG-1": "yes", "ORG-2": "no", "ORG-3": "no", "ORG-4": "yes",
    "CTX-1": "250", "CTX-2": "3000", "CTX-3": "coworkers", "CTX-4": "no",
    "SCR-1": "all", "SCR-2": "partial", "SCR-3": "no", "SCR-4": "yes", "SCR-5": "na",
    "HYG-1": "yes", "HYG-2": "95", "HYG-3": "all", "HYG-4": "every_sitting",
    "MSK-1": "yes", "MSK-2": "yes", "MSK-3": "all", "MSK-4": "no", "MSK-5": "yes",
    "VEN-1": "all", "CAN-1": "distanced", "CAN-2": "yes",
    "TRN-1": "0", "TRN-2": "0", "TRN-3": "all", "DRM-1": "2", "DRM-2": "all",
    "VAC-1": "90", "COM-1": "yes",
}


def submit_assessment(enterprise: Enterprise, user: User, on: date | None = None,
                      answers: dict | None = None, declared: dict | None = None):
    """Draft, fill and submit an assessment through the services (the caller commits)."""
    from riskapp.assessments import services

    draft = services.start_draft(enterprise, user, on)
    services.save_draft(draft, answers or ANSWERS, declared or {}, draft.lock_version, user)
    return services.submit(draft, user, on=on)


def checklist_source(version: int, title: str = "Workplace COVID-19 infection risk checklist "
                     "(2021)") -> str:
    """The shipped default checklist's text as a new version (a different title makes a
    different definition of the same version)."""
    from riskapp.scoring import get_checklist

    source = get_checklist().source_text.replace("version: 1", f"version: {version}", 1)
    return source.replace('en: "Workplace COVID-19 infection risk checklist (2021)"',
                          f'en: "{title}"', 1)


def upload_checklist(province: Province, admin: User, version: int, **title):
    """A checklist version uploaded (and activated from today) by a province's admin."""
    from riskapp import territory
    from riskapp.province import versions

    return versions.upload_and_activate(checklist_source(version, **title).encode(),
                                        f"v{version}.yaml", province.id,
                                        territory.province_today(province.id), admin)


def checklists_default_id() -> int:
    """The shipped default checklist's row id (registered on first use)."""
    from riskapp import checklists

    return checklists.default_version().id
