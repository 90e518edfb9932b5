"""Creating provinces and inviting, (de)activating and scoping a province's users; the
platform's background work and its retry.

Services flush, never commit: the view commits once. Every tenant object is reached through
riskapp.tenancy, so another province's user, area or enterprise answers 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, or_, select, update

from riskapp import gazetteer, jobs, onboarding, search, territory
from riskapp.audit.services import ZIP_TASK
from riskapp.auditlog import record
from riskapp.auth.services import find_user_by_email, normalise_email, send_invitation
from riskapp.db import db
from riskapp.jobs import outbox
from riskapp.models import (
    Area,
    AuditorArea,
    Enterprise,
    JobStatus,
    OneTimeToken,
    Province,
    Role,
    TokenPurpose,
    User,
    WorkItem,
)
from riskapp.models.types import utcnow
from riskapp.pagination import Page, paginate
from riskapp.province.regrade import REGRADE_TASK
from riskapp.reports.services import RENDER_TASK
from riskapp.tenancy import (
    current_scope,
    get_area_or_404,
    get_or_404,
    get_platform_record_or_404,
    get_user_or_404,
    grantable_roles,
    platform_wide,
    scoped,
    scoped_users,
)

# The roles a manager may hand out inside their province, in the picker's order (which of them
# one manager may give: riskapp.tenancy.grantable_roles).
INVITABLE_ROLES = (Role.OFFICER, Role.AUDITOR, Role.AREA_VIEWER, Role.AREA_ADMIN,
                   Role.PROVINCE_VIEWER, Role.PROVINCE_ADMIN)


def invitable_roles() -> list[Role]:
    """The roles the logged-in manager may invite, in the picker's order."""
    allowed = grantable_roles()
    return [role for role in INVITABLE_ROLES if role in allowed]


