"""Who may reach what, in one place: role groups, the route decorator, scoped queries, loaders.

A user's reach (product brief): an officer sees one enterprise; an auditor and area staff the
enterprises of the areas they are bound to and everything below those areas (a commune, a
grouping of communes); province staff their whole province; a platform admin no tenant data.
A draft assessment (and its evidence) is its enterprise's own business until it is submitted.
Personal objects (export jobs, API tokens) belong to the user who made them. Anything outside
the reach answers 404, never 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort, g
from flask_login import current_user
from sqlalchemy import Select, and_, false, or_, select

from riskapp.db import db
from riskapp.extensions import login_manager
from riskapp.models import (
    ApiToken,
    Area,
    Assessment,
    AssessmentStatus,
    AuditorArea,
    ChecklistVersion,
    Enterprise,
    Evidence,
    Finding,
    ImpactPreview,
    InspectionVisit,
    Job,
    Notification,
    NotificationDelivery,
    Province,
    ReportingRound,
    Role,
    User,
    WebhookEndpoint,
    WorkItem,
)

# Role groups: each name means one thing on every route, web and API.
OFFICERS = frozenset({Role.OFFICER})
AUDITORS = frozenset({Role.AUDITOR})
PROVINCE_ADMINS = frozenset({Role.PROVINCE_ADMIN})
PROVINCE_STAFF = frozenset({Role.PROVINCE_VIEWER, Role.PROVINCE_ADMIN})
AREA_ADMINS = frozenset({Role.AREA_ADMIN})
AREA_STAFF = frozenset({Role.AREA_VIEWER, Role.AREA_ADMIN})
PLATFORM_ADMINS = frozenset({Role.PLATFORM_ADMIN})
# The authority's people: the province's staff and the staff of its communes (within their areas).
STAFF = PROVINCE_STAFF | AREA_STAFF
# Act for the authority within their reach: invite, import, review, propose or set levels.
MANAGERS = PROVINCE_ADMINS | AREA_ADMINS
# Read the province's enterprises, figures and submitted assessments (within their areas).
READERS = STAFF | AUDITORS
# Record on-site findings: auditors, and the province's administrators.
FINDING_RECORDERS = AUDITORS | PROVINCE_ADMINS
# See the forensic signals (riskapp/forensics): province staff, and auditors within their areas;
# never area staff, who answer to the communes being judged, nor the enterprises.
SIGNAL_READERS = PROVINCE_STAFF | AUDITORS
# Dismissing a signal is a review decision: those who decide reviews or record findings.
SIGNAL_DISMISSERS = PROVINCE_ADMINS | AUDITORS
# Everyone who reaches tenant data.
TENANT_USERS = OFFICERS | READERS
# Evidence photos may show workers' faces: only those who need them see them — the enterprise's
# own users, its reviewers (the province's and its commune's admins, who decide reviews) and the
# auditors whose areas cover it (all within their reach, as ever). Viewers read the assessment
# without its photos; templates ask may_open("evidence.file") before showing a thumbnail.
EVIDENCE_READERS = OFFICERS | MANAGERS | AUDITORS
# The roles a manager may hand out: a province admin any of the province's; an area admin only
# roles that stay inside areas (never a province role).
GRANTABLE_BY_PROVINCE = OFFICERS | AUDITORS | AREA_STAFF | PROVINCE_STAFF
GRANTABLE_BY_AREA = OFFICERS | AUDITORS | AREA_STAFF
EVERYONE = frozenset(Role)

# Reference data a province adds to: a row without a province (a shipped checklist) is
# everyone's; a province's own row (an uploaded checklist version) is read by every user of that
# province, officers included, and by no one else.
SHARED_MODELS = frozenset({ChecklistVersion})

# A province's own campaigns, read whole by every reader of the province (area staff and
# auditors too); what they hold per enterprise (round targets) is scoped like enterprises.
PROVINCE_WIDE_MODELS = frozenset({ReportingRound, WebhookEndpoint, NotificationDelivery,
                                  ImpactPreview})

# A province's operational records that the platform admin also reads across provinces.
PROVINCE_OR_PLATFORM_MODELS = frozenset({NotificationDelivery})

# The platform's own records about every province's work, read by the platform admin only.
PLATFORM_RECORDS = frozenset({WorkItem})

# The column that names the owner of a personal object (a visit is its auditor's to work).
OWNER_COLUMNS = {Job: Job.created_by_id, ApiToken: ApiToken.user_id,
                 Notification: Notification.user_id,
                 InspectionVisit: InspectionVisit.auditor_id,
                 # Only to find the finding a phone already sent (riskapp/audit/capture.py).
                 Finding: Finding.auditor_id}


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    role: Role | None
    province_id: int | None = None
    enterprise_id: int | None = None
    # None means every area of the province; a set restricts an auditor or area staff to those.
    area_ids: frozenset[int] | None = None

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def is_province_staff(self) -> bool:
        return self.role in PROVINCE_STAFF

    @property
    def is_province_admin(self) -> bool:
        return self.role == Role.PROVINCE_ADMIN

    @property
    def is_area_staff(self) -> bool:
        return self.role in AREA_STAFF

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGERS

    @property
    def sees_province_data(self) -> bool:
        """Province dashboards: province staff, and auditors within their areas."""
        return self.role in READERS

    def reach_key(self) -> tuple:
        """What distinguishes this reach from another's, for cache keys."""
        areas = tuple(sorted(self.area_ids)) if self.area_ids is not None else None
        return self.province_id, self.enterprise_id, areas


