"""Settings, all read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-insecure-change-me"  # nosec B105 # dev default; check_production refuses it


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL") or "sqlite:///" + str(
        Path(instance_path) / "riskapp.sqlite3"
    )
    # Heroku-style URLs name the old scheme, which SQLAlchemy 2 refuses; psycopg 3 is the driver.
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def _session_settings(production: bool) -> dict:
    secure = production or _bool("SESSION_COOKIE_SECURE")
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
        ),
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "60")),
        # The cookie is sent only when the session changes (riskapp.auth.views records activity
        # once a minute): re-sent with every response, a stale copy from a concurrent request
        # could undo a change such as the language just chosen.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "INVITE_TTL_HOURS": int(os.environ.get("INVITE_TTL_HOURS", "72")),
        "RESET_TTL_MINUTES": int(os.environ.get("RESET_TTL_MINUTES", "60")),
    }


def _mail_settings() -> dict:
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "riskapp <no-reply@riskapp.local>"),
        **_notification_settings(),
    }


NOTIFICATION_KINDS = ("reminder", "review_decision", "round_reminder", "round_escalation",
                      "action_assigned", "province_nudge", "level_change")


def _notification_settings() -> dict:
    """SMS (eSMS.vn) and Zalo ZNS: a channel without its settings is off. Secrets come from
    the environment only. ZNS_TEMPLATE_<KIND> names the approved template of each kind."""
    templates = {kind: os.environ.get(f"ZNS_TEMPLATE_{kind.upper()}") or None
                 for kind in NOTIFICATION_KINDS}
    return {
        "SMS_GATEWAY_URL": os.environ.get("SMS_GATEWAY_URL") or None,
        "SMS_API_KEY": os.environ.get("SMS_API_KEY") or None,
        "SMS_SECRET_KEY": os.environ.get("SMS_SECRET_KEY") or None,
        "SMS_BRANDNAME": os.environ.get("SMS_BRANDNAME") or None,
        "ZNS_API_URL": os.environ.get("ZNS_API_URL") or None,
        "ZNS_ACCESS_TOKEN": os.environ.get("ZNS_ACCESS_TOKEN") or None,
        "ZNS_TEMPLATES": {kind: value for kind, value in templates.items() if value},
    }


def _limit_settings() -> dict:
    return {
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "16")) * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 100 per hour"),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust (0: none).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Report renders and exports cost seconds of CPU each: a limit per user.
        "COSTLY_RATE_LIMIT": os.environ.get("COSTLY_RATE_LIMIT", "30 per minute; 300 per hour"),
        "EVIDENCE_MAX_MB": int(os.environ.get("EVIDENCE_MAX_MB", "8")),
    }


def _storage_settings(instance_path: str) -> dict:
    return {
        "REPORT_SIGNING_KEY": os.environ.get("REPORT_SIGNING_KEY")
        or str(Path(instance_path) / "report-signing-key.pem"),
        "STORAGE_DIR": os.environ.get("STORAGE_DIR") or str(Path(instance_path) / "storage"),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "RQ_QUEUE": os.environ.get("RQ_QUEUE", "riskapp"),
        # RQ's worker class; unset: RQ's default (a forked work-horse per job).
        "RQ_WORKER_CLASS": os.environ.get("RQ_WORKER_CLASS") or None,
        "JOBS_INLINE": _bool("JOBS_INLINE", False),
        # The dispatcher (riskapp.jobs.dispatcher): how often it passes, and how long a queued
        # item may wait after its hand-over before it is handed again (the queue lost it).
        "JOB_DISPATCH_SECONDS": float(os.environ.get("JOB_DISPATCH_SECONDS", "10")),
        "JOB_HANDOVER_GRACE": float(os.environ.get("JOB_HANDOVER_GRACE", "60")),
        # Overrides every task's own lease and attempts when set (tests, slow machines).
        "JOB_BUDGET_SECONDS": int(os.environ.get("JOB_BUDGET_SECONDS", "0")) or None,
        "JOB_MAX_ATTEMPTS": int(os.environ.get("JOB_MAX_ATTEMPTS", "0")) or None,
        # How long dashboard figures may lag behind new submissions (seconds; 0: never).
        "FIGURES_STALE_SECONDS": float(os.environ.get("FIGURES_STALE_SECONDS", "30")),
        # Names the figures cache's keys in a Redis shared with other apps (cache_settings).
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "riskapp:"),
        # Outbound webhooks may target private/loopback addresses (an intranet deployment).
        "WEBHOOK_ALLOW_PRIVATE": _bool("WEBHOOK_ALLOW_PRIVATE", False),
    }


def from_environment(instance_path: str) -> dict:
    """Settings from the environment; the instance folder holds the SQLite file."""
    env = os.environ.get("RISKAPP_ENV", "development")
    return {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        # Unset in development: links follow the request (riskapp.links); production requires it.
        "BASE_URL": os.environ.get("BASE_URL", "").strip() or None,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TZ_NAME", "Asia/Ho_Chi_Minh"),
        "LANGUAGES": ("vi", "en"),
        "MAP_TILE_URL": os.environ.get(
            "MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
        "MAP_TILE_ATTRIBUTION": os.environ.get(
            "MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors"
        ),
        **_session_settings(env == "production"),
        **_mail_settings(),
        **_limit_settings(),
        **_storage_settings(instance_path),
    }


def cache_settings(config: Mapping) -> dict:
    """Flask-Caching settings for the figures cache: Redis at REDIS_URL, shared by every web
    process, else a bounded cache inside each process."""
    if config.get("REDIS_URL"):
        # Short socket timeouts: a Redis that stopped answering costs one request a second or so;
        # riskapp/province/cache.py then builds uncached for a while.
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": config["REDIS_URL"],
                "CACHE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}}
    return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 100}


def check_production(config: dict) -> None:
    """Refuse to start in production with a missing or default secret key, or without the public
    address that links in PDFs, QR codes and e-mails carry (no request to take it from there)."""
    if config.get("ENV_NAME") != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    if secret == DEFAULT_SECRET_KEY or len(secret) < 32:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production"
        )
    base_url = config.get("BASE_URL") or ""
    if not base_url.startswith(("https://", "http://")):
        raise RuntimeError(
            "BASE_URL must be set in production to the address users open, e.g. "
            "BASE_URL=https://riskapp.example.gov.vn (links in reports, QR codes and e-mails)"
        )