class AdminError(ValueError):
    """A request the admin must correct; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ProvinceRow:
    province: Province
    admins: list[User]


@dataclass(frozen=True)
class AreaChoice:
    """One line of the indented area picker."""

    id: int
    name: str
    depth: int


@dataclass(frozen=True)
class UserRow:
    user: User
    enterprise: Enterprise | None
    areas: list[Area]

    @property
    def pending(self) -> bool:
        """Invited but has not chosen a password yet."""
        return self.user.password_hash is None


# --- platform admin -------------------------------------------------------------------------

def list_provinces() -> list[ProvinceRow]:
    """Every province with its province admins (no tenant data)."""
    provinces = db.session.scalars(select(Province).order_by(Province.name, Province.id)).all()
    admins = db.session.scalars(
        select(User).where(User.role == Role.PROVINCE_ADMIN).order_by(User.email)
    ).all()
    by_province: dict[int, list[User]] = {}
    for admin in admins:
        by_province.setdefault(admin.province_id, []).append(admin)
    return [ProvinceRow(p, by_province.get(p.id, [])) for p in provinces]


def _check_email_free(email: str) -> str:
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise AdminError(_("An account with this e-mail address already exists."), "email")
    return email


def create_province(official_code: str, admin_email: str, admin_name: str,
                    inviter: User, timezone: str | None = None) -> tuple[Province, User, str]:
    """Create an official province with its communes and wards (riskapp.onboarding) and invite
    its first province admin; returns the invitation link."""
    email = _check_email_free(admin_email)
    try:
        province = onboarding.create_province(official_code, timezone, inviter)
    except onboarding.OnboardingError as error:
        raise AdminError(error.message, error.field) from error
    admin, link = _invite(province.id, Role.PROVINCE_ADMIN, email, admin_name, inviter)
    return province, admin, link


def official_area_count(official_code: str) -> int:
    """How many communes, wards and special zones the official list gives the province."""
    return len(gazetteer.units(official_code))


def province_choices() -> list[tuple[str, str]]:
    """The official provinces not on the platform yet, as (code, "name (code)")."""
    return [(p.code, f"{p.name} ({p.code})") for p in onboarding.available_provinces()]


def invite_province_admin(province_id: int, email: str, name: str,
                          inviter: User) -> tuple[User, str]:
    """Invite a further province admin (e.g. when the first one left)."""
    if db.session.get(Province, province_id) is None:
        abort(404)
    return _invite(province_id, Role.PROVINCE_ADMIN, _check_email_free(email), name, inviter)


# --- province admin: users ------------------------------------------------------------------

def _invite(province_id: int, role: Role, email: str, name: str, inviter: User,
            enterprise: Enterprise | None = None, areas: list[Area] | None = None
            ) -> tuple[User, str]:
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        province_id=province_id,
        enterprise_id=enterprise.id if enterprise else None,
        password_hash=None,
    )
    db.session.add(user)
    db.session.flush()
    for area in areas or []:
        db.session.add(AuditorArea(user_id=user.id, area_id=area.id))
    link = send_invitation(user, inviter.name or inviter.email)
    record(
        "user_invited",
        user,
        details={"role": role.value, "area_ids": sorted(a.id for a in areas or [])},
        user=inviter,
        subject_email=email,
    )
    return user, link


def invite_user(role: Role, email: str, name: str, inviter: User,
                enterprise_id: int | None = None, area_ids: list[int] | None = None
                ) -> tuple[User, str]:
    """Invite a user into the inviter's province; the officer's enterprise and the auditor's
    areas must belong to it (else 404). Returns the user and the invitation link."""
    if role not in grantable_roles():
        raise AdminError(_("This role cannot be given here."), "role")
    enterprise = None
    areas: list[Area] = []
    if role == Role.OFFICER:
        if not enterprise_id:
            raise AdminError(_("Choose the officer's enterprise."), "enterprise_id")
        enterprise = get_or_404(Enterprise, enterprise_id)
    elif role.has_areas:
        areas = _areas_or_404(area_ids, role)
    email = _check_email_free(email)
    return _invite(inviter.province_id, role, email, name, inviter, enterprise, areas)


def areas_required_message(role: Role | None) -> str:
    if role == Role.AUDITOR:
        return _("Choose at least one area for the auditor.")
    return _("Choose at least one area for this person.")


def _areas_or_404(area_ids: list[int] | None, role: Role) -> list[Area]:
    """The chosen areas, each in the manager's reach (an area admin's: inside their own)."""
    if not area_ids:
        raise AdminError(areas_required_message(role), "area_ids")
    return [get_area_or_404(area_id) for area_id in sorted(set(area_ids))]


def province_user_or_404(user_id: int) -> User:
    """A user the current manager may manage (an area admin: inside their areas), or 404."""
    return get_user_or_404(user_id)


def province_users(province_id: int) -> list[UserRow]:
    """The users the manager may manage, with the enterprise or areas each one covers."""
    users = db.session.scalars(
        scoped_users(select(User)).order_by(User.role, User.email)
    ).all()
    assigned: dict[int, list[Area]] = {}
    auditor_ids = [u.id for u in users if u.role.has_areas]
    if auditor_ids:
        rows = db.session.execute(
            select(AuditorArea.user_id, Area)
            .join(Area, Area.id == AuditorArea.area_id)
            .where(AuditorArea.user_id.in_(auditor_ids), Area.province_id == province_id)
            .order_by(Area.name)
        ).all()
        for user_id, area in rows:
            assigned.setdefault(user_id, []).append(area)
    return [UserRow(u, u.enterprise, assigned.get(u.id, [])) for u in users]


def user_row(user: User) -> UserRow:
    areas = db.session.scalars(
        select(Area)
        .join(AuditorArea, AuditorArea.area_id == Area.id)
        .where(AuditorArea.user_id == user.id)
        .order_by(Area.name)
    ).all()
    return UserRow(user, user.enterprise, list(areas))


def resend_invitation(user: User, inviter: User) -> str:
    """A fresh invitation link for a user who has not accepted yet; older links stop working."""
    if user.password_hash is not None:
        raise AdminError(_("This user has already accepted the invitation."))
    db.session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == TokenPurpose.INVITE,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    link = send_invitation(user, inviter.name or inviter.email)
    record("invitation_resent", user, user=inviter, subject_email=user.email)
    return link


def set_active(user: User, active: bool, actor: User) -> None:
    """(De)activate an account; a new session version ends its open sessions."""
    if user.id == actor.id:
        raise AdminError(_("You cannot deactivate your own account."))
    if user.is_active_account == active:
        return
    user.is_active_account = active
    user.session_version += 1
    db.session.flush()
    record(
        "user_reactivated" if active else "user_deactivated",
        user,
        user=actor,
        subject_email=user.email,
    )


def set_user_areas(user: User, area_ids: list[int], actor: User) -> None:
    """Replace the areas of an auditor or commune/ward staff member with the given areas in
    the manager's reach."""
    if not user.role.has_areas:
        raise AdminError(_("Only auditors and commune/ward staff have areas."))
    if user.id == actor.id:
        raise AdminError(_("You cannot change your own areas."))
    areas = _areas_or_404(area_ids, user.role)
    wanted = {a.id for a in areas}
    current = set(
        db.session.scalars(select(AuditorArea.area_id).where(AuditorArea.user_id == user.id))
    )
    for row in db.session.scalars(select(AuditorArea).where(AuditorArea.user_id == user.id)):
        if row.area_id not in wanted:
            db.session.delete(row)
    for area_id in sorted(wanted - current):
        db.session.add(AuditorArea(user_id=user.id, area_id=area_id))
    db.session.flush()
    record(
        "auditor_areas_changed",
        user,
        details={"role": user.role.value, "before": sorted(current), "after": sorted(wanted)},
        user=actor,
    )


