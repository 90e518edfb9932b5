"""Transparency test helpers: a logged report, a published head, forged heads."""

from __future__ import annotations

import json
from datetime import date

from riskapp.db import db
from riskapp.reports import keys
from riskapp.transparency import heads, services
from tests.audit.support import report_row, submitted


def logged_report(app, world, on: date = date(2026, 1, 15), **changes):
    """A submitted assessment's report (rendered and logged inline), as report_row gives it."""
    return report_row(app, submitted(app, world.a.enterprise, world.a.officer, on=on, **changes))


def publish(app) -> dict:
    with app.app_context():
        head, _created = services.publish()
        db.session.commit()
        return services.as_head(head).to_json()


def signed_head(app, tree_size: int, root: bytes, key=None) -> dict:
    """A head signed with the server's key (or `key`) over any size and root: a forger's."""
    with app.app_context():
        signer = key or keys.current_private_key()
        return heads.sign_head(signer, tree_size, 1_800_000_000_000, root).to_json()


def save(path, document) -> str:
    path.write_text(json.dumps(document))
    return str(path)
