"""The phone finding form's extras: the browser-made id that makes a resent finding one finding,
the place and time stamp (only what the auditor allowed the browser to give), and its photos.

Services flush, never commit; the finding itself is recorded by services.record_finding."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from riskapp.db import db
from riskapp.evidence import services as evidence
from riskapp.models import Assessment, Finding, User
from riskapp.models.types import utcnow
from riskapp.tenancy import owned

CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{8,40}$")
PHOTO_ITEM = "finding"
MAX_PHOTOS = evidence.MAX_FILES_PER_ANSWER
# A phone's clock may run a little ahead; an observation further in the future is refused.
CLOCK_SKEW = timedelta(minutes=10)


def client_id(raw: str | None) -> str | None:
    """The browser's id of the finding, when it is one (letters, digits, dashes)."""
    value = (raw or "").strip()
    return value if CLIENT_ID.match(value) else None


def _number(raw: str | None, low: float, high: float) -> float | None:
    try:
        value = float((raw or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and low <= value <= high else None


def _moment(raw: str | None) -> datetime | None:
    """An ISO 8601 time with its offset (what the browser's toISOString() gives), in UTC."""
    try:
        moment = datetime.fromisoformat((raw or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None or moment > utcnow() + CLOCK_SKEW:
        return None
    return moment.astimezone(UTC)


def stamp(form) -> dict:
    """The finding's columns from the posted form: client id, and latitude, longitude and
    accuracy only as a whole (a position without one of them is not kept)."""
    latitude = _number(form.get("latitude"), -90, 90)
    longitude = _number(form.get("longitude"), -180, 180)
    accuracy = _number(form.get("accuracy_m"), 0, 100_000)
    placed = None not in (latitude, longitude, accuracy)
    return {
        "client_id": client_id(form.get("client_id")),
        "latitude": latitude if placed else None,
        "longitude": longitude if placed else None,
        "accuracy_m": accuracy if placed else None,
        "observed_at": _moment(form.get("observed_at")),
    }


def already_recorded(client: str | None) -> Finding | None:
    """The finding the logged-in user already sent under this id (a retried send), if any:
    their own findings (tenancy.owned), as the unique index uq_finding_client keeps them."""
    if client is None:
        return None
    return db.session.scalar(owned(select(Finding).where(Finding.client_id == client), Finding))


def attach_photos(finding: Finding, assessment: Assessment, uploads: list[evidence.Upload],
                  user: User) -> list[str]:
    """Store the finding's photos through the evidence rules (content checked, EXIF dropped);
    returns one message per photo refused (the finding is kept either way)."""
    refused = []
    for upload in uploads[:MAX_PHOTOS]:
        try:
            evidence.store_evidence(assessment, PHOTO_ITEM, upload, user, finding_id=finding.id)
        except evidence.EvidenceRefused as problem:
            refused.append(str(problem))
    return refused