# --- pickers --------------------------------------------------------------------------------

def area_choices() -> list[AreaChoice]:
    """The open areas in reach in tree order (parents before children), with their depth."""
    scope = current_scope()
    tree = territory.area_tree(scope.province_id)
    return [AreaChoice(area_id, tree.names[area_id], depth)
            for area_id, depth in territory.picker_rows(scope.province_id, scope.area_ids)]


PICKER_MATCHES = 20  # a phone screen or two; the admin types more to narrow it down


def enterprise_matches(text: str | None, keep_id: int | None = None,
                       limit: int = PICKER_MATCHES) -> list[Enterprise]:
    """Enterprises in reach whose name or tax code matches (all of them for no text), in
    reading order; the chosen one (`keep_id`, if in reach) stays first so it stays chosen."""
    statement = scoped(select(Enterprise), Enterprise)
    condition = search.name_or_tax_code(Enterprise.name, Enterprise.tax_code, text)
    if condition is not None:
        statement = statement.where(condition)
    found = list(db.session.scalars(
        statement.order_by(search.folded(Enterprise.name), Enterprise.name, Enterprise.id)
        .limit(limit)))
    if keep_id and all(e.id != keep_id for e in found):
        kept = db.session.scalar(scoped(select(Enterprise), Enterprise)
                                 .where(Enterprise.id == keep_id))
        found = [kept, *found[:limit - 1]] if kept is not None else found
    return found


def enterprise_count() -> int:
    """The enterprises in reach, for the picker's hint."""
    return db.session.scalar(scoped(select(func.count()).select_from(Enterprise),
                                    Enterprise)) or 0


# --- platform admin: background work --------------------------------------------------------