ANONYMOUS = Scope(user_id=None, role=None)


def area_subtree_ids(root_ids: set[int] | frozenset[int]) -> frozenset[int]:
    """The given areas and every area below them (any depth)."""
    if not root_ids:
        return frozenset()
    tree = select(Area.id).where(Area.id.in_(root_ids)).cte("subtree", recursive=True)
    tree = tree.union_all(select(Area.id).where(Area.parent_id == tree.c.id))
    return frozenset(db.session.scalars(select(tree.c.id)).all())


def scope_for(user) -> Scope:
    """Build the reach of a user (no caching)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    area_ids = None
    if user.role.has_areas:
        assigned = set(
            db.session.scalars(select(AuditorArea.area_id).where(AuditorArea.user_id == user.id))
        )
        area_ids = area_subtree_ids(assigned)
    officer = user.role == Role.OFFICER
    province_id = user.province_id
    if province_id is None and officer and user.enterprise is not None:
        province_id = user.enterprise.province_id
    return Scope(
        user_id=user.id,
        role=user.role,
        province_id=province_id,
        enterprise_id=user.enterprise_id if officer else None,
        area_ids=area_ids,
    )


def province_scope(province_id: int | None) -> Scope:
    """The reach of the province itself, for work outside a request (its checklist versions)."""
    return Scope(user_id=None, role=None, province_id=province_id)


def province_reader_scope(province_id: int) -> Scope:
    """The whole province as its staff read it, for work outside a request (a round's frozen
    figures, its reminders)."""
    return Scope(user_id=None, role=Role.PROVINCE_VIEWER, province_id=province_id)


def current_scope() -> Scope:
    """The reach of the logged-in user, computed once per request."""
    if "tenant_scope" not in g:
        g.tenant_scope = scope_for(current_user)
    return g.tenant_scope


def reset_scope() -> None:
    """Forget the request's scope (the API swaps the session user for the token's)."""
    g.pop("tenant_scope", None)


def current_province_id() -> int:
    """The current user's province; 404 for a user without one."""
    province_id = current_scope().province_id
    if province_id is None:
        abort(404)
    return province_id


def current_province() -> Province:
    """The current user's province row; 404 for a user without one."""
    return db.session.get(Province, current_province_id())


# ----------------------------------------------------------------------------- routes


def allows(roles: frozenset[Role]) -> bool:
    """Is the logged-in user in one of these roles?"""
    return current_user.is_authenticated and current_user.role in roles


