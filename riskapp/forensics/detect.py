"""The detectors over the database: each finds its signals and records them as flags.

Flags are inserted with ON CONFLICT DO NOTHING on (assessment, kind, key), so running a detector
again records nothing new. Only submitted assessments and their officer's evidence are read (a
draft is its enterprise's own; an auditor's finding photos are not the enterprise's claims).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from riskapp.db import db
from riskapp.forensics import answers as answer_sets
from riskapp.forensics import phash, rules, timing
from riskapp.models import GRADED_STATUSES, Assessment, Enterprise, Evidence, ForensicFlag
from riskapp.models.forensics import OPEN
from riskapp.models.types import utcnow

PHOTO_REUSE, IDENTICAL_ANSWERS, IMPLAUSIBLE, TOO_FAST = (
    "photo_reuse", "identical_answers", "implausible", "too_fast")
WEB = "web"


def add_flag(assessment: Assessment, kind: str, key: str, reason: dict) -> bool:
    """Record one flag unless the same (assessment, kind, key) exists; True when added."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    added = db.session.execute(
        insert(ForensicFlag).values(
            province_id=assessment.province_id, enterprise_id=assessment.enterprise_id,
            assessment_id=assessment.id, kind=kind, key=key[:120], reason=reason,
            status=OPEN, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["assessment_id", "kind", "key"])
        .returning(ForensicFlag.id)
    ).scalar()
    return added is not None


# --------------------------------------------------------------------------- photo reuse


def _photo_rows(province_id: int):
    """(evidence id, hash, enterprise, assessment) of the province's submitted photos."""
    return db.session.execute(
        select(Evidence.id, Evidence.phash, Evidence.enterprise_id, Evidence.assessment_id)
        .join(Assessment, Assessment.id == Evidence.assessment_id)
        .where(Evidence.province_id == province_id, Evidence.phash.is_not(None),
               Evidence.finding_id.is_(None), Assessment.status.in_(GRADED_STATUSES))
        .order_by(Evidence.id)
    ).all()


def _flag_reuse(pair_rows, gap: int) -> bool:
    """Flag the later upload's assessment: it reuses the earlier photo."""
    earlier, later = sorted(pair_rows, key=lambda row: row.id)
    if earlier.assessment_id == later.assessment_id:
        return False  # the same photo twice on one form is not a claim about another site
    assessment = db.session.get(Assessment, later.assessment_id)
    reason = {"evidence_id": later.id, "other_evidence_id": earlier.id,
              "other_enterprise_id": earlier.enterprise_id,
              "other_assessment_id": earlier.assessment_id, "distance": gap,
              "max_distance": phash.MATCH_DISTANCE,
              "same_enterprise": earlier.enterprise_id == later.enterprise_id}
    return add_flag(assessment, PHOTO_REUSE, f"photo:{later.id}:{earlier.id}", reason)


def detect_photo_reuse(province_id: int, assessment_id: int | None = None) -> int:
    """Flag near-identical photos across enterprises or assessments (one assessment's photos
    against the province's, or every pair of the province); how many flags were added."""
    rows = [row for row in _photo_rows(province_id)
            if phash.is_informative(int(row.phash, 16))]
    by_id = {row.id: row for row in rows}
    if assessment_id is None:
        pairs = phash.pairs_within((row.id, int(row.phash, 16)) for row in rows)
    else:
        # A few photos against the province: a linear scan (~13 ms per photo at 100,000) costs
        # less than building the band index (~1 s) for them.
        hashes = [(row.id, int(row.phash, 16)) for row in rows]
        pairs = [(own_id, other_id, gap)
                 for own_id, own_hash in hashes if by_id[own_id].assessment_id == assessment_id
                 for other_id, other_hash in hashes
                 if other_id != own_id
                 and (gap := phash.distance(own_hash, other_hash)) <= phash.MATCH_DISTANCE]
    return sum(_flag_reuse((by_id[a], by_id[b]), gap) for a, b, gap in pairs)


# --------------------------------------------------------------------------- identical answers


def store_answers_hash(assessment: Assessment) -> str:
    if assessment.answers_hash is None:
        assessment.answers_hash = answer_sets.answers_hash(assessment.answers or {})
    return assessment.answers_hash


def _flag_identical(later: Assessment, earlier: Assessment) -> bool:
    reason = {"other_assessment_id": earlier.id, "other_enterprise_id": earlier.enterprise_id,
              "distinctive_items": list(answer_sets.distinctive_numbers(later.answers or {})),
              "answered": len(later.answers or {})}
    return add_flag(later, IDENTICAL_ANSWERS, f"answers:{earlier.id}", reason)


def _same_answer_groups(province_id: int, answers_hash: str | None):
    statement = (select(Assessment).where(Assessment.province_id == province_id,
                                          Assessment.status.in_(GRADED_STATUSES),
                                          Assessment.answers_hash.is_not(None))
                 .order_by(Assessment.id))
    if answers_hash is not None:
        statement = statement.where(Assessment.answers_hash == answers_hash)
    groups = defaultdict(list)
    for row in db.session.scalars(statement):
        groups[row.answers_hash].append(row)
    return groups.values()


def detect_identical_answers(province_id: int, answers_hash: str | None = None) -> int:
    """Flag assessments whose full answer set equals an earlier one of another enterprise;
    only sets with enough uncommon numbers (answers.is_distinctive)."""
    added = 0
    for group in _same_answer_groups(province_id, answers_hash):
        if len(group) < 2 or not answer_sets.is_distinctive(group[0].answers or {}):
            continue
        for position, later in enumerate(group):
            for earlier in group[:position]:
                if earlier.enterprise_id != later.enterprise_id:
                    added += _flag_identical(later, earlier)
    return added


# --------------------------------------------------------------------------- one assessment


def detect_implausible(assessment: Assessment) -> int:
    headcount = db.session.scalar(select(Enterprise.headcount)
                                  .where(Enterprise.id == assessment.enterprise_id))
    facts = rules.Facts(assessment.answers or {}, assessment.context or {}, headcount)
    return sum(add_flag(assessment, IMPLAUSIBLE, breach.rule,
                        {"rule": breach.rule, **breach.values})
               for breach in rules.breaches(facts))


def detect_too_fast(assessment: Assessment) -> int:
    """Web submissions only: the API and imports have no time spent on a form."""
    if assessment.submitted_via != WEB or assessment.submitted_at is None:
        return 0
    found = timing.too_fast(timing.Timing(assessment.created_at, assessment.submitted_at,
                                          len(assessment.answers or {})))
    return 0 if found is None else add_flag(assessment, TOO_FAST, "submit", found)
