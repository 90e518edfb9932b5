"""Personal API tokens: created once (only the sha256 is kept), scoped, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from riskapp.auditlog import record
from riskapp.db import db
from riskapp.models import ApiToken, Role, User
from riskapp.models.types import utcnow
from riskapp.tenancy import owned

TOKEN_PREFIX = "rk"  # nosec B105 # a public label in front of tokens, not a secret
# What each scope lets a token do; the role still decides what the user may reach.
SCOPES = {
    "read": _l("Read enterprises, checklists, assessments and actions"),
    "write": _l("Start, edit and submit assessments; update actions"),
    "reports": _l("Download report PDFs"),
    "province": _l("Read province aggregates"),
}
SCOPES_BY_ROLE = {
    Role.OFFICER: ("read", "write", "reports"),
    Role.AUDITOR: ("read", "reports", "province"),
    Role.AREA_VIEWER: ("read", "reports", "province"),
    Role.AREA_ADMIN: ("read", "reports", "province"),
    Role.PROVINCE_VIEWER: ("read", "reports", "province"),
    Role.PROVINCE_ADMIN: ("read", "reports", "province"),
    Role.PLATFORM_ADMIN: ("read",),
}
# last_used_at is written at most this often per token, outside the request's transaction.
LAST_USED_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class NewToken:
    row: ApiToken
    secret: str  # the whole token, shown once and never stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def scopes_for(role: Role) -> tuple[str, ...]:
    return SCOPES_BY_ROLE.get(role, ())


def create_token(user: User, name: str, scopes, expires_in_days: int | None = 90) -> NewToken:
    """A new token `rk_<prefix>_<secret>`; scopes the role cannot use are dropped."""
    allowed = scopes_for(user.role)
    chosen = [scope for scope in allowed if scope in set(scopes or ())]
    if not chosen:
        raise ValueError("a token needs at least one scope")
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    row = ApiToken(user_id=user.id, name=name.strip()[:120], prefix=prefix,
                   token_hash=hash_token(token), scopes=chosen, expires_at=expires_at)
    db.session.add(row)
    db.session.flush()
    record("api_token_created", row, details={"name": row.name, "scopes": chosen}, user=user)
    return NewToken(row, token)


def own_tokens() -> list[ApiToken]:
    """The logged-in user's tokens, usable ones first, newest first."""
    return list(db.session.scalars(
        owned(select(ApiToken), ApiToken)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def revoke_token(token: ApiToken, user: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        record("api_token_revoked", token, details={"name": token.name}, user=user)
    return token


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def is_usable(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    expires = _aware(token.expires_at)
    return token.revoked_at is None and (expires is None or expires > now)


def find_token(raw: str) -> ApiToken | None:
    """The usable token for a presented secret, whose user is still active, else None."""
    parts = raw.split("_")
    if len(parts) < 3 or parts[0] != TOKEN_PREFIX or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None or not is_usable(token) or not token.user.is_active:
        return None
    return token


def bearer_token() -> ApiToken | None:
    """The token presented on this request (`Authorization: Bearer …`), looked up once."""
    if "api_token" not in g:
        scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
        g.api_token = find_token(raw.strip()) if scheme.lower() == "bearer" and raw else None
    return g.api_token


def touch(token: ApiToken) -> None:
    """Record the use in its own short transaction, at most once per LAST_USED_RESOLUTION."""
    now = utcnow()
    last = _aware(token.last_used_at)
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    with db.new_session() as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == token.id,
                   or_(ApiToken.last_used_at.is_(None),
                       ApiToken.last_used_at < now - LAST_USED_RESOLUTION))
            .values(last_used_at=now)
        )
        session.commit()