def require_roles(roles: frozenset[Role]):
    """Let only these roles in: a visitor is sent to log in, any other role gets 404."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorator


# Endpoint → the roles its route() admits: pages ask may_open() before showing a link to it.
ENDPOINT_ROLES: dict[str, frozenset[Role]] = {}


def route(blueprint, rule: str, *, roles: frozenset[Role], **options):
    """A route of `blueprint` for these roles only (see require_roles)."""

    def decorator(view):
        endpoint = options.get("endpoint") or view.__name__
        ENDPOINT_ROLES[f"{blueprint.name}.{endpoint}"] = roles
        return blueprint.route(rule, **options)(require_roles(roles)(view))

    return decorator


def may_open(endpoint: str) -> bool:
    """Does the logged-in user's role admit them to this endpoint? (The object itself is still
    checked by the view: a link is only shown for objects already in the user's scope.)"""
    roles = ENDPOINT_ROLES.get(endpoint)
    return roles is not None and allows(roles)


# ----------------------------------------------------------------------------- scoped queries


def _keys(model):
    """(enterprise, province, area) columns of a tenant-owned model; None where it has none."""
    if model is Enterprise:
        return Enterprise.id, Enterprise.province_id, Enterprise.area_id
    return (getattr(model, "enterprise_id", None), model.province_id,
            getattr(model, "area_id", None))


def _drafts_hidden(statement: Select, model) -> Select:
    """Drafts and their evidence are their enterprise's own until submitted."""
    if model is Assessment:
        return statement.where(Assessment.status != AssessmentStatus.DRAFT)
    if model is Evidence:
        return statement.where(
            select(Assessment.id)
            .where(Assessment.id == Evidence.assessment_id,
                   Assessment.status != AssessmentStatus.DRAFT)
            .exists()
        )
    return statement


def _role_barred(model, scope: Scope) -> bool:
    """Rows a reader's role never sees within the reach: evidence outside EVIDENCE_READERS."""
    return model is Evidence and scope.role not in EVIDENCE_READERS


def _shared_scoped(statement: Select, model, scope: Scope) -> Select:
    shared = model.province_id.is_(None)
    if scope.province_id is None:
        return statement.where(shared)
    return statement.where(or_(shared, model.province_id == scope.province_id))


def scoped(statement: Select, model, scope: Scope | None = None) -> Select:
    """Restrict a select over a tenant-owned model (with province_id) to a scope."""
    scope = scope or current_scope()
    if model in SHARED_MODELS:
        return _shared_scoped(statement, model, scope)
    if model in PROVINCE_WIDE_MODELS:
        if scope.province_id is None or not scope.sees_province_data:
            return statement.where(false())
        return statement.where(model.province_id == scope.province_id)
    enterprise_key, province_key, area_key = _keys(model)
    if scope.is_officer and scope.enterprise_id is not None:
        if enterprise_key is None:
            return statement.where(false())
        return statement.where(enterprise_key == scope.enterprise_id)
    if scope.province_id is None or not scope.sees_province_data or _role_barred(model, scope):
        return statement.where(false())
    statement = _drafts_hidden(statement.where(province_key == scope.province_id), model)
    if scope.area_ids is None:
        return statement
    if area_key is not None:
        return statement.where(area_key.in_(scope.area_ids))
    if enterprise_key is None:
        return statement.where(false())
    in_areas = select(Enterprise.id).where(Enterprise.area_id.in_(scope.area_ids))
    return statement.where(enterprise_key.in_(in_areas))


def scoped_areas(statement: Select, scope: Scope | None = None) -> Select:
    """Restrict a select over areas to the province, and for an auditor to the assigned subtrees."""
    scope = scope or current_scope()
    if scope.province_id is None or not scope.sees_province_data:
        return statement.where(false())
    statement = statement.where(Area.province_id == scope.province_id)
    if scope.area_ids is not None:
        statement = statement.where(Area.id.in_(scope.area_ids))
    return statement


# ----------------------------------------------------------------------------- loaders


def _found_or_404(obj):
    if obj is None:
        abort(404)
    return obj


def get_or_404(model, object_id, scope: Scope | None = None):
    """Load one tenant-owned object within the scope, or answer 404."""
    statement = scoped(select(model).where(model.id == object_id), model, scope)
    return _found_or_404(db.session.scalar(statement))


