"""The detectors over the database: what each flags, with what reason, and never twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from riskapp.db import db
from riskapp.forensics import services
from riskapp.models import Assessment, Enterprise, Evidence, ForensicFlag, Role
from tests import factories
from tests.forensics.conftest import submit_with_photos
from tests.forensics.images import cropped, jpeg, reencoded, resized, scene


def _row(enterprise) -> Enterprise:
    """The enterprise in this test's session (the world's objects are detached)."""
    return db.session.get(Enterprise, enterprise.id)


def _flags(kind=None):
    statement = select(ForensicFlag).order_by(ForensicFlag.id)
    if kind:
        statement = statement.where(ForensicFlag.kind == kind)
    return db.session.scalars(statement).all()


def test_a_photo_reused_by_another_enterprise_is_flagged_with_both_evidence_ids(world, ctx):
    a = world.a
    photo = scene(11)
    first = submit_with_photos(a.enterprise, a.officer, [jpeg(photo)])
    other_officer = factories.make_user("officer-xm@example.vn", Role.OFFICER,
                                        enterprise=a.enterprise_elsewhere)
    copy = resized(reencoded(cropped(photo, 0.015)))
    second = submit_with_photos(a.enterprise_elsewhere, other_officer,
                                [jpeg(copy), jpeg(scene(12))])
    services.scan_assessment(second)
    [flag] = _flags("photo_reuse")
    earlier = db.session.scalar(select(Evidence).where(Evidence.assessment_id == first.id))
    later = db.session.scalar(select(Evidence).where(Evidence.assessment_id == second.id)
                              .order_by(Evidence.id))
    assert (flag.assessment_id, flag.enterprise_id) == (second.id, a.enterprise_elsewhere.id)
    assert flag.reason["evidence_id"] == later.id
    assert flag.reason["other_evidence_id"] == earlier.id
    assert flag.reason["other_enterprise_id"] == a.enterprise.id
    assert flag.reason["same_enterprise"] is False
    assert flag.reason["distance"] <= 6
    assert earlier.sha256 != later.sha256  # not the same bytes: only the picture matched


def test_a_photo_reused_in_a_later_round_of_the_same_enterprise_is_flagged(world, ctx):
    a = world.a
    photo = jpeg(scene(21))
    first = submit_with_photos(a.enterprise, a.officer, [photo])
    second = submit_with_photos(a.enterprise, a.officer, [photo])
    services.scan_assessment(second)
    [flag] = _flags("photo_reuse")
    assert flag.assessment_id == second.id
    assert flag.reason["same_enterprise"] is True
    assert flag.reason["other_assessment_id"] == first.id
    assert flag.reason["distance"] == 0


def test_different_photos_and_flat_pictures_are_not_flagged(world, ctx):
    from tests.evidence.support import jpeg_bytes

    a = world.a
    submit_with_photos(a.enterprise, a.officer, [jpeg(scene(31)), jpeg_bytes()])
    second = submit_with_photos(a.enterprise, a.officer, [jpeg(scene(32)), jpeg_bytes()])
    services.scan_assessment(second)
    assert _flags("photo_reuse") == []


def test_a_draft_photo_is_never_compared(world, ctx):
    from riskapp.assessments import services as assessment_services
    from riskapp.evidence import services as evidence_services

    a = world.a
    photo = jpeg(scene(41))
    draft = assessment_services.start_draft(a.enterprise_elsewhere, a.officer)
    evidence_services.store_evidence(draft, "ORG-2", evidence_services.Upload("x.jpg", photo))
    submitted = submit_with_photos(a.enterprise, a.officer, [photo])
    services.scan_assessment(submitted)
    assert _flags("photo_reuse") == []


DISTINCT = {**factories.ANSWERS, "CTX-1": "240", "CTX-2": "3100", "HYG-2": "85", "VAC-1": "77"}


def test_identical_answers_of_two_enterprises_are_flagged(world, ctx):
    a = world.a
    _row(a.enterprise_elsewhere).has_canteen = True  # the same items apply to both
    first = submit_with_photos(a.enterprise, a.officer, answers=DISTINCT)
    second = submit_with_photos(a.enterprise_elsewhere, a.officer, answers=DISTINCT)
    services.scan_assessment(first)
    services.scan_assessment(second)
    [flag] = _flags("identical_answers")
    assert (flag.assessment_id, flag.reason["other_assessment_id"]) == (second.id, first.id)
    assert flag.reason["other_enterprise_id"] == a.enterprise.id
    assert set(flag.reason["distinctive_items"]) >= {"CTX-1", "CTX-2", "HYG-2", "VAC-1"}
    assert first.answers_hash == second.answers_hash is not None


def test_identical_answers_without_enough_uncommon_numbers_are_not_flagged(world, ctx):
    a = world.a
    # No shuttle, no dormitory: only the head-count and the floor area are uncommon numbers.
    plain = {key: value for key, value in factories.ANSWERS.items()
             if not key.startswith(("TRN-", "DRM-"))}
    plain.update({"HYG-2": "100", "VAC-1": "100"})
    submit_with_photos(a.enterprise, a.officer, answers=plain)
    second = submit_with_photos(a.enterprise_elsewhere, a.officer, answers=plain)
    services.scan_assessment(second)
    assert _flags("identical_answers") == []


def test_same_answers_twice_by_one_enterprise_are_not_flagged(world, ctx):
    a = world.a
    submit_with_photos(a.enterprise, a.officer, answers=DISTINCT)
    second = submit_with_photos(a.enterprise, a.officer, answers=DISTINCT)
    services.scan_assessment(second)
    assert _flags("identical_answers") == []


def test_implausible_answers_are_flagged_with_the_rule_and_values(world, ctx):
    a = world.a
    _row(a.enterprise).headcount = 100  # 250 on site is 2.5 × the register
    crowded = {**factories.ANSWERS, "CTX-1": "250", "CTX-2": "100"}
    submitted = submit_with_photos(a.enterprise, a.officer, answers=crowded)
    services.scan_assessment(submitted)
    reasons = {flag.key: flag.reason for flag in _flags("implausible")}
    assert set(reasons) == {"floor_per_worker_low", "workers_above_headcount"}
    assert reasons["floor_per_worker_low"]["m2_per_worker"] == 0.4
    assert reasons["workers_above_headcount"]["headcount"] == 100


def test_a_web_form_sent_too_fast_is_flagged_and_an_api_one_is_not(world, ctx):
    a = world.a
    fast = submit_with_photos(a.enterprise, a.officer)
    fast.submitted_via = "web"
    services.scan_assessment(fast)
    [flag] = _flags("too_fast")
    assert flag.reason["answered"] == len(fast.answers)
    assert flag.reason["seconds"] < flag.reason["min_seconds"]
    # submitted_via stays None: the API and imports
    api = submit_with_photos(a.enterprise_elsewhere, a.officer)
    services.scan_assessment(api)
    assert len(_flags("too_fast")) == 1


def test_a_web_form_that_took_its_time_is_not_flagged(world, ctx):
    a = world.a
    slow = submit_with_photos(a.enterprise, a.officer)
    slow.submitted_via = "web"
    slow.created_at = slow.submitted_at - timedelta(minutes=5)
    services.scan_assessment(slow)
    assert _flags("too_fast") == []


def test_rerunning_the_scan_adds_no_duplicates(world, ctx):
    a = world.a
    _row(a.enterprise).headcount = 10_000
    _row(a.enterprise_elsewhere).has_canteen = True
    photo = jpeg(scene(51))
    submit_with_photos(a.enterprise, a.officer, [photo], answers=DISTINCT)
    second = submit_with_photos(a.enterprise_elsewhere, a.officer, [photo], answers=DISTINCT)
    second.submitted_via = "web"
    first_run = services.scan_province(a.province.id)
    total = db.session.scalar(select(func.count()).select_from(ForensicFlag))
    assert total >= 4 and first_run["photo_reuse"] == 1
    services.scan_province(a.province.id)
    services.scan_assessment(second)
    assert db.session.scalar(select(func.count()).select_from(ForensicFlag)) == total


def test_the_submit_queues_the_scan(app, world, ctx, held_work):
    app.config["FORENSICS_ON_SUBMIT"] = True
    submitted = submit_with_photos(world.a.enterprise, world.a.officer)
    db.session.commit()
    assert (services.SCAN_TASK, (submitted.id,)) in held_work.tasks()


def test_backfill_hashes_photos_stored_before_hashes(world, ctx):
    a = world.a
    submitted = submit_with_photos(a.enterprise, a.officer, [jpeg(scene(61))])
    evidence = db.session.scalar(select(Evidence).where(Evidence.assessment_id == submitted.id))
    expected, evidence.phash = evidence.phash, None
    db.session.commit()  # the files take their names with the commit
    assert services.backfill_hashes()[1] == 1
    assert db.session.get(Evidence, evidence.id).phash == expected
    assert services.backfill_hashes(after_id=evidence.id) == (0, 0)


def test_open_flag_kinds_per_enterprise(world, ctx):
    a = world.a
    _row(a.enterprise).headcount = 10_000
    photo = jpeg(scene(71))
    submit_with_photos(a.enterprise, a.officer, [photo])
    submit_with_photos(a.enterprise_elsewhere, a.officer, [photo])
    services.scan_province(a.province.id)
    kinds = services.open_flag_kinds(a.province.id)
    assert kinds[a.enterprise.id] == ("implausible",)
    assert kinds[a.enterprise_elsewhere.id] == ("photo_reuse",)
    assert services.open_flag_kinds(world.b.province.id) == {}
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 2
