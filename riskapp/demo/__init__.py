"""The deterministic Thanh Hóa demo province behind `flask seed-demo`, and a smaller second one.

Both are created through the onboarding of any province (riskapp.onboarding): Thanh Hóa's 166
official communes and wards, grouped under the former districts they mostly came from.

Every choice comes from one `random.Random(2021)` drawn in a fixed order, so two fresh databases
get the same enterprises, tax codes and grades on the same day. Dates are relative to today (the
history covers the last six months), and every assessment goes through the real services, so
roll-ups, remediation actions and audit entries are the ones the app itself would write.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from riskapp import checklists, clock, onboarding
from riskapp.assessments import services as assessments
from riskapp.audit.services import record_finding
from riskapp.auth.consent import NOTICE_VERSION
from riskapp.auth.services import hash_password
from riskapp.db import db
from riskapp.demo.behaviour import SiteBehaviour, local_time
from riskapp.demo.data import (
    AREA_PROPOSAL_REASON,
    AREA_STAFF_DISTRICT,
    AUDITOR_DISTRICTS,
    BOX_LAT,
    BOX_LON,
    BRANDS,
    COMMON_INDUSTRIES,
    DEMO_PASSWORD,
    DEMO_USERS,
    DISTRICTS,
    INDUSTRIES,
    OFFICER_ENTERPRISE,
    SECOND_PROVINCE_CODE,
    SECOND_USERS,
    SIGNATURES,
    STREETS,
    District,
    Industry,
)
from riskapp.demo.places import group_by_former_district, group_name
from riskapp.demo.second import seed_second
from riskapp.models import (
    ActionStatus,
    Area,
    AreaLevel,
    Assessment,
    AssessmentStatus,
    AuditorArea,
    Enterprise,
    EnterpriseStatus,
    Province,
    RemediationAction,
    Report,
    ReportStatus,
    Role,
    User,
)
from riskapp.province import proposals
from riskapp.scoring import Checklist

DEMO_PROVINCE_CODE = "38"  # official code (riskapp.gazetteer)
DEMO_AUDITS = 40  # above the targeting model's 30, so the demo ranks by likely under-declaration
DEMO_PROVINCE_NAME = "Thanh Hóa"
RANDOM_SEED = 2021
ENTERPRISES = 207
HISTORY_DAYS = 180


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
    demo, foreign = _demo_provinces()
    if foreign:
        return [f"Province {', '.join(sorted(foreign))} is on this platform and is not the demo's; "
                "nothing changed."]
    if demo and not reset:
        return ["Demo province already seeded; nothing changed (use --reset to recreate it).",
                *_login_lines()]
    # The database refuses to delete an issued report (riskapp.immutable): say so up front.
    if issued := db.session.scalar(select(func.count(Report.id)).where(
            Report.province_id.in_(demo.values()), Report.status == ReportStatus.READY)):
        return [f"The demo provinces hold {issued} issued report(s), which cannot be deleted; "
                "nothing changed. Seed the demo into a fresh database instead."]
    # Also clears demo accounts left without their province (e.g. the platform admin).
    _delete_demo()
    db.session.commit()
    config = current_app.config
    previous = config.get("REPORTS_AUTORENDER")
    # Hundreds of submissions must not queue hundreds of PDF renders: reports render on download.
    config["REPORTS_AUTORENDER"] = False
    try:
        counts = _Seeder(random.Random(RANDOM_SEED), clock.today(), enterprises).run()  # nosec B311 # repeatable demo data, not security
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
    for email, role, _name in (*DEMO_USERS, *SECOND_USERS):
        lines.append(f"  {role.value:<16} {email}")
    return lines


def _demo_emails() -> list[str]:
    return [email for email, _role, _name in (*DEMO_USERS, *SECOND_USERS)]


def _demo_provinces() -> tuple[dict[str, int], set[str]]:
    """The demo's provinces (code → id), and the codes the demo would take that a real province
    holds: the demo never deletes a province none of its accounts belongs to."""
    rows = db.session.execute(select(Province.code, Province.id).where(
        Province.code.in_((DEMO_PROVINCE_CODE, SECOND_PROVINCE_CODE)))).all()
    ours = set(db.session.scalars(select(User.province_id).where(
        User.email.in_(_demo_emails()), User.province_id.is_not(None))))
    demo = {code: pid for code, pid in rows if pid in ours}
    return demo, {code for code, _pid in rows if code not in demo}


def _delete_demo() -> None:
    """Remove the demo provinces and everything in them (database cascades), and the demo
    accounts."""
    demo, _foreign = _demo_provinces()
    if demo:
        db.session.execute(delete(Province).where(Province.id.in_(demo.values())))
    db.session.execute(delete(User).where(User.email.in_(_demo_emails())))
    db.session.expunge_all()


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
        self.behaviour: SiteBehaviour | None = None

    # -- orchestration ------------------------------------------------------------------------
    def run(self) -> list[str]:
        self.province = onboarding.create_province(DEMO_PROVINCE_CODE)
        version = checklists.default_version()
        checklists.activate(version, self.province.id, self.start - timedelta(days=20))
        self.checklist = checklists.definition(version)
        self.behaviour = SiteBehaviour(self.rng, self.checklist)
        self._areas()
        self._users()
        self._enterprises()
        db.session.flush()
        self._assessments()
        self._findings()
        self._link_officer()
        db.session.flush()
        second = seed_second(self)
        db.session.flush()
        return [*self._summary(), second]

    # -- territory ----------------------------------------------------------------------------
    def _areas(self) -> None:
        level_from = self.start - timedelta(days=20)
        groups = group_by_former_district(self.province)
        order = list(range(len(DISTRICTS)))
        self.rng.shuffle(order)
        # One busy former district at level 4 (where a low grade rises to medium), three at
        # level 3, the rest 1 or 2: levels set on a grouping hold for its communes.
        red = next(i for i in order if 5 <= DISTRICTS[i].weight <= 10)
        orange = [i for i in order if i != red][:3]
        levels = {red: 4, **{i: 3 for i in orange}}
        for index, spec in enumerate(DISTRICTS):
            level = levels.get(index) or (1 if self.rng.random() < 0.6 else 2)
            former = groups[spec.name]
            db.session.add(AreaLevel(area_id=former.group.id, level=level,
                                     effective_from=level_from, note="Nghị quyết 128/NQ-CP"))
            self.districts[spec.name] = former.group
            self.communes[spec.name] = former.units
        # One commune above its grouping's level shows that a commune may differ from it.
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
                # Fictional people: the demo opens on its pages, not on the consent question.
                privacy_notice_version=NOTICE_VERSION,
            )
            db.session.add(user)
            self.users[role] = user
        db.session.flush()
        for name in AUDITOR_DISTRICTS:  # the groupings of the former districts
            db.session.add(AuditorArea(user_id=self.users[Role.AUDITOR].id,
                                       area_id=self.districts[name].id))
        for role in (Role.AREA_ADMIN, Role.AREA_VIEWER):
            db.session.add(AuditorArea(user_id=self.users[role].id,
                                       area_id=self.districts[AREA_STAFF_DISTRICT].id))
        # A level the area admin proposed for one of their communes, for the province to decide.
        commune = self.communes[AREA_STAFF_DISTRICT][0]
        proposals.propose_level(commune, 3, self.today + timedelta(days=1), AREA_PROPOSAL_REASON,
                                self.users[Role.AREA_ADMIN])

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
        taken_codes = set(
            db.session.scalars(select(Enterprise.tax_code).where(Enterprise.tax_code.like("28%")))
        )
        taken_names: set[str] = set()
        made: list[Enterprise] = []
        for spec, quota in zip(DISTRICTS, self._quotas(), strict=True):
            for number in range(quota):
                kind, name, branch_of = self._identity(spec, number, made, taken_names)
                area = self._area_for(spec)
                tax_code = self._tax_code(taken_codes, branch_of)
                enterprise = self._enterprise(spec, INDUSTRIES[kind], name, area, tax_code)
                db.session.add(enterprise)
                made.append(enterprise)
                self.plans.append(self._plan(enterprise))

    def _identity(self, spec: District, number: int, made: list[Enterprise],
                  taken_names: set[str]) -> tuple[str, str, Enterprise | None]:
        """The industry key, a name not taken yet, and the enterprise it is a branch of."""
        rng = self.rng
        # A district's signature enterprise comes first; branches only of what already exists.
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
        return kind, name, branch_of

    def _enterprise(self, spec: District, industry: Industry, name: str, area: Area,
                    tax_code: str) -> Enterprise:
        """The enterprise with a size, site and facilities drawn for its industry."""
        rng = self.rng
        low, high = industry.headcount
        headcount = int(round(low * (high / low) ** rng.random()))
        big = min(1.0, headcount / 1500)
        # Keyword arguments are evaluated in order: the draws below keep the seed's sequence.
        return Enterprise(
            province_id=self.province.id,
            area_id=area.id,
            tax_code=tax_code,
            name=name,
            industry=industry.section,
            industry_division=industry.division,
            address=self._address(spec, area),
            # Near the commune's official point (a few hundred metres to a few kilometres).
            latitude=self._clamp(area.latitude + rng.gauss(0, 0.008), BOX_LAT),
            longitude=self._clamp(area.longitude + rng.gauss(0, 0.008), BOX_LON),
            headcount=headcount,
            has_canteen=rng.random() < industry.canteen * (0.6 + 0.4 * big),
            has_shuttle=rng.random() < industry.shuttle * (0.5 + 0.5 * big),
            has_dormitory=rng.random() < industry.dormitory,
        )

    def _name(self, kind: str, spec: District, taken: set[str]) -> str:
        templates = INDUSTRIES[kind].names
        for _attempt in range(8):
            template = self.rng.choice(templates)
            name = template.format(brand=self.rng.choice(BRANDS), place=spec.short)
            if name not in taken:
                return name
        return template.format(brand=self.rng.choice(BRANDS), place=spec.short) + f" {len(taken)}"

    def _area_for(self, spec: District) -> Area:
        return self.rng.choice(self.communes[spec.name])

    def _address(self, spec: District, area: Area) -> str:
        """An address as written since 2025: commune or ward, then the province (no district)."""
        rng = self.rng
        if spec.zone and rng.random() < 0.5:
            lot = f"Lô {rng.choice('ABCDE')}{rng.randint(1, 40)}"
            return f"{lot}, {spec.zone}, {area.name}, tỉnh Thanh Hóa"
        return (f"Số {rng.randint(1, 450)} đường {rng.choice(STREETS)}, {area.name}, "
                "tỉnh Thanh Hóa")

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
                self.behaviour.work_on_actions(done, until, latest, officers,
                                               self.users[Role.PROVINCE_ADMIN])
                # Most enterprises improve after an assessment; some slip back.
                quality = min(0.99, max(0.05, quality + self.rng.gauss(0.07, 0.09)))
            if plan.draft_now and not officers:  # the demo officer starts a new one
                draft = assessments.start_draft(plan.enterprise, None, on=self.today)
                answers = self.behaviour.answers(plan.enterprise, self.today, quality, False)
                partial = dict(list(answers.items())[: len(answers) // 2])
                assessments.save_draft(draft, partial, {}, draft.lock_version)

    def _submit(self, enterprise: Enterprise, day: date, quality: float,
                halfway: bool = False) -> Assessment:
        case = self.rng.random() < 0.02
        # Some sites do everything half-way but nothing badly: the profile that grades medium.
        halfway = self.rng.random() < 0.12 or halfway
        answers = self.behaviour.answers(enterprise, day, quality, case, halfway)
        draft = assessments.start_draft(enterprise, None, on=day)
        assessments.save_draft(draft, answers, {"confirmed_case_14d": case}, draft.lock_version)
        previous = assessments.current_submitted(enterprise.id)
        done = assessments.submit(draft, None, on=day)
        hour = 8 + self.rng.random() * 9
        done.created_at = local_time(day, hour - 0.5)
        done.submitted_at = local_time(day, hour)
        if previous is not None:
            previous.superseded_at = done.submitted_at
        return done

    # -- auditor findings ---------------------------------------------------------------------
    def _findings(self) -> None:
        """On-site visits in the auditor's districts, graded with the engine: enough of them
        (DEMO_AUDITS) for the inspection targeting to learn from (riskapp.targeting.model)."""
        rng = self.rng
        auditor = self.users[Role.AUDITOR]
        district_ids = {self.districts[name].id for name in AUDITOR_DISTRICTS}
        covered = district_ids | {
            c.id for name in AUDITOR_DISTRICTS for c in self.communes[name]
        }
        candidates = [p.enterprise for p in self.plans
                      if p.dates and p.enterprise.area_id in covered]
        for enterprise in candidates[:: max(1, len(candidates) // DEMO_AUDITS)][:DEMO_AUDITS]:
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
            finding.created_at = local_time(visited, 15)

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
            f"Demo province {DEMO_PROVINCE_NAME} ({DEMO_PROVINCE_CODE}): {communes} official "
            f"communes/wards in {len(self.districts)} groupings by former district "
            f"(e.g. {group_name(DISTRICTS[0].name)}), {len(self.plans)} enterprises.",
            f"Assessments submitted: {submitted} over the last {HISTORY_DAYS} days; "
            f"never assessed: {never}; overdue: {overdue}.",
            f"Current grades: {grade_text}.",
            f"Remediation actions: {action_text}.",
        ]
