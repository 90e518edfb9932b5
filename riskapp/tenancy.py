"""Tenant scoping in one place: every query of tenant data goes through these helpers.

A user's reach (product brief): an officer sees one enterprise; an auditor the enterprises of
the areas assigned to them and everything below those areas; province staff their whole
province; a platform admin no tenant data. Anything outside the reach answers 404, never 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort, g
from flask_login import current_user
from sqlalchemy import Select, false, select

from riskapp.db import db
from riskapp.models import Area, AuditorArea, Enterprise, Role


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    role: Role | None
    province_id: int | None = None
    enterprise_id: int | None = None
    # None means every area of the province; a set restricts an auditor to those areas.
    area_ids: frozenset[int] | None = None

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def is_province_staff(self) -> bool:
        return self.role in (Role.PROVINCE_VIEWER, Role.PROVINCE_ADMIN)

    @property
    def is_province_admin(self) -> bool:
        return self.role == Role.PROVINCE_ADMIN

    @property
    def sees_province_data(self) -> bool:
        """Province dashboards: province staff, and auditors within their areas."""
        return self.is_province_staff or self.is_auditor


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
    if user.role == Role.AUDITOR:
        assigned = set(
            db.session.scalars(select(AuditorArea.area_id).where(AuditorArea.user_id == user.id))
        )
        area_ids = area_subtree_ids(assigned)
    return Scope(
        user_id=user.id,
        role=user.role,
        province_id=user.province_id,
        enterprise_id=user.enterprise_id if user.role == Role.OFFICER else None,
        area_ids=area_ids,
    )


def current_scope() -> Scope:
    """The reach of the logged-in user, computed once per request."""
    if "tenant_scope" not in g:
        g.tenant_scope = scope_for(current_user)
    return g.tenant_scope


def scoped(statement: Select, model, scope: Scope | None = None) -> Select:
    """Restrict a select over a tenant-owned model (with province_id, enterprise_id) to a scope."""
    scope = scope or current_scope()
    if model is Enterprise:
        enterprise_key, province_key, area_key = (
            Enterprise.id,
            Enterprise.province_id,
            Enterprise.area_id,
        )
    else:
        enterprise_key, province_key = model.enterprise_id, model.province_id
        area_key = getattr(model, "area_id", None)
    if scope.role == Role.OFFICER and scope.enterprise_id is not None:
        return statement.where(enterprise_key == scope.enterprise_id)
    if scope.province_id is None or scope.role not in (
        Role.AUDITOR,
        Role.PROVINCE_VIEWER,
        Role.PROVINCE_ADMIN,
    ):
        return statement.where(false())
    statement = statement.where(province_key == scope.province_id)
    if scope.area_ids is not None:
        if area_key is not None:
            return statement.where(area_key.in_(scope.area_ids))
        in_areas = select(Enterprise.id).where(Enterprise.area_id.in_(scope.area_ids))
        return statement.where(enterprise_key.in_(in_areas))
    return statement


def scoped_areas(statement: Select, scope: Scope | None = None) -> Select:
    """Restrict a select over areas to the province, and for an auditor to the assigned subtrees."""
    scope = scope or current_scope()
    if scope.province_id is None or not scope.sees_province_data:
        return statement.where(false())
    statement = statement.where(Area.province_id == scope.province_id)
    if scope.area_ids is not None:
        statement = statement.where(Area.id.in_(scope.area_ids))
    return statement


def get_or_404(model, object_id, scope: Scope | None = None):
    """Load one tenant-owned object within the scope, or answer 404."""
    obj = db.session.scalar(scoped(select(model).where(model.id == object_id), model, scope))
    if obj is None:
        abort(404)
    return obj


def get_area_or_404(area_id, scope: Scope | None = None) -> Area:
    area = db.session.scalar(scoped_areas(select(Area).where(Area.id == area_id), scope))
    if area is None:
        abort(404)
    return area


def roles_required(*roles: Role):
    """Let only these roles in; everyone else (logged in) gets 404 so nothing leaks."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                from riskapp.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorator
