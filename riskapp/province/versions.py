"""Checklist versions for a province: upload (validated by the engine), activation from a date."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from riskapp import checklists
from riskapp.db import db
from riskapp.models import ChecklistActivation, ChecklistVersion
from riskapp.scoring import ChecklistError, checklist_from_text
from riskapp.tenancy import scoped


class ChecklistRejected(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_upload(data: bytes, filename: str):
    """The engine's checklist from an uploaded file, or ChecklistRejected with every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ChecklistRejected([_("The file is not UTF-8 text.")]) from error
    try:
        return checklist_from_text(text, source=filename or "upload")
    except ChecklistError as error:
        raise ChecklistRejected([str(p) for p in error.problems] or [str(error)]) from error


def upload_and_activate(data: bytes, filename: str, province_id: int, active_from: date,
                        user) -> ChecklistActivation:
    """Store a new checklist version (or reuse an identical one) and activate it from a date."""
    version = upload(data, filename, province_id, user)
    return checklists.activate(version, province_id, active_from, user)


def upload(data: bytes, filename: str, province_id: int, user) -> ChecklistVersion:
    """Store a new checklist version (or reuse an identical one) without activating it."""
    checklist = parse_upload(data, filename)
    # Only a shipped version or the province's own can be in the way: another province's
    # uploads are theirs, and nothing here may tell that they exist.
    existing = checklists.stored_version(checklist.id, checklist.version, province_id)
    if existing is not None and existing.fingerprint != checklist.fingerprint:
        raise ChecklistRejected([
            _("Version %(version)d of “%(key)s” already exists with a different definition: "
              "raise the version number.", version=checklist.version, key=checklist.id)
        ])
    return checklists.register(checklist, created_by_id=getattr(user, "id", None),
                               province_id=province_id)


def activations(province_id: int) -> list[ChecklistActivation]:
    return list(db.session.scalars(
        select(ChecklistActivation).where(ChecklistActivation.province_id == province_id)
        .order_by(ChecklistActivation.active_from.desc(), ChecklistActivation.id.desc())
    ))


def all_versions() -> list[ChecklistVersion]:
    """The versions the province may activate: the shipped ones and its own uploads."""
    return list(db.session.scalars(scoped(
        select(ChecklistVersion).order_by(ChecklistVersion.checklist_key,
                                          ChecklistVersion.version.desc()),
        ChecklistVersion)))
