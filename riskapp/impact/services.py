"""Impact previews: asking for one, running it in the background, applying it, reading it.

A preview stores the proposed change, replays the current assessments in its scope in a
background task (progress after every batch) and stores the figures as JSON; it never writes a
grade. Applying it makes the real decision with the same services as the forms (set_area_level,
set_province_level, proposals.approve, checklists.activate), once: a conditional UPDATE claims
the preview. Services flush, never commit (the task commits its own progress).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from riskapp import checklists, jobs, territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.impact import replay
from riskapp.models import (
    Area,
    AreaLevel,
    ChecklistActivation,
    ChecklistVersion,
    ImpactPreview,
    JobStatus,
    LevelProposal,
    ProposalStatus,
)
from riskapp.models.impact import AREA_LEVEL, CHECKLIST_ACTIVATION, PROVINCE_LEVEL
from riskapp.models.types import utcnow
from riskapp.province import proposals, regrade
from riskapp.tenancy import area_subtree_ids

RUN_TASK = "riskapp.impact.services:run_preview_task"
# "Falling due soon": the auditors' and officers' next 30 days.
DUE_SOON_DAYS = 30


class PreviewRefused(ValueError):
    """A preview that cannot be applied (not finished, already applied, decided elsewhere)."""


# ----------------------------------------------------------------------------- asking


def start_level_preview(province_id: int, area: Area | None, level: int, effective_from: date,
                        user, note: str | None = None,
                        proposal: LevelProposal | None = None) -> ImpactPreview:
    """Ask for a level change's preview (no area: the whole province); it runs after the
    commit."""
    if level not in (1, 2, 3, 4):
        raise ValueError("level must be 1–4")
    before = territory.level_of(area, effective_from)[0] if area is not None else None
    preview = ImpactPreview(
        province_id=province_id, kind=AREA_LEVEL if area is not None else PROVINCE_LEVEL,
        area_id=area.id if area is not None else None, level=level,
        effective_from=effective_from, note=note or None, level_before=before,
        proposal_id=proposal.id if proposal is not None else None,
        requested_by_id=user.id, status=JobStatus.QUEUED, progress=0, total=0)
    return _queued(preview, user)


def start_checklist_preview(province_id: int, version: ChecklistVersion, active_from: date,
                            user) -> ImpactPreview:
    """Ask for a checklist activation's preview; it runs after the commit."""
    preview = ImpactPreview(
        province_id=province_id, kind=CHECKLIST_ACTIVATION, checklist_version_id=version.id,
        active_from=active_from, requested_by_id=user.id, status=JobStatus.QUEUED,
        progress=0, total=0)
    return _queued(preview, user)


def _queued(preview: ImpactPreview, user) -> ImpactPreview:
    db.session.add(preview)
    db.session.flush()
    record("impact_preview_started", preview, details=_change(preview), user=user)
    jobs.enqueue(RUN_TASK, preview.id, key=f"impact:{preview.id}",
                 province_id=preview.province_id)
    return preview


def _change(preview: ImpactPreview) -> dict:
    """The proposed change, as the audit log keeps it."""
    if preview.kind == CHECKLIST_ACTIVATION:
        return {"kind": preview.kind, "checklist_version_id": preview.checklist_version_id,
                "active_from": preview.active_from.isoformat()}
    return {"kind": preview.kind, "area_id": preview.area_id, "level": preview.level,
            "effective_from": preview.effective_from.isoformat(),
            "proposal_id": preview.proposal_id}


# ----------------------------------------------------------------------------- running


def _given_up(preview_id: int, *, reason: str) -> None:
    """The worker died on every attempt."""
    jobs.mark_failed(ImpactPreview, preview_id, reason)


@jobs.task(budget=900, attempts=2, on_give_up=_given_up)
def run_preview_task(preview_id: int) -> str:
    """Background task: replay the scope, committing progress after each batch."""

    def replay_and_store(preview: ImpactPreview) -> str:
        run_preview(preview)
        return "done"

    return jobs.run_progress_row(ImpactPreview, preview_id, replay_and_store, "impact preview")


def run_preview(preview: ImpactPreview) -> None:
    """Replay and store the figures; commits (progress is read by another request)."""
    plan = plan_of(preview)
    today = territory.province_today(preview.province_id)
    preview.status = JobStatus.RUNNING
    preview.started_at = utcnow()
    preview.total = replay.scope_count(plan)
    preview.progress = 0
    markers = data_markers(preview.province_id)
    db.session.commit()
    preview_id = preview.id

    def progress(done: int) -> None:
        db.session.execute(update(ImpactPreview).where(ImpactPreview.id == preview_id)
                           .values(progress=done))
        db.session.commit()

    tally = replay.run(plan, today + timedelta(days=DUE_SOON_DAYS), progress)
    preview = db.session.get(ImpactPreview, preview_id)
    preview.result = {**tally.as_dict(), "as_of": today.isoformat(), "markers": markers}
    preview.progress = preview.total
    preview.status = JobStatus.DONE
    preview.finished_at = utcnow()
    db.session.commit()


