"""The deterministic Thanh Hóa demo province behind `flask seed-demo`.

Every choice comes from one `random.Random(2021)` drawn in a fixed order, so two fresh databases
get the same enterprises, tax codes and grades on the same day. Dates are relative to today (the
history covers the last six months), and every assessment goes through the real services, so
roll-ups, remediation actions and audit entries are the ones the app itself would write.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from fractions import Fraction

from flask import current_app
from sqlalchemy import delete, func, select

from riskapp import checklists
from riskapp.assessments import services as assessments
from riskapp.audit.services import record_finding
from riskapp.auth.services import hash_password
from riskapp.db import db
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
    Province,
    RemediationAction,
    Role,
    User,
)
from riskapp.scoring import AnswerKind, Checklist, Context, Item

DEMO_PROVINCE_CODE = "TH-DEMO"
DEMO_PROVINCE_NAME = "Thanh Hóa"
DEMO_PASSWORD = "demo12345!"  # nosec B105 # published password of the demo seed only
RANDOM_SEED = 2021
# Rule R1 raises a medium grade when an item scores 7 or more; half-way answers stay below.
MEDIUM_CAP = 6
ENTERPRISES = 207
HISTORY_DAYS = 180
# Vietnam's offset: demo timestamps are placed in working hours local time.
_VN_OFFSET = timedelta(hours=7)

BOX_LAT = (19.3, 20.7)
BOX_LON = (104.4, 106.1)


@dataclass(frozen=True)
class District:
    name: str
    kind: AreaKind
    lat: float
    lon: float
    # Relative share of the province's enterprises: the coast and Nghi Sơn many, the west few.
    weight: float
    industries: tuple[str, ...] = ()
    zone: str | None = None  # an industrial zone used in addresses

    @property
    def short(self) -> str:
        for prefix in ("Thành phố ", "Thị xã ", "Huyện "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name


CITY, TOWN, DISTRICT = AreaKind.CITY, AreaKind.TOWN, AreaKind.DISTRICT

# The 27 district-level units of 2021 with approximate centres.
DISTRICTS: tuple[District, ...] = (
    District("Thành phố Thanh Hóa", CITY, 19.807, 105.776, 34,
             ("electronics", "garment", "food", "trade", "construction", "transport"),
             "Khu công nghiệp Lễ Môn"),
    District("Thành phố Sầm Sơn", CITY, 19.740, 105.900, 11, ("seafood", "hospitality", "food")),
    District("Thị xã Bỉm Sơn", TOWN, 20.080, 105.860, 10, ("cement", "garment", "construction"),
             "Khu công nghiệp Bỉm Sơn"),
    District("Thị xã Nghi Sơn", TOWN, 19.420, 105.760, 30,
             ("cement", "seafood", "transport", "electronics", "garment", "footwear"),
             "Khu kinh tế Nghi Sơn"),
    District("Huyện Bá Thước", DISTRICT, 20.380, 105.230, 1.5, ("wood", "agriculture")),
    District("Huyện Cẩm Thủy", DISTRICT, 20.210, 105.470, 3, ("wood", "mining", "food")),
    District("Huyện Đông Sơn", DISTRICT, 19.800, 105.700, 6,
             ("mining", "cement", "electronics", "garment")),
    District("Huyện Hà Trung", DISTRICT, 20.030, 105.820, 5, ("footwear", "garment", "cement")),
    District("Huyện Hậu Lộc", DISTRICT, 19.920, 105.890, 7, ("seafood", "garment", "footwear")),
    District("Huyện Hoằng Hóa", DISTRICT, 19.860, 105.860, 10,
             ("garment", "seafood", "footwear", "food"), "Khu công nghiệp Hoàng Long"),
    District("Huyện Lang Chánh", DISTRICT, 20.150, 105.240, 1, ("wood",)),
    District("Huyện Mường Lát", DISTRICT, 20.530, 104.600, 1, ("agriculture",)),
    District("Huyện Nga Sơn", DISTRICT, 20.000, 105.970, 5, ("seafood", "garment", "textiles")),
    District("Huyện Ngọc Lặc", DISTRICT, 20.090, 105.370, 3, ("wood", "food", "garment")),
    District("Huyện Như Thanh", DISTRICT, 19.580, 105.560, 3, ("wood", "food")),
    District("Huyện Như Xuân", DISTRICT, 19.630, 105.400, 2, ("wood", "agriculture")),
    District("Huyện Nông Cống", DISTRICT, 19.610, 105.680, 5, ("mining", "garment", "food")),
    District("Huyện Quan Hóa", DISTRICT, 20.370, 104.950, 1, ("wood",)),
    District("Huyện Quan Sơn", DISTRICT, 20.250, 104.900, 1, ("agriculture",)),
    District("Huyện Quảng Xương", DISTRICT, 19.700, 105.800, 7, ("seafood", "garment", "textiles")),
    District("Huyện Thạch Thành", DISTRICT, 20.150, 105.630, 4, ("cement", "footwear", "food"),
             "Khu công nghiệp Thạch Quảng"),
    District("Huyện Thiệu Hóa", DISTRICT, 19.890, 105.680, 5, ("garment", "footwear")),
    District("Huyện Thọ Xuân", DISTRICT, 19.930, 105.500, 8, ("footwear", "food", "garment"),
             "Khu công nghiệp Lam Sơn – Sao Vàng"),
    District("Huyện Thường Xuân", DISTRICT, 19.900, 105.330, 2, ("wood", "footwear")),
    District("Huyện Triệu Sơn", DISTRICT, 19.820, 105.570, 5, ("footwear", "garment", "mining")),
    District("Huyện Vĩnh Lộc", DISTRICT, 20.040, 105.650, 3, ("footwear", "garment")),
    District("Huyện Yên Định", DISTRICT, 19.980, 105.620, 6, ("garment", "food", "footwear")),
)

# A few communes under some districts: the tree has a second level where it matters.
COMMUNES: dict[str, tuple[tuple[str, AreaKind], ...]] = {
    "Thành phố Thanh Hóa": (
        ("Phường Điện Biên", AreaKind.WARD),
        ("Phường Lam Sơn", AreaKind.WARD),
        ("Phường Đông Hương", AreaKind.WARD),
    ),
    "Thị xã Nghi Sơn": (
        ("Phường Hải Hòa", AreaKind.WARD),
        ("Phường Tĩnh Hải", AreaKind.WARD),
        ("Xã Nghi Sơn", AreaKind.COMMUNE),
    ),
    "Thành phố Sầm Sơn": (("Phường Trường Sơn", AreaKind.WARD), ("Phường Bắc Sơn", AreaKind.WARD)),
    "Thị xã Bỉm Sơn": (("Phường Ba Đình", AreaKind.WARD), ("Phường Lam Sơn", AreaKind.WARD)),
    "Huyện Hoằng Hóa": (("Thị trấn Bút Sơn", AreaKind.TOWNSHIP),),
    "Huyện Thọ Xuân": (
        ("Thị trấn Thọ Xuân", AreaKind.TOWNSHIP),
        ("Thị trấn Lam Sơn", AreaKind.TOWNSHIP),
    ),
}


@dataclass(frozen=True)
class Industry:
    section: str
    division: str | None
    names: tuple[str, ...]  # "{brand}" and "{place}" are filled in
    headcount: tuple[int, int]
    canteen: float
    shuttle: float
    dormitory: float


INDUSTRIES: dict[str, Industry] = {
    "garment": Industry(
        "C", "14",
        ("Công ty TNHH May Xuất khẩu {place}", "Công ty TNHH May {brand}",
         "Công ty CP May {brand} {place}"),
        (250, 4000), .9, .6, .2),
    "footwear": Industry(
        "C", "15",
        ("Công ty TNHH Giày da {place}", "Công ty TNHH Giày {brand}", "Công ty CP Da giày {brand}"),
        (800, 9000), .95, .75, .25),
    "textiles": Industry(
        "C", "13", ("Công ty CP Dệt {brand}", "Công ty TNHH Sợi {place}"),
        (150, 1500), .8, .4, .15),
    "seafood": Industry(
        "C", "10",
        ("Công ty CP Chế biến Hải sản {place}", "Công ty TNHH Thủy sản {brand}",
         "Công ty TNHH Chế biến Thủy sản {brand} {place}"),
        (60, 900), .7, .3, .2),
    "food": Industry(
        "C", "10",
        ("Công ty CP Thực phẩm {brand}", "Công ty TNHH Chế biến Nông sản {place}",
         "Công ty CP Mía đường {brand}"),
        (50, 1200), .6, .25, .1),
    "cement": Industry(
        "C", "23",
        ("Công ty CP Xi măng {place}", "Công ty TNHH Vật liệu Xây dựng {brand}",
         "Công ty CP Gạch Tuynel {brand}"),
        (120, 1600), .8, .5, .3),
    "wood": Industry(
        "C", "16", ("Công ty TNHH Chế biến Gỗ {place}", "Công ty CP Lâm sản {brand}"),
        (20, 400), .4, .1, .2),
    "electronics": Industry(
        "C", "26",
        ("Công ty TNHH Điện tử {brand}", "Công ty TNHH Linh kiện Điện tử {brand} {place}"),
        (200, 3500), .95, .7, .3),
    "mining": Industry(
        "B", "08", ("Công ty CP Khoáng sản {place}", "Công ty TNHH Khai thác Đá {brand}"),
        (40, 500), .5, .3, .3),
    "construction": Industry(
        "F", "41", ("Công ty CP Xây dựng {brand}", "Công ty TNHH Xây lắp {place}"),
        (30, 400), .3, .2, .3),
    "trade": Industry(
        "G", "46", ("Công ty TNHH Thương mại {brand}", "Công ty CP Thương mại Dịch vụ {place}"),
        (10, 180), .2, 0, 0),
    "transport": Industry(
        "H", "52",
        ("Công ty CP Vận tải {brand}", "Công ty TNHH Logistics {place}", "Công ty CP Cảng {brand}"),
        (30, 600), .5, .3, .1),
    "hospitality": Industry(
        "I", "55", ("Công ty CP Du lịch {place}", "Công ty TNHH Khách sạn {brand}"),
        (20, 250), .6, .1, .2),
    "agriculture": Industry(
        "A", "01", ("Công ty TNHH Nông nghiệp {brand}", "Công ty CP Chăn nuôi {place}"),
        (15, 300), .4, .1, .2),
}
# Industries every district has a little of, next to its own.
COMMON_INDUSTRIES = ("trade", "construction", "food", "garment")

BRANDS = (
    "Hưng Phát", "Thành Công", "Phú Thịnh", "An Phát", "Minh Khang", "Hoàng Long", "Việt Tiến",
    "Đại Dương", "Trường Sơn", "Hải Âu", "Sao Vàng", "Tân Thành", "Hòa Bình", "Phúc An",
    "Thịnh Vượng", "Kim Long", "Đông Á", "Toàn Cầu", "Hợp Lực", "Bình Minh", "Quang Minh",
    "Nam Việt", "Vạn Xuân", "Hồng Đức", "Thiên Phú", "Lam Hồng", "Tiến Đạt", "Quốc Tuấn",
    "Phương Đông", "Ngọc Sơn", "Hà Thanh", "Xuân Thành", "Đức Minh", "Trung Kiên", "Mai Linh",
    "Hoa Sen", "Bảo Ngọc", "Song Mã", "Sông Chu", "Hàm Rồng", "Lạch Trường", "Tân Á",
)
STREETS = ("Lê Lợi", "Trần Phú", "Quang Trung", "Bà Triệu", "Lê Lai", "Nguyễn Trãi", "Hàm Nghi",
           "Phan Chu Trinh", "Trần Hưng Đạo", "Lý Thường Kiệt", "Nguyễn Du", "Hai Bà Trưng")
PEOPLE = ("Nguyễn Văn Hùng", "Lê Thị Lan", "Trần Văn Minh", "Phạm Thị Hoa", "Hoàng Văn Nam",
          "Đỗ Thị Thu", "Vũ Văn Long", "Bùi Thị Hằng", "Lê Văn Thắng", "Nguyễn Thị Mai")
ACTION_NOTES = (
    "Đã hoàn thành, có ảnh minh chứng.",
    "Đang chờ nhà cung cấp giao thiết bị.",
    "Đã giao tổ an toàn COVID theo dõi hằng ngày.",
    "Đã phổ biến tới toàn bộ công nhân.",
)

# Signature enterprises: the district they open and their industry and name.
SIGNATURES: dict[str, tuple[str, str]] = {
    "Huyện Hoằng Hóa": ("garment", "Công ty TNHH May Xuất khẩu Hoằng Hóa"),
    "Thị xã Nghi Sơn": ("cement", "Công ty CP Xi măng Nghi Sơn"),
    "Huyện Thọ Xuân": ("footwear", "Công ty TNHH Giày da Thọ Xuân"),
    "Thành phố Sầm Sơn": ("seafood", "Công ty CP Chế biến Hải sản Sầm Sơn"),
}
OFFICER_ENTERPRISE = "Công ty TNHH May Xuất khẩu Hoằng Hóa"
AUDITOR_DISTRICTS = ("Thị xã Nghi Sơn", "Huyện Nông Cống", "Huyện Quảng Xương", "Thành phố Sầm Sơn")

DEMO_USERS = (
    ("platform@demo.riskapp.vn", Role.PLATFORM_ADMIN, "Quản trị nền tảng"),
    ("admin@thanhhoa.demo.riskapp.vn", Role.PROVINCE_ADMIN, "Lê Minh Quản"),
    ("viewer@thanhhoa.demo.riskapp.vn", Role.PROVINCE_VIEWER, "Phạm Thu Trang"),
    ("auditor@thanhhoa.demo.riskapp.vn", Role.AUDITOR, "Trần Văn Kiểm"),
    ("officer@thanhhoa.demo.riskapp.vn", Role.OFFICER, "Nguyễn Thị Hương"),
)


@dataclass
class _Plan:
    """What the seed decided for one enterprise before anything is stored."""

    enterprise: Enterprise
    quality: float
    dates: list[date] = field(default_factory=list)
    draft_now: bool = False


def seed(reset: bool = False, enterprises: int = ENTERPRISES) -> list[str]:
    """Create the demo province (idempotent); `reset` deletes and recreates it.

    `enterprises` lowers the number of enterprises (tests); returns summary lines."""
    if enterprises < len(DISTRICTS):
        raise ValueError(f"the demo needs at least {len(DISTRICTS)} enterprises, one per district")
    started = time.perf_counter()
    exists = db.session.scalar(select(Province.id).where(Province.code == DEMO_PROVINCE_CODE))
    if exists and not reset:
        return ["Demo province already seeded; nothing changed (use --reset to recreate it).",
                *_login_lines()]
    # Also clears demo accounts left without their province (e.g. the platform admin).
    _delete_demo()
    db.session.commit()
    config = current_app.config
    previous = config.get("REPORTS_AUTORENDER")
    # Hundreds of submissions must not queue hundreds of PDF renders: reports render on download.
    config["REPORTS_AUTORENDER"] = False
    try:
        counts = _Seeder(random.Random(RANDOM_SEED), date.today(), enterprises).run()  # nosec B311 # repeatable demo data, not security
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        if previous is None:
            config.pop("REPORTS_AUTORENDER", None)
        else:
            config["REPORTS_AUTORENDER"] = previous
    elapsed = time.perf_counter() - started
    return [*counts, f"Seeded in {elapsed:.1f} s.", *_login_lines()]


def _login_lines() -> list[str]:
    lines = [f"Demo logins (password {DEMO_PASSWORD}):"]
    for email, role, _name in DEMO_USERS:
        lines.append(f"  {role.value:<16} {email}")
    return lines


def _delete_demo() -> None:
    """Remove the demo province and everything in it (database cascades), and the demo accounts."""
    province_id = db.session.scalar(select(Province.id).where(Province.code == DEMO_PROVINCE_CODE))
    if province_id is not None:
        db.session.execute(delete(Province).where(Province.id == province_id))
    emails = [email for email, _role, _name in DEMO_USERS]
    db.session.execute(delete(User).where(User.email.in_(emails)))
    db.session.expunge_all()


def _local(day: date, hour: float) -> datetime:
    """A UTC timestamp for `hour` o'clock Vietnam time on `day`."""
    moment = datetime.combine(day, clock(0), tzinfo=UTC) + timedelta(hours=hour) - _VN_OFFSET
    return moment


