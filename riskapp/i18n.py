"""Language choice: the user's setting, then the session's switch, then Vietnamese."""

from __future__ import annotations

from flask import current_app, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError


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


def current_lang() -> str:
    """The two-letter language of this request ("vi" or "en")."""
    locale = get_locale()
    return locale.language if locale else "vi"