def plan_of(preview: ImpactPreview) -> replay.Plan:
    """The scope, the level each area is graded at afterwards, and the checklist."""
    tree = territory.area_tree(preview.province_id)
    today = territory.province_today(preview.province_id)
    if preview.kind == CHECKLIST_ACTIVATION:
        levels = territory.levels_in_force(preview.province_id, max(preview.active_from, today))
        version = db.session.get(ChecklistVersion, preview.checklist_version_id)
        return replay.Plan(preview.province_id, None,
                           {area_id: level for area_id, (level, _row) in levels.items()},
                           checklists.definition(version), dict(tree.parents))
    levels = territory.levels_in_force(preview.province_id, max(preview.effective_from, today))
    targets = ({preview.area_id} if preview.kind == AREA_LEVEL
               else {area_id for area_id in tree.children.get(None, [])})
    subtree = area_subtree_ids(targets)
    return replay.Plan(preview.province_id, subtree,
                       {area_id: _level_after(area_id, preview.level, targets, subtree, levels)
                        for area_id in subtree}, None, dict(tree.parents))


def _level_after(area_id: int, proposed: int, targets: set[int], subtree: frozenset[int],
                 levels: dict) -> int:
    """The proposed level, unless an area below the target keeps a level of its own."""
    level, row = levels.get(area_id, (territory.DEFAULT_AREA_LEVEL, None))
    if row is not None and row.area_id in subtree and row.area_id not in targets:
        return level
    return proposed


def data_markers(province_id: int) -> dict:
    """The latest level decision and activation of the province: a later one makes a preview
    older than the data."""
    level = db.session.scalar(
        select(func.max(AreaLevel.id)).join(Area, Area.id == AreaLevel.area_id)
        .where(Area.province_id == province_id))
    activation = db.session.scalar(
        select(func.max(ChecklistActivation.id))
        .where(ChecklistActivation.province_id == province_id))
    return {"area_level": level or 0, "activation": activation or 0}


def is_stale(preview: ImpactPreview) -> bool:
    """Whether a level or checklist decision was made since the preview ran (not its own)."""
    if preview.result is None or preview.applied_at is not None:
        return False
    return preview.result.get("markers") != data_markers(preview.province_id)


# ----------------------------------------------------------------------------- applying


def apply(preview: ImpactPreview, user) -> list:
    """Make the previewed decision once, linked to the preview; returns the decision rows."""
    if preview.status != JobStatus.DONE:
        raise PreviewRefused(_("The preview has not finished yet."))
    claimed = db.session.execute(
        update(ImpactPreview)
        .where(ImpactPreview.id == preview.id, ImpactPreview.applied_at.is_(None))
        .values(applied_at=utcnow(), applied_by_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise PreviewRefused(_("This preview has already been applied."))
    db.session.refresh(preview)
    decisions = _decide(preview, user)
    for decision in decisions:
        decision.impact_preview_id = preview.id
    db.session.flush()
    record("impact_preview_applied", preview,
           details={**_change(preview), "decision_ids": [d.id for d in decisions]}, user=user)
    return decisions


def _decide(preview: ImpactPreview, user) -> list:
    if preview.kind == CHECKLIST_ACTIVATION:
        version = db.session.get(ChecklistVersion, preview.checklist_version_id)
        return [checklists.activate(version, preview.province_id, preview.active_from, user)]
    if preview.kind == PROVINCE_LEVEL:
        return regrade.set_province_level(preview.province_id, preview.level,
                                          preview.effective_from, user, preview.note)
    if preview.proposal_id is not None:
        proposal = db.session.get(LevelProposal, preview.proposal_id)
        if proposal is None or proposal.status != ProposalStatus.PENDING:
            raise PreviewRefused(_("This proposal has already been decided by someone else."))
        try:
            proposals.approve(proposal, preview.note, user)
        except proposals.ProposalRefused as refused:
            raise PreviewRefused(str(refused)) from refused
        return [db.session.get(AreaLevel, proposal.area_level_id)]
    area = db.session.get(Area, preview.area_id)
    return [regrade.set_area_level(area, preview.level, preview.effective_from, user,
                                   preview.note)]


def previews_of_decisions(model, ids: list[int]) -> dict[int, ImpactPreview]:
    """The previews the given decisions (area levels or activations) were applied from."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(model.id, ImpactPreview).join(ImpactPreview,
                                             ImpactPreview.id == model.impact_preview_id)
        .where(model.id.in_(ids))).all()
    return {decision_id: preview for decision_id, preview in rows}