def get_assessment_or_404(assessment_id: int, *, submitted: bool = False) -> Assessment:
    """An assessment in reach; with `submitted`, a draft answers 404 even to its officer."""
    assessment = get_or_404(Assessment, assessment_id)
    if submitted and assessment.is_draft:
        abort(404)
    return assessment


def own_enterprise_or_404() -> Enterprise:
    """The officer's own enterprise."""
    return get_or_404(Enterprise, current_scope().enterprise_id)


def area_in_reach(area_id: int | None, scope: Scope | None = None) -> bool:
    """Is this area of the scope's province inside the scope's areas (every area for province
    staff)? The caller has already found the area in the province."""
    scope = scope or current_scope()
    return area_id is not None and (scope.area_ids is None or area_id in scope.area_ids)


def grantable_roles(scope: Scope | None = None) -> frozenset[Role]:
    """The roles the scope's manager may invite; nothing for anyone else."""
    scope = scope or current_scope()
    if not scope.is_manager:
        return frozenset()
    return GRANTABLE_BY_PROVINCE if scope.area_ids is None else GRANTABLE_BY_AREA


def scoped_users(statement: Select, scope: Scope | None = None) -> Select:
    """Restrict a select over users to those a manager may see and manage: the province's
    users; for area staff only officers of enterprises inside their areas, and users bound to
    areas all of which are inside them (never a province role)."""
    scope = scope or current_scope()
    if scope.province_id is None or not scope.is_manager:
        return statement.where(false())
    statement = statement.where(User.province_id == scope.province_id)
    if scope.area_ids is None:
        return statement
    bound = select(AuditorArea.id).where(AuditorArea.user_id == User.id)
    return statement.where(or_(
        User.enterprise_id.in_(select(Enterprise.id)
                               .where(Enterprise.area_id.in_(scope.area_ids))),
        and_(User.role.in_([r for r in Role if r.has_areas]), bound.exists(),
             ~bound.where(AuditorArea.area_id.not_in(scope.area_ids)).exists()),
    ))


def get_user_or_404(user_id, scope: Scope | None = None) -> User:
    """A user the manager may manage (see scoped_users), or 404."""
    statement = scoped_users(select(User).where(User.id == user_id), scope)
    return _found_or_404(db.session.scalar(statement))


def get_area_or_404(area_id, scope: Scope | None = None) -> Area:
    area = db.session.scalar(scoped_areas(select(Area).where(Area.id == area_id), scope))
    return _found_or_404(area)


def owned(statement: Select, model) -> Select:
    """Restrict a select over personal objects (export jobs, API tokens) to the user's own."""
    return statement.where(OWNER_COLUMNS[model] == current_scope().user_id)


def get_own_or_404(model, object_id, **criteria):
    """A personal object of the logged-in user, or 404."""
    statement = owned(select(model).where(model.id == object_id), model)
    for name, value in criteria.items():
        statement = statement.where(getattr(model, name) == value)
    return _found_or_404(db.session.scalar(statement))


def platform_wide(statement: Select, model, scope: Scope | None = None) -> Select:
    """Restrict a select over the platform's records (background work) to the platform admin."""
    if model not in PLATFORM_RECORDS:
        raise ValueError(f"{model.__name__} is not a platform record")
    scope = scope or current_scope()
    return statement if scope.role in PLATFORM_ADMINS else statement.where(false())


def get_platform_record_or_404(model, object_id):
    """A platform record (a work item of any province) for the platform admin, or 404."""
    statement = platform_wide(select(model).where(model.id == object_id), model)
    return _found_or_404(db.session.scalar(statement))


def province_or_platform(statement: Select, model, scope: Scope | None = None) -> Select:
    """A province's operational records (notification deliveries): its readers get their
    province's, the platform admin every province's."""
    if model not in PROVINCE_OR_PLATFORM_MODELS:
        raise ValueError(f"{model.__name__} is not a province-or-platform record")
    scope = scope or current_scope()
    return statement if scope.role in PLATFORM_ADMINS else scoped(statement, model, scope)


def get_province_or_platform_or_404(model, object_id):
    statement = province_or_platform(select(model).where(model.id == object_id), model)
    return _found_or_404(db.session.scalar(statement))