class _Seeder:
    def __init__(self, rng: random.Random, today: date, enterprise_count: int):
        self.rng = rng
        self.today = today
        self.enterprise_count = enterprise_count
        self.start = today - timedelta(days=HISTORY_DAYS)
        self.province: Province | None = None
        self.districts: dict[str, Area] = {}
        self.communes: dict[str, list[Area]] = {}
        self.users: dict[Role, User] = {}
        self.plans: list[_Plan] = []
        self.checklist: Checklist | None = None

    # -- orchestration ------------------------------------------------------------------------
    def run(self) -> list[str]:
        self.province = Province(code=DEMO_PROVINCE_CODE, name=DEMO_PROVINCE_NAME)
        db.session.add(self.province)
        db.session.flush()
        version = checklists.default_version()
        checklists.activate(version, self.province.id, self.start - timedelta(days=20))
        self.checklist = checklists.definition(version)
        self._areas()
        self._users()
        self._enterprises()
        db.session.flush()
        self._assessments()
        self._findings()
        self._link_officer()
        db.session.flush()
        return self._summary()

    # -- territory ----------------------------------------------------------------------------
    def _areas(self) -> None:
        level_from = self.start - timedelta(days=20)
        order = list(range(len(DISTRICTS)))
        self.rng.shuffle(order)
        # One busy district at level 4 (where a low grade rises to medium), three at level 3,
        # the rest 1 or 2.
        red = next(i for i in order if 5 <= DISTRICTS[i].weight <= 10)
        orange = [i for i in order if i != red][:3]
        levels = {red: 4, **{i: 3 for i in orange}}
        for index, spec in enumerate(DISTRICTS):
            level = levels.get(index) or (1 if self.rng.random() < 0.6 else 2)
            area = Area(province_id=self.province.id, name=spec.name, kind=spec.kind,
                        latitude=spec.lat, longitude=spec.lon)
            db.session.add(area)
            db.session.flush()
            db.session.add(AreaLevel(area_id=area.id, level=level, effective_from=level_from,
                                     note="Nghị quyết 128/NQ-CP"))
            self.districts[spec.name] = area
            self.communes[spec.name] = []
            for name, kind in COMMUNES.get(spec.name, ()):
                commune = Area(
                    province_id=self.province.id, parent_id=area.id, name=name, kind=kind,
                    latitude=round(spec.lat + self.rng.uniform(-0.02, 0.02), 5),
                    longitude=round(spec.lon + self.rng.uniform(-0.02, 0.02), 5),
                )
                db.session.add(commune)
                self.communes[spec.name].append(commune)
        db.session.flush()
        # One commune above its district's level shows that a commune may differ from its parent.
        hot = self.communes["Thị xã Nghi Sơn"][0]
        db.session.add(AreaLevel(area_id=hot.id, level=3, effective_from=level_from,
                                 note="Ổ dịch tại khu công nghiệp"))

    # -- people -------------------------------------------------------------------------------
    def _users(self) -> None:
        password = hash_password(DEMO_PASSWORD)
        for email, role, name in DEMO_USERS:
            user = User(
                email=email, name=name, role=role, password_hash=password,
                province_id=None if role == Role.PLATFORM_ADMIN else self.province.id,
            )
            db.session.add(user)
            self.users[role] = user
        db.session.flush()
        for name in AUDITOR_DISTRICTS:
            db.session.add(AuditorArea(user_id=self.users[Role.AUDITOR].id,
                                       area_id=self.districts[name].id))

    def _link_officer(self) -> None:
        officer_enterprise = next(
            p.enterprise for p in self.plans if p.enterprise.name == OFFICER_ENTERPRISE
        )
        self.users[Role.OFFICER].enterprise_id = officer_enterprise.id

    # -- enterprises --------------------------------------------------------------------------
    def _quotas(self) -> list[int]:
        """Enterprises per district by weight (largest remainder), at least one each."""
        total = self.enterprise_count
        count = len(DISTRICTS)
        base = [1] * count
        left = total - sum(base)
        weights = [d.weight for d in DISTRICTS]
        shares = [left * w / sum(weights) for w in weights]
        quotas = [b + int(s) for b, s in zip(base, shares, strict=True)]
        remainder = total - sum(quotas)
        by_fraction = sorted(range(count), key=lambda i: (-(shares[i] - int(shares[i])), i))
        for i in by_fraction[:remainder]:
            quotas[i] += 1
        return quotas

    def _enterprises(self) -> None:
        rng = self.rng
        taken_codes = set(
            db.session.scalars(select(Enterprise.tax_code).where(Enterprise.tax_code.like("28%")))
        )
        taken_names: set[str] = set()
        made: list[Enterprise] = []
        for spec, quota in zip(DISTRICTS, self._quotas(), strict=True):
            for number in range(quota):
                signature = SIGNATURES.get(spec.name) if number == 0 else None
                branch_of = None
                if signature is None and made and rng.random() < 0.05:
                    branch_of = rng.choice([e for e in made if "-" not in e.tax_code])
                if signature:
                    kind, name = signature
                elif branch_of is not None:
                    kind = next(k for k, ind in INDUSTRIES.items()
                                if ind.division == branch_of.industry_division
                                and ind.section == branch_of.industry)
                    name = f"Chi nhánh {branch_of.name} tại {spec.short}"
                else:
                    pool = list(spec.industries) * 3 + list(COMMON_INDUSTRIES)
                    kind = rng.choice(pool)
                    name = self._name(kind, spec, taken_names)
                if name in taken_names:
                    name = f"{name} {spec.short}" if spec.short not in name else f"{name} 2"
                taken_names.add(name)
                industry = INDUSTRIES[kind]
                area = self._area_for(spec)
                tax_code = self._tax_code(taken_codes, branch_of)
                low, high = industry.headcount
                headcount = int(round(low * (high / low) ** rng.random()))
                big = min(1.0, headcount / 1500)
                enterprise = Enterprise(
                    province_id=self.province.id,
                    area_id=area.id,
                    tax_code=tax_code,
                    name=name,
                    industry=industry.section,
                    industry_division=industry.division,
                    address=self._address(spec, area),
                    latitude=self._clamp(spec.lat + rng.gauss(0, 0.025), BOX_LAT),
                    longitude=self._clamp(spec.lon + rng.gauss(0, 0.025), BOX_LON),
                    headcount=headcount,
                    has_canteen=rng.random() < industry.canteen * (0.6 + 0.4 * big),
                    has_shuttle=rng.random() < industry.shuttle * (0.5 + 0.5 * big),
                    has_dormitory=rng.random() < industry.dormitory,
                )
                db.session.add(enterprise)
                made.append(enterprise)
                self.plans.append(self._plan(enterprise))

    def _name(self, kind: str, spec: District, taken: set[str]) -> str:
        templates = INDUSTRIES[kind].names
        for _attempt in range(8):
            template = self.rng.choice(templates)
            name = template.format(brand=self.rng.choice(BRANDS), place=spec.short)
            if name not in taken:
                return name
        return template.format(brand=self.rng.choice(BRANDS), place=spec.short) + f" {len(taken)}"

    def _area_for(self, spec: District) -> Area:
        communes = self.communes[spec.name]
        if communes and self.rng.random() < 0.6:
            return self.rng.choice(communes)
        return self.districts[spec.name]

    def _address(self, spec: District, area: Area) -> str:
        rng = self.rng
        if spec.zone and rng.random() < 0.5:
            lot = f"Lô {rng.choice('ABCDE')}{rng.randint(1, 40)}"
            return f"{lot}, {spec.zone}, {spec.name}, tỉnh Thanh Hóa"
        place = area.name if area.parent_id else spec.name
        where = place if place == spec.name else f"{place}, {spec.name}"
        return f"Số {rng.randint(1, 450)} đường {rng.choice(STREETS)}, {where}, tỉnh Thanh Hóa"

    def _tax_code(self, taken: set[str], branch_of: Enterprise | None) -> str:
        if branch_of is not None:
            suffix = 1
            while f"{branch_of.tax_code}-{suffix:03d}" in taken:
                suffix += 1
            code = f"{branch_of.tax_code}-{suffix:03d}"
        else:
            code = f"28{self.rng.randrange(10**8):08d}"
            while code in taken:
                code = f"28{self.rng.randrange(10**8):08d}"
        taken.add(code)
        return code

    @staticmethod
    def _clamp(value: float, bounds: tuple[float, float]) -> float:
        return round(min(max(value, bounds[0] + 0.01), bounds[1] - 0.01), 5)

    # -- assessment history -------------------------------------------------------------------
    def _plan(self, enterprise: Enterprise) -> _Plan:
        rng = self.rng
        plan = _Plan(enterprise, quality=rng.betavariate(2.6, 1.5))
        if enterprise.name == OFFICER_ENTERPRISE:
            # The officer's enterprise: a long history, improving, with open actions now.
            plan.quality = 0.45
            last, count = 3, 4
        elif rng.random() < 0.10:
            return plan  # never assessed
        else:
            count = rng.choice((2, 3, 3, 4, 4, 5))
            overdue = rng.random() < 0.18
            if overdue:
                last = rng.randint(35, 110)
            else:
                last = rng.randint(1, 6) if rng.random() < 0.75 else rng.randint(7, 13)
        earliest = HISTORY_DAYS
        slots = list(range(last + 7, earliest + 1, 7))
        earlier = sorted(rng.sample(slots, min(count - 1, len(slots))), reverse=True)
        offsets = [min(earliest, s + rng.randint(0, 3)) for s in earlier] + [last]
        plan.dates = [self.today - timedelta(days=o) for o in offsets]
        plan.draft_now = rng.random() < 0.06
        return plan

    def _assessments(self) -> None:
        for plan in self.plans:
            quality = plan.quality
            officers = plan.enterprise.name == OFFICER_ENTERPRISE
            for number, day in enumerate(plan.dates, start=1):
                latest = number == len(plan.dates)
                # The officer's latest assessment is half-way (medium), so it has actions to do.
                done = self._submit(plan.enterprise, day, quality, halfway=officers and latest)
                # Work on the actions until the next assessment (which supersedes what is left).
                until = self.today if latest else plan.dates[number]
                self._work_on_actions(done, until, latest, officers)
                # Most enterprises improve after an assessment; some slip back.
                quality = min(0.99, max(0.05, quality + self.rng.gauss(0.07, 0.09)))
            if plan.draft_now:
                draft = assessments.start_draft(plan.enterprise, None, on=self.today)
                answers = self._answers(plan.enterprise, self.today, quality, False)
                partial = dict(list(answers.items())[: len(answers) // 2])
                assessments.save_draft(draft, partial, {}, draft.lock_version)

    def _submit(self, enterprise: Enterprise, day: date, quality: float,
                halfway: bool = False) -> Assessment:
        case = self.rng.random() < 0.02
        # Some sites do everything half-way but nothing badly: the profile that grades medium.
        halfway = self.rng.random() < 0.12 or halfway
        answers = self._answers(enterprise, day, quality, case, halfway)
        draft = assessments.start_draft(enterprise, None, on=day)
        assessments.save_draft(draft, answers, {"confirmed_case_14d": case}, draft.lock_version)
        previous = assessments.current_submitted(enterprise.id)
        done = assessments.submit(draft, None, on=day)
        hour = 8 + self.rng.random() * 9
        done.created_at = _local(day, hour - 0.5)
        done.submitted_at = _local(day, hour)
        if previous is not None:
            previous.superseded_at = done.submitted_at
        return done

    def _answers(self, enterprise: Enterprise, day: date, quality: float,
                 case: bool, halfway: bool = False) -> dict[str, str]:
        """Raw form answers whose quality follows `quality` (0 poor … 1 exemplary); `halfway`
        keeps critical items right and every other item below the 7 points of rule R1."""
        context: Context = assessments.build_context(
            enterprise, {"confirmed_case_14d": case}, day
        )
        answers: dict[str, str] = {}
        for item in self.checklist.items:
            if not self.checklist.applies(item, context):
                continue
            answers[item.id] = self._answer(item, enterprise, context, quality, answers, halfway)
        return answers

    def _answer(self, item: Item, enterprise: Enterprise, context: Context, quality: float,
                so_far: dict[str, str], halfway: bool) -> str:
        rng = self.rng
        # Critical items get attention first, even in weak enterprises.
        good = rng.random() < (quality + (1 - quality) * 0.5 if item.critical else quality)
        cap = None
        if halfway:
            good = item.critical
            cap = MEDIUM_CAP
        if item.kind.is_numeric:
            if item.id == "CTX-1":
                on_site = max(1, round(enterprise.headcount * rng.uniform(0.55, 1.0)))
                # Half-way sites split big workforces into shifts of under 1,000 (7 points).
                return str(min(on_site, 999) if halfway else on_site)
            value = self._numeric(item, good, cap, prefer_worst=halfway)
            if item.divided_by:
                value = value * Fraction(so_far[item.divided_by])
            whole = item.integer_only or item.kind in (AnswerKind.INTEGER, AnswerKind.PERCENT)
            return _number_text(value, whole)
        counted = sorted((o for o in item.options if o.counted), key=lambda o: o.points)
        if (item.allows_na and not halfway and self.checklist.na_allowed(item, context)
                and rng.random() < 0.08):
            return "na"
        if good or len(counted) == 1:
            return counted[0].id
        worse = [o for o in counted[1:] if cap is None or o.points <= cap]
        if not worse:
            return counted[0].id
        if halfway:
            return worse[-1].id
        # Half-measures are commoner than nothing at all.
        weights = [1 / (1 + position) for position in range(len(worse))]
        return rng.choices(worse, weights=weights)[0].id

    def _numeric(self, item: Item, good: bool, cap: int | None = None,
                 prefer_worst: bool = False) -> Fraction:
        bands = sorted(item.bands, key=lambda b: b.points)
        worse = [b for b in bands[1:] if cap is None or b.points <= cap]
        if good or not worse:
            band = bands[0]
        elif prefer_worst:
            band = worse[-1]
        else:
            band = self.rng.choices(worse, weights=[1 / (1 + i) for i in range(len(worse))])[0]
        low = band.lower if band.lower is not None else (item.min_value or Fraction(0))
        if band.upper is not None:
            high = band.upper
        elif item.max_value is not None:
            high = item.max_value
        else:
            high = low * 2 + 10
        if low == high:
            return Fraction(low)
        # Stay strictly inside open ends so the value lands in the chosen band.
        pad = (high - low) / 20
        value = Fraction(self.rng.uniform(float(low + pad), float(high - pad)))
        return value

    # -- remediation actions ------------------------------------------------------------------
    def _work_on_actions(self, assessment: Assessment, until: date, latest: bool,
                         officers: bool) -> None:
        """Move the assessment's actions on as the enterprise would have by `until`."""
        rng = self.rng
        admin = self.users[Role.PROVINCE_ADMIN]
        actions = db.session.scalars(
            select(RemediationAction)
            .where(RemediationAction.assessment_id == assessment.id)
            .order_by(RemediationAction.position)
        ).all()
        assessed_on = assessment.assessed_on
        for action in actions:
            if officers and latest and action.position < 2:
                choice = ActionStatus.OPEN  # the officer's demo starts with work to do
            elif not latest:
                # Most work is finished before the next assessment; the rest is superseded then.
                choice = rng.choices(
                    (ActionStatus.DONE, ActionStatus.VERIFIED, ActionStatus.IN_PROGRESS,
                     ActionStatus.OPEN), (48, 42, 5, 5))[0]
            elif action.due_on < until:
                choice = rng.choices(
                    (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE,
                     ActionStatus.VERIFIED), (25, 25, 30, 20))[0]
            else:
                choice = rng.choices(
                    (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE),
                    (50, 35, 15))[0]
            action.created_at = _local(assessed_on, 17)
            action.status = choice
            if choice != ActionStatus.OPEN and not action.owner:
                action.owner = rng.choice(PEOPLE)
            if rng.random() < 0.2:
                action.note = rng.choice(ACTION_NOTES)
            if choice.is_closed:
                latest_day = max(assessed_on, min(until, action.due_on + timedelta(days=5)))
                finished = assessed_on + timedelta(
                    days=rng.randint(0, (latest_day - assessed_on).days))
                action.completed_at = _local(finished, 16)
                if choice == ActionStatus.VERIFIED:
                    verified = min(until, finished + timedelta(days=rng.randint(0, 7)))
                    action.verified_at = _local(verified, 10)
                    action.verified_by_id = admin.id
            action.updated_at = action.completed_at or action.created_at
        db.session.flush()

    # -- auditor findings ---------------------------------------------------------------------
    def _findings(self) -> None:
        """A few on-site visits in the auditor's districts, graded with the engine."""
        rng = self.rng
        auditor = self.users[Role.AUDITOR]
        district_ids = {self.districts[name].id for name in AUDITOR_DISTRICTS}
        covered = district_ids | {
            c.id for name in AUDITOR_DISTRICTS for c in self.communes[name]
        }
        candidates = [p.enterprise for p in self.plans
                      if p.dates and p.enterprise.area_id in covered]
        for enterprise in candidates[:: max(1, len(candidates) // 10)][:10]:
            current = assessments.current_submitted(enterprise.id)
            if current is None:
                continue
            visited = min(self.today, current.assessed_on + timedelta(days=rng.randint(1, 6)))
            declared = dict(current.answers)
            observed: dict[str, str] = {}
            for item_id in rng.sample(sorted(declared), k=rng.choice((0, 1, 2, 3))):
                item = self.checklist.item(item_id)
                if item.kind.is_numeric or declared[item_id] == "na":
                    continue
                worse = [o.id for o in item.options
                         if o.counted and o.id != declared[item_id]
                         and o.points > (item.option(declared[item_id]).points or 0)]
                if worse:
                    observed[item_id] = rng.choice(worse)
            note = ("Kiểm tra thực tế phát hiện khác biệt so với bản tự đánh giá." if observed
                    else "Kiểm tra thực tế khớp với bản tự đánh giá.")
            finding = record_finding(current, auditor, visited, observed, note=note,
                                     confirmed=not observed)
            finding.created_at = _local(visited, 15)

    # -- summary ------------------------------------------------------------------------------
    def _summary(self) -> list[str]:
        province_id = self.province.id
        grades = dict(db.session.execute(
            select(EnterpriseStatus.effective_grade, func.count())
            .where(EnterpriseStatus.province_id == province_id)
            .group_by(EnterpriseStatus.effective_grade)
        ).all())
        actions = dict(db.session.execute(
            select(RemediationAction.status, func.count())
            .where(RemediationAction.province_id == province_id)
            .group_by(RemediationAction.status)
        ).all())
        submitted = db.session.scalar(
            select(func.count()).select_from(Assessment).where(
                Assessment.province_id == province_id,
                Assessment.status != AssessmentStatus.DRAFT,
            )
        )
        overdue = db.session.scalar(
            select(func.count()).select_from(EnterpriseStatus).where(
                EnterpriseStatus.province_id == province_id,
                EnterpriseStatus.next_due_on < self.today,
            )
        )
        never = sum(1 for p in self.plans if not p.dates)
        communes = sum(len(c) for c in self.communes.values())
        grade_text = ", ".join(
            f"{g.value} {n}" for g, n in sorted(
                ((g, n) for g, n in grades.items() if g is not None), key=lambda x: x[0].rank)
        )
        action_text = ", ".join(f"{s.value} {actions.get(s, 0)}" for s in ActionStatus)
        return [
            f"Demo province {DEMO_PROVINCE_NAME} ({DEMO_PROVINCE_CODE}): {len(self.districts)} "
            f"district-level units, {communes} communes/wards, {len(self.plans)} enterprises.",
            f"Assessments submitted: {submitted} over the last {HISTORY_DAYS} days; "
            f"never assessed: {never}; overdue: {overdue}.",
            f"Current grades: {grade_text}.",
            f"Remediation actions: {action_text}.",
        ]


def _number_text(value: Fraction, integer: bool) -> str:
    if integer:
        return str(max(0, int(round(value))))
    return f"{float(value):.1f}"
