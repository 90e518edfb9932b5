"""Extension objects, created unbound and initialised by the app factory."""

from __future__ import annotations

from flask import current_app, g
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf import CSRFProtect

babel = Babel()
# The province figures (riskapp/province/cache.py): Redis at REDIS_URL, else in-process.
cache = Cache(with_jinja2_ext=False)
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def costly_limit() -> str:
    """The rate limit of report rendering and exports (COSTLY_RATE_LIMIT)."""
    return current_app.config["COSTLY_RATE_LIMIT"]


def user_or_address() -> str:
    """Rate-limit key: the logged-in user (many share one office address), else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def costs_work(response) -> bool:
    """Did this request cost the shared worker anything: a file delivered, or work queued
    (riskapp.jobs marks the request)? Waiting on work already queued costs nothing."""
    return response.status_code == 200 or g.get("queued_background_work", False)


def report_pdf_limit(key_func=user_or_address, **options):
    """The costly-work limit of report PDFs: one bucket per user, shared by the web's download
    and the API's (each first request of a report queues a render on the shared worker)."""
    return limiter.shared_limit(costly_limit, scope="report-pdf", key_func=key_func,
                                deduct_when=costs_work, **options)
