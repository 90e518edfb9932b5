"""What one leaf says, per kind (docs/METHODS.md "Transparency log"): ids, codes, hashes, dates,
grades and levels; never a name or an e-mail address. Plain values in, a JSON object out."""

from __future__ import annotations

from datetime import UTC, date, datetime

from riskapp.reports.signing import canonical_json

FORMAT = 1
REPORT, AREA_LEVEL, CHECKLIST_ACTIVATION, REVIEW, AUDIT_CHECKPOINT = (
    "report", "area_level", "checklist_activation", "review", "audit_checkpoint")
KINDS = (REPORT, AREA_LEVEL, CHECKLIST_ACTIVATION, REVIEW, AUDIT_CHECKPOINT)


def utc_text(moment: datetime) -> str:
    """'2026-12-08T02:15:09.123456Z': the stored UTC instant, one spelling."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode(kind: str, fields: dict) -> bytes:
    """The leaf input: canonical JSON (sorted keys, no spaces, UTF-8) with kind and format."""
    if kind not in KINDS:
        raise ValueError(f"unknown leaf kind {kind!r}")
    return canonical_json({"kind": kind, "v": FORMAT, **fields})


def report_fields(*, report_id: str, verification_code: str, sha256: str, key_id: str,
                  generated_at: datetime, lang: str) -> dict:
    return {"report_id": report_id, "verification_code": verification_code, "sha256": sha256,
            "key_id": key_id, "generated_at": utc_text(generated_at), "lang": lang}


def area_level_fields(*, area_level_id: int, area_id: int, area_code: str | None,
                      province_id: int, level: int, effective_from: date,
                      decided_at: datetime) -> dict:
    return {"area_level_id": area_level_id, "area_id": area_id, "area_code": area_code,
            "province_id": province_id, "level": level,
            "effective_from": effective_from.isoformat(), "decided_at": utc_text(decided_at)}


def activation_fields(*, activation_id: int, province_id: int, checklist_key: str,
                      checklist_version: int, fingerprint: str, active_from: date,
                      decided_at: datetime) -> dict:
    return {"activation_id": activation_id, "province_id": province_id,
            "checklist_key": checklist_key, "checklist_version": checklist_version,
            "fingerprint": fingerprint, "active_from": active_from.isoformat(),
            "decided_at": utc_text(decided_at)}


def review_fields(*, review_id: int, assessment_id: int, province_id: int, decision: str,
                  automatic: bool, grade: str | None, decided_at: datetime) -> dict:
    return {"review_id": review_id, "assessment_id": assessment_id, "province_id": province_id,
            "decision": decision, "automatic": automatic, "grade": grade,
            "decided_at": utc_text(decided_at)}


def audit_checkpoint_fields(*, last_id: int, last_hash: str) -> dict:
    """The audit log's chain as it stood at a publication: its last entry and that entry's hash."""
    return {"last_id": last_id, "last_hash": last_hash}
