"""Checklist versions in the database: registering the shipped ones, activation, loading."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from riskapp import territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import ChecklistActivation, ChecklistVersion
from riskapp.scoring import DEFAULT_CHECKLIST_ID, Checklist, checklist_from_text, get_checklist
from riskapp.scoring.loader import shipped_checklists
from riskapp.tenancy import province_scope, scoped
from riskapp.transparency import services as transparency_log

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


def stored_version(key: str, version: int, province_id: int | None) -> ChecklistVersion | None:
    """The stored version a province means by key and version: a shipped one, or its own upload
    (never another province's); without a province, only a shipped one."""
    return db.session.scalar(scoped(
        select(ChecklistVersion).where(ChecklistVersion.checklist_key == key,
                                       ChecklistVersion.version == version),
        ChecklistVersion, province_scope(province_id)))


def register(checklist: Checklist, created_by_id: int | None = None,
             province_id: int | None = None) -> ChecklistVersion:
    """Store a checklist version once: shipped (no province), or as the province's upload; the
    same id and version is never stored twice for one province."""
    existing = stored_version(checklist.id, checklist.version, province_id)
    if existing is not None:
        return existing
    row = ChecklistVersion(
        province_id=province_id,
        checklist_key=checklist.id,
        version=checklist.version,
        fingerprint=checklist.fingerprint,
        title_vi=checklist.title.vi,
        title_en=checklist.title.en,
        source_text=checklist.source_text,
        created_by_id=created_by_id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # A parallel request registered it first (the shipped default, on first use).
        existing = stored_version(checklist.id, checklist.version, province_id)
        if existing is None:
            raise
        return existing
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
    transparency_log.log_activation(activation, version)
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
    on = on or territory.province_today(province_id)
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


def catalogue(province_id: int | None) -> dict[tuple[str, int], dict]:
    """The shipped checklists and the versions a province activated, by (key, version); entries
    carry the engine's checklist (`_engine`) or the stored row (`_row`)."""
    today = territory.province_today(province_id)
    visible: dict[tuple[str, int], dict] = {}
    for shipped in shipped_checklists():
        visible[(shipped.id, shipped.version)] = {
            "key": shipped.id, "version": shipped.version,
            "title": shipped.title.to_dict(), "fingerprint": shipped.fingerprint,
            "shipped": True, "active_from": None, "active": False, "_engine": shipped,
        }
    if province_id is None:
        return visible
    # Without an activation a province uses the shipped default.
    active = active_version(province_id, today)
    for activation in db.session.scalars(
        select(ChecklistActivation).where(ChecklistActivation.province_id == province_id)
        .order_by(ChecklistActivation.active_from, ChecklistActivation.id)
    ):
        version = activation.checklist_version
        entry = visible.setdefault((version.checklist_key, version.version), {
            "key": version.checklist_key, "version": version.version,
            "title": {"vi": version.title_vi, "en": version.title_en},
            "fingerprint": version.fingerprint, "shipped": False, "active": False,
        })
        entry["active_from"] = activation.active_from.isoformat()
        entry["_row"] = version
    entry = visible.get((active.checklist_key, active.version))
    if entry is not None:
        entry["active"] = True
    return visible
