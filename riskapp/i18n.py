"""Language choice: the user's setting, then the session's switch, then Vietnamese; and the time
zone: the user's province's (platform admins and visitors: the default, Vietnam's)."""

from __future__ import annotations

from flask import current_app, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from riskapp import clock, territory
from riskapp.tenancy import current_scope


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    try:
        if current_user and current_user.is_authenticated and current_user.locale in languages:
            return current_user.locale
    except SQLAlchemyError:
        # The error page for a lost database still needs a language.
        pass
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """The IANA zone this request shows times in (Flask-Babel asks once per request): the
    user's province's (an officer's is the enterprise's), else the default."""
    try:
        return territory.province_zone(current_scope().province_id) or clock.DEFAULT_TIMEZONE
    except SQLAlchemyError:
        return clock.DEFAULT_TIMEZONE


def current_lang() -> str:
    """The two-letter language of this request ("vi" or "en")."""
    locale = get_locale()
    return locale.language if locale else "vi"
