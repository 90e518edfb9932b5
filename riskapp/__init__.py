"""riskapp: workplace infection-risk self-assessment for enterprises and provinces."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: dict | None = None) -> Flask:
    """Configure the app, initialise the extensions and register the blueprints."""
    # Imported here, as everything below: `import riskapp.scoring` alone stays free of Flask.
    from flask import Flask

    from riskapp.blueprints import register_blueprints

    app = Flask(
        __name__,
        instance_path=os.environ.get("RISKAPP_INSTANCE") or os.path.join(ROOT, "instance"),
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    _configure(app, config)
    _init_extensions(app, config)
    register_blueprints(app)
    return app


def _configure(app: Flask, config: dict | None) -> None:
    from riskapp.config import cache_settings, check_production, from_environment

    app.config.from_mapping(from_environment(app.instance_path))
    if config:
        app.config.from_mapping(config)
    check_production(app.config)
    for key, value in cache_settings(app.config).items():
        app.config.setdefault(key, value)  # a CACHE_* setting passed in wins
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a proxy every request comes from its address: rate limits need the client's.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    os.makedirs(app.instance_path, exist_ok=True)


def _init_extensions(app: Flask, config: dict | None) -> None:
    from flask_babel import lazy_gettext

    from riskapp import cli, errors, jobs, templating
    from riskapp.db import db
    from riskapp.extensions import babel, cache, csrf, limiter, login_manager
    from riskapp.i18n import select_locale, select_timezone

    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=os.path.join(ROOT, "translations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.login_message = lazy_gettext("Please log in to open this page.")
    limiter.init_app(app)
    cache.init_app(app)
    jobs.init_app(app, config)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
