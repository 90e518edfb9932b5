"""Bearer tokens for API tests."""

from __future__ import annotations

from riskapp.api import tokens
from riskapp.db import db

ALL_SCOPES = tuple(tokens.SCOPES)


def make_token(app, user, scopes=ALL_SCOPES, days: int | None = 90) -> str:
    """A token for the user with the scopes its role may have (committed)."""
    with app.app_context():
        from riskapp.models import User

        row = db.session.get(User, user.id)
        wanted = [s for s in scopes if s in tokens.scopes_for(row.role)]
        created = tokens.create_token(row, "test", wanted, days)
        db.session.commit()
        return created.secret


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
