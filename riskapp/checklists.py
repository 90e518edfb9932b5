"""Checklist versions in the database: registering the shipped ones, activation, loading."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import ChecklistActivation, ChecklistVersion
from riskapp.scoring import DEFAULT_CHECKLIST_ID, Checklist, checklist_from_text, get_checklist

# Parsed checklists by (row id, fingerprint): a stored version never changes, so its text (a
# deferred column, ~34 KB) is read from the database only the first time a process needs it.
_PARSED: dict[tuple[int, str], Checklist] = {}
_PARSED_LIMIT = 64


def definition(version: ChecklistVersion) -> Checklist:
    """The engine's checklist for a stored version (parsed once per process)."""
    key = (version.id, version.fingerprint)
    checklist = _PARSED.get(key)
    if checklist is None:
        checklist = checklist_from_text(version.source_text, source=version.fingerprint[:12])
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()  # many versions in one process is rare: start over, stay bounded
        _PARSED[key] = checklist
    return checklist


def register(checklist: Checklist, created_by_id: int | None = None) -> ChecklistVersion:
    """Store a checklist version once; the same id and version is never stored twice."""
    existing = db.session.scalar(
        select(ChecklistVersion).where(
            ChecklistVersion.checklist_key == checklist.id,
            ChecklistVersion.version == checklist.version,
        )
    )
    if existing is not None:
        return existing
    row = ChecklistVersion(
        checklist_key=checklist.id,
        version=checklist.version,
        fingerprint=checklist.fingerprint,
        title_vi=checklist.title.vi,
        title_en=checklist.title.en,
        source_text=checklist.source_text,
        created_by_id=created_by_id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def default_version() -> ChecklistVersion:
    """The shipped default checklist's row, registered on first use."""
    return register(get_checklist(DEFAULT_CHECKLIST_ID))


def activate(version: ChecklistVersion, province_id: int, active_from: date,
             user=None) -> ChecklistActivation:
    """Make a version the province's checklist from a date (the audit log says who)."""
    activation = ChecklistActivation(
        province_id=province_id,
        checklist_version_id=version.id,
        active_from=active_from,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(activation)
    db.session.flush()
    record(
        "checklist_activated",
        activation,
        details={"key": version.checklist_key,
                                          "version": version.version,
                                          "active_from": active_from.isoformat()},
        user=user,
    )
    return activation


def active_version(province_id: int, on: date | None = None) -> ChecklistVersion:
    """The version a province uses on a date: its latest activation, else the shipped default."""
    on = on or date.today()
    activation = db.session.scalar(
        select(ChecklistActivation)
        .where(
            ChecklistActivation.province_id == province_id, ChecklistActivation.active_from <= on
        )
        .order_by(ChecklistActivation.active_from.desc(), ChecklistActivation.id.desc())
        .limit(1)
    )
    if activation is not None:
        return activation.checklist_version
    return default_version()

