"""The guided start of a new province: which set-up steps are done so far, in three queries."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from riskapp import territory
from riskapp.db import db
from riskapp.models import Area, AreaLevel, AuditorArea, ChecklistActivation, Enterprise, Role, User
from riskapp.tenancy import Scope, scoped, scoped_areas


@dataclass(frozen=True)
class Step:
    """One line of the checklist: done or not, the count so far, where the work is done."""

    key: str
    title: str
    todo: str
    endpoint: str
    link: str
    done: bool
    count: int
    total: int | None = None  # "count of total" where the step is about a share
    pending: int = 0  # invitations not accepted yet (officers)
    anchor: str | None = None  # the section of the page where the step is done


@dataclass(frozen=True)
class GuidedStart:
    steps: list[Step]

    @property
    def done(self) -> int:
        return sum(1 for step in self.steps if step.done)

    @property
    def complete(self) -> bool:
        return self.done == len(self.steps)


def _count(statement, model, scope: Scope):
    """A scalar subquery counting a tenant-owned model's rows within the scope."""
    return scoped(statement, model, scope).scalar_subquery()


def _counts(scope: Scope) -> dict[str, int]:
    """Every count the steps need, in one round trip, each restricted by tenancy."""
    today = territory.province_today(scope.province_id)
    users = select(func.count(User.id)).where(User.is_active_account.is_(True))
    has_area = (select(AuditorArea.id).join(Area, Area.id == AuditorArea.area_id)
                .where(AuditorArea.user_id == User.id, Area.province_id == scope.province_id)
                .exists())
    columns = {
        "areas": scoped_areas(select(func.count(Area.id)), scope).scalar_subquery(),
        "checklists": _count(select(func.count(ChecklistActivation.id))
                             .where(ChecklistActivation.active_from <= today),
                             ChecklistActivation, scope),
        "enterprises": _count(select(func.count(Enterprise.id)), Enterprise, scope),
        "officers": _count(users.where(User.role == Role.OFFICER), User, scope),
        "pending": _count(users.where(User.role == Role.OFFICER, User.password_hash.is_(None)),
                          User, scope),
        "auditors": _count(users.where(User.role == Role.AUDITOR), User, scope),
        "assigned": _count(users.where(User.role == Role.AUDITOR, has_area), User, scope),
    }
    row = db.session.execute(select(*(c.label(k) for k, c in columns.items()))).one()
    return dict(row._mapping)


def _areas_with_level(scope: Scope) -> int:
    """Areas with a level decided for them or for an area above them (any date)."""
    decided = set(db.session.scalars(
        scoped_areas(select(AreaLevel.area_id).join(Area, Area.id == AreaLevel.area_id), scope)
        .distinct()))
    if not decided:
        return 0
    tree = territory.area_tree(scope.province_id)
    return sum(1 for area_id in tree.names if decided.intersection(tree.ancestors(area_id)))


def _step(key: str, done: bool, count: int, *, endpoint: str | None = None, **extra) -> Step:
    title, todo, page, link = STEP_TEXTS[key]
    return Step(key, str(title), str(todo), endpoint or page, str(link), done, count,
                anchor=STEP_ANCHORS.get(key), **extra)


def guided_start(scope: Scope) -> GuidedStart | None:
    """The province's set-up steps for its staff (None for anyone else)."""
    if not scope.is_province_staff or scope.province_id is None:
        return None
    n = _counts(scope)
    leveled = _areas_with_level(scope) if n["areas"] else 0
    auditors, assigned = n["auditors"], n["assigned"]
    return GuidedStart([
        _step("territory", n["areas"] > 0, n["areas"]),
        _step("checklist", n["checklists"] > 0, n["checklists"]),
        _step("enterprises", n["enterprises"] > 0, n["enterprises"]),
        _step("officers", n["officers"] > 0, n["officers"], pending=n["pending"]),
        _step("levels", n["areas"] > 0 and leveled == n["areas"], leveled,
              total=n["areas"] or None),
        # Without an auditor yet, the work starts with an invitation, not the user list.
        _step("auditors", auditors > 0 and assigned == auditors, assigned, total=auditors or None,
              endpoint="admin.users" if auditors else "admin.invite"),
    ])


# key → (title, what to do, the page where it is done, the link's words)
STEP_TEXTS = {
    "territory": (_l("Territory"),
                  _l("Create the province's communes and wards (and any groupings of them)."),
                  "province.areas", _l("Open the areas")),
    "checklist": (_l("Checklist version"),
                  _l("Choose the checklist version the province uses and activate it."),
                  "province.checklists", _l("Open the checklists")),
    "enterprises": (_l("Enterprises"),
                    _l("Import the province's enterprises from a spreadsheet."),
                    "province.imports", _l("Import enterprises")),
    "officers": (_l("Enterprise officers"),
                 _l("Invite each enterprise's officer, who fills in its assessments."),
                 "admin.invite", _l("Invite officers")),
    "levels": (_l("Area levels"),
               _l("Set the epidemic level of every area: for the whole province at once, "
                  "then where it differs (a grouping's level covers its communes)."),
               "province.areas", _l("Set area levels")),
    "auditors": (_l("Auditors"),
                 _l("Invite auditors and give each of them the areas they inspect."),
                 "admin.users", _l("Assign auditors")),
}

# The territory is maintained in the areas page's own section (riskapp/province/area_views.py).
STEP_ANCHORS = {"territory": "maintenance"}
