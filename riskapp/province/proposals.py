"""Levels proposed by area admins for areas of their own, decided once by a province admin.

An approval sets the level through riskapp.province.regrade (so re-grading follows as for any
level); a decision is a conditional UPDATE on status = 'pending', so of two admins deciding at
once one wins and the other is told. Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from riskapp import territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import Area, LevelProposal, ProposalStatus, User
from riskapp.models.types import utcnow
from riskapp.province import regrade
from riskapp.tenancy import Scope, get_or_404, scoped

# The proposals shown on the areas page: every pending one, and the latest decided ones.
RECENT_DECIDED = 10


class ProposalRefused(ValueError):
    """A proposal or decision the user must correct, or one already decided by someone else."""


@dataclass(frozen=True)
class ProposalRow:
    proposal: LevelProposal
    area_name: str
    proposed_by: str
    decided_by: str | None


def propose_level(area: Area, level: int, effective_from: date, reason: str,
                  user) -> LevelProposal:
    """Record an area admin's proposal (the area is already in their reach)."""
    if level not in (1, 2, 3, 4):
        raise ProposalRefused(_("Choose a level from 1 to 4."))
    reason = (reason or "").strip()
    if not reason:
        raise ProposalRefused(_("Say why the level should change."))
    proposal = LevelProposal(province_id=area.province_id, area_id=area.id, level=level,
                             effective_from=effective_from, reason=reason,
                             proposed_by_id=user.id, status=ProposalStatus.PENDING)
    db.session.add(proposal)
    db.session.flush()
    record("level_proposed", proposal,
           details={"area_id": area.id, "level": level,
                    "effective_from": effective_from.isoformat(), "reason": reason}, user=user)
    return proposal


def proposal_or_404(proposal_id: int) -> LevelProposal:
    return get_or_404(LevelProposal, proposal_id)


def _claim(proposal: LevelProposal, status: ProposalStatus, note: str | None, user) -> None:
    """Take the decision if nobody has yet: the database lets exactly one UPDATE through."""
    claimed = db.session.execute(
        update(LevelProposal)
        .where(LevelProposal.id == proposal.id, LevelProposal.status == ProposalStatus.PENDING)
        .values(status=status, decided_by_id=user.id, decided_at=utcnow(),
                decision_note=note or None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise ProposalRefused(_("This proposal has already been decided by someone else."))
    db.session.refresh(proposal)


def approve(proposal: LevelProposal, note: str | None, user) -> None:
    """Approve a pending proposal: its level is set (re-grading follows after the commit)."""
    _claim(proposal, ProposalStatus.APPROVED, note, user)
    area = db.session.get(Area, proposal.area_id)
    level = regrade.set_area_level(area, proposal.level, proposal.effective_from, user,
                                   note=proposal.reason)
    proposal.area_level_id = level.id
    db.session.flush()
    record("level_proposal_approved", proposal,
           details={"area_id": area.id, "level": proposal.level, "area_level_id": level.id,
                    "note": note or None}, user=user)


def reject(proposal: LevelProposal, note: str | None, user) -> None:
    """Reject a pending proposal; the note tells the area admin why."""
    note = (note or "").strip()
    if not note:
        raise ProposalRefused(_("Say why the proposal is rejected."))
    _claim(proposal, ProposalStatus.REJECTED, note, user)
    record("level_proposal_rejected", proposal,
           details={"area_id": proposal.area_id, "level": proposal.level, "note": note},
           user=user)


def pending_count(scope: Scope | None = None) -> int:
    """Proposals in reach that wait for a decision."""
    return db.session.scalar(scoped(
        select(func.count()).select_from(LevelProposal)
        .where(LevelProposal.status == ProposalStatus.PENDING), LevelProposal, scope)) or 0


def proposal_rows(province_id: int, scope: Scope | None = None) -> list[ProposalRow]:
    """The pending proposals in reach (oldest first), then the latest decided ones."""
    pending = db.session.scalars(scoped(
        select(LevelProposal).where(LevelProposal.status == ProposalStatus.PENDING)
        .order_by(LevelProposal.created_at, LevelProposal.id), LevelProposal, scope)).all()
    decided = db.session.scalars(scoped(
        select(LevelProposal).where(LevelProposal.status != ProposalStatus.PENDING)
        .order_by(LevelProposal.decided_at.desc(), LevelProposal.id.desc())
        .limit(RECENT_DECIDED), LevelProposal, scope)).all()
    proposals = [*pending, *decided]
    people = {u.id: u.name or u.email for u in db.session.scalars(select(User).where(
        User.id.in_({p.proposed_by_id for p in proposals} | {p.decided_by_id for p in proposals})
    ))}
    tree = territory.area_tree(province_id)
    return [ProposalRow(p, tree.path(p.area_id) if p.area_id in tree.names else "",
                        people.get(p.proposed_by_id, "—"), people.get(p.decided_by_id))
            for p in proposals]
