"""The replay: exact figures on a constructed province, a checklist change, and no grade written."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from riskapp.db import db
from riskapp.impact import services
from riskapp.models import Assessment, EnterpriseStatus, ImpactPreview, JobStatus
from riskapp.province import versions
from tests import factories
from tests.impact.support import ON, RISKY, build

LOW, MEDIUM, HIGH, VERY_HIGH = 1, 2, 3, 4


def _stored_rows():
    """Every stored grade and due date, byte for byte (the roll-up and the assessments)."""
    assessments = db.session.execute(
        select(Assessment.id, Assessment.grade, Assessment.result, Assessment.next_due_on,
               Assessment.effective_grade, Assessment.effective_result,
               Assessment.effective_next_due_on, Assessment.effective_area_level,
               Assessment.regraded_at).order_by(Assessment.id)).all()
    statuses = db.session.execute(
        select(EnterpriseStatus.enterprise_id, EnterpriseStatus.effective_grade,
               EnterpriseStatus.next_due_on, EnterpriseStatus.regraded_at,
               EnterpriseStatus.updated_at).order_by(EnterpriseStatus.enterprise_id)).all()
    return [tuple(r) for r in assessments], [tuple(r) for r in statuses]


def _run(preview_id: int) -> ImpactPreview:
    db.session.commit()  # the task runs inline after the commit (JOBS_INLINE)
    db.session.expire_all()
    return db.session.get(ImpactPreview, preview_id)


def test_level_change_moves_known_enterprises(ctx, world):
    tenant = world.a
    built = build(tenant)
    db.session.commit()
    before = _stored_rows()
    preview = services.start_level_preview(tenant.province.id, tenant.district, 4, ON,
                                           tenant.admin)
    preview = _run(preview.id)
    assert preview.status == JobStatus.DONE
    result = preview.result
    # Only the district's two enterprises are in scope (the other district keeps its level).
    assert result["replayed"] == 2 and preview.total == 2 and preview.progress == 2
    cells = {(b, a): n for b, row in enumerate(result["matrix"]) for a, n in enumerate(row) if n}
    assert cells == {(LOW, MEDIUM): 1, (HIGH, VERY_HIGH): 1}
    assert result["by_area"] == {str(tenant.commune.id): result["matrix"]}
    assert result["by_group"] == {str(tenant.district.id): result["matrix"]}
    assert result["by_industry"] == {"C": result["matrix"]}
    assert result["suspensions"] == {"new": 1, "lifted": 0, "new_ids": [built.risky.id],
                                     "lifted_ids": []}
    # Low at level 1 is due in 30 days, at level 4 in 7; the risky one stays at 7.
    assert result["due"] == {"earlier": 1, "later": 0, "moves": [
        [built.good.id, (ON + timedelta(days=30)).isoformat(),
         (ON + timedelta(days=7)).isoformat()]]}
    # The risky one was already high (inspected first); the good one only reaches medium.
    assert result["workload"]["newly_first_by_area"] == {}
    # Both are due within 30 days afterwards; before, only the risky one (7 days from ON).
    assert result["workload"]["due_soon_after"] >= result["workload"]["due_soon_before"]
    assert _stored_rows() == before


def test_a_child_area_with_its_own_level_keeps_it(ctx, world):
    tenant = world.a
    build(tenant)
    from riskapp.models import AreaLevel

    # The commune gets its own level 1: the district's 4 does not reach it.
    db.session.add(AreaLevel(area_id=tenant.commune.id, level=1, effective_from=date(2022, 1, 1)))
    db.session.commit()
    preview = services.start_level_preview(tenant.province.id, tenant.district, 4, ON,
                                           tenant.admin)
    result = _run(preview.id).result
    assert result["replayed"] == 2
    assert sum(result["matrix"][r][r] for r in range(5)) == 2  # nothing moves


def test_whole_province_level(ctx, world):
    tenant = world.a
    build(tenant)
    db.session.commit()
    preview = services.start_level_preview(tenant.province.id, None, 4, ON, tenant.admin)
    result = _run(preview.id).result
    assert result["replayed"] == 3
    assert result["suspensions"]["new"] == 1


def test_checklist_version_change(ctx, world):
    """A version without MSK-1: the risky enterprise's failing answer is gone (unanswered items
    are not counted), so it is no longer high."""
    tenant = world.a
    built = build(tenant)
    db.session.commit()
    before = _stored_rows()
    source = factories.checklist_source(7)
    checklist = versions.parse_upload(source.encode(), "v7.yaml")
    assert "MSK-1" in {item.id for item in checklist.items}
    from riskapp import checklists

    version = checklists.register(checklist, province_id=tenant.province.id)
    db.session.commit()
    preview = services.start_checklist_preview(tenant.province.id, version, ON, tenant.admin)
    result = _run(preview.id).result
    assert result["replayed"] == 3
    # The same definition under another number grades the same: the diagonal only.
    assert sum(result["matrix"][r][r] for r in range(5)) == 3
    assert _stored_rows() == before
    assert RISKY["MSK-1"] == "no" and built.risky is not None


def test_checklist_without_an_item_leaves_it_unanswered():
    """Answers to items the checklist lacks are dropped; an item left unanswered is not counted
    (the engine's replay, pure)."""
    from riskapp.impact.replay import _replayed
    from riskapp.scoring import Context, coerce_answers, get_checklist

    checklist = get_checklist()
    answers = coerce_answers(checklist, RISKY)
    without = {k: v for k, v in answers.items() if k != "MSK-1"}
    graded = _replayed(checklist, Context(area_level=1), {"OLD-9": "yes", **without}, ON)
    assert graded.grade.value != "high"  # MSK-1's failure is not counted any more



def test_replay_grade_agrees_with_the_full_replay():
    """The lean grading the preview uses gives the full Result's grade, decision and due date."""
    from riskapp.scoring import Context, coerce_answers, get_checklist, replay, replay_grade

    checklist = get_checklist()
    flips = [{}, {"MSK-1": "no"}, {"SCR-1": "none"}, {"VEN-1": "none", "HYG-1": "no"},
             {"MSK-1": "no", "SCR-1": "none", "ORG-1": "no"}, {"SCR-5": "na"}]
    for flip in flips:
        answers = coerce_answers(checklist, {**RISKY, **flip})
        for level in (1, 2, 3, 4):
            for canteen in (False, True):
                ctx = Context(area_level=level, has_canteen=canteen)
                full = replay(checklist, ctx, answers, ON)
                lean = replay_grade(checklist, ctx, answers, ON)
                assert (lean.grade, lean.decision, lean.next_assessment_due_on) == (
                    full.grade, full.decision, full.next_assessment_due_on)


def test_progress_after_every_batch(ctx, world, monkeypatch):
    from riskapp.impact import replay

    tenant = world.a
    build(tenant)
    db.session.commit()
    monkeypatch.setattr(replay, "BATCH", 1)
    preview = services.start_level_preview(tenant.province.id, None, 2, ON, tenant.admin)
    db.session.flush()
    seen = []
    tally = replay.run(services.plan_of(preview), ON, seen.append)
    assert seen == [1, 2, 3] and tally.replayed == 3