WORK_TASK_LABELS = {
    RENDER_TASK: _l("Report render"),
    ZIP_TASK: _l("ZIP export"),
    REGRADE_TASK: _l("Re-grade after a level change"),
}
WORK_STATUS_LABELS = {
    JobStatus.QUEUED: _l("Queued"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.FAILED: _l("Failed"),
    JobStatus.DONE: _l("Done"),
}
# The list's filter: everything (failed and stuck first), stuck items, or one status.
WORK_FILTERS = ("all", "stuck", *(status.value for status in JobStatus))
# Queued this long past its time and nobody took it: the queue or the dispatcher is not working.
STUCK_AFTER = timedelta(minutes=5)
# Done items are kept a week; the count shows the last day's.
DONE_WINDOW = timedelta(hours=24)
# How the outbox words a failed attempt (riskapp.jobs.outbox), to show it in the user's language.
_ATTEMPT = re.compile(r"attempt (\d+): (.*)", re.S)
_NO_RESULT = re.compile(r"no result within (\d+) s \((.*)\)", re.S)
_WORKER_GONE = re.compile(r"the worker stopped before it finished \((.*)\)", re.S)


@dataclass(frozen=True)
class WorkCounts:
    queued: int
    running: int
    failed: int
    done: int  # within DONE_WINDOW
    stuck: int  # of the queued and running ones


@dataclass(frozen=True)
class WorkRow:
    item: WorkItem
    province_name: str | None
    zone: str | None  # the province's IANA zone its times are shown in
    stuck: bool

    @property
    def label(self) -> str:
        return work_label(self.item.task)

    @property
    def reason(self) -> str | None:
        return error_words(self.item.last_error)


def work_label(task: str) -> str:
    """What a task does, in words; a task this version does not know by its own name."""
    label = WORK_TASK_LABELS.get(task)
    return str(label) if label is not None else task


def error_words(text: str | None) -> str | None:
    """The outbox's reason for a failed attempt in the user's language (the error itself as
    the task raised it)."""
    attempt = _ATTEMPT.fullmatch(text or "")
    if attempt is None:
        return text
    cause = attempt.group(2)
    if no_result := _NO_RESULT.fullmatch(cause):
        cause = _("no result within %(seconds)s s (%(worker)s)",
                  seconds=no_result.group(1), worker=no_result.group(2))
    elif gone := _WORKER_GONE.fullmatch(cause):
        cause = _("the worker stopped before it finished (%(worker)s)", worker=gone.group(1))
    return _("Attempt %(number)s: %(reason)s", number=attempt.group(1), reason=cause)


def _stuck(now: datetime):
    """Queued and due for over STUCK_AFTER, or running past its lease."""
    return or_(
        and_(WorkItem.status == JobStatus.QUEUED, WorkItem.available_at < now - STUCK_AFTER),
        and_(WorkItem.status == JobStatus.RUNNING,
             or_(WorkItem.lease_until.is_(None), WorkItem.lease_until < now)),
    )


def _work_select(statement: Select) -> Select:
    return platform_wide(statement, WorkItem)


def work_counts() -> WorkCounts:
    """How many items wait, run and failed; how many finished in the last day; how many stick."""
    now = utcnow()
    by_status = dict(db.session.execute(
        _work_select(select(WorkItem.status, func.count()).group_by(WorkItem.status))
    ).all())
    done = db.session.scalar(_work_select(select(func.count()).select_from(WorkItem).where(
        WorkItem.status == JobStatus.DONE, WorkItem.finished_at >= now - DONE_WINDOW)))
    stuck = db.session.scalar(_work_select(
        select(func.count()).select_from(WorkItem).where(_stuck(now))))
    return WorkCounts(queued=by_status.get(JobStatus.QUEUED, 0),
                      running=by_status.get(JobStatus.RUNNING, 0),
                      failed=by_status.get(JobStatus.FAILED, 0), done=done or 0, stuck=stuck or 0)


def work_page(show: str, number: int | None) -> Page:
    """One page of work items: failed first, then stuck ones, then the newest."""
    stuck = _stuck(utcnow())
    statement = _work_select(
        select(WorkItem, Province.name, Province.timezone, stuck.label("stuck"))
        .outerjoin(Province, Province.id == WorkItem.province_id)
    )
    if show == "stuck":
        statement = statement.where(stuck)
    elif show != "all":
        statement = statement.where(WorkItem.status == JobStatus(show))
    attention = case((WorkItem.status == JobStatus.FAILED, 0), (stuck, 1), else_=2)
    statement = statement.order_by(attention, WorkItem.created_at.desc(), WorkItem.id.desc())
    return paginate(statement, number, row=lambda item, name, zone, is_stuck: WorkRow(
        item, name, zone, bool(is_stuck)))


def work_item_or_404(item_id: int) -> WorkItem:
    return get_platform_record_or_404(WorkItem, item_id)


def retry_work(item: WorkItem, actor: User) -> WorkItem:
    """Run a failed item again (fresh attempts) after the commit; returns the item that will run:
    another live item of the same work, if there is one."""
    if item.status != JobStatus.FAILED:
        raise AdminError(_("This work has not failed: there is nothing to retry."))
    try:
        outbox.spec_of(item.task)
    except (ImportError, AttributeError, ValueError) as missing:
        # Renamed or removed since the item was written: running it again would fail at once.
        raise AdminError(_("This version of the application no longer has this kind of work; "
                           "it cannot run again.")) from missing
    again = jobs.retry(item)
    record("work_retried", item, details={"task": item.task, "args": item.args,
                                          "runs": again.id}, user=actor)
    return again
