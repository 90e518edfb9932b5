"""Error pages: a clear message, never a traceback."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from riskapp.db import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(code: int, message: str | None = None):
    if _wants_json():
        body = {"type": "about:blank", "title": message or str(code), "status": code}
        return body, code, {"Content-Type": "application/problem+json"}
    return render_template("errors/error.html", code=code, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _render(error.code or 500)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        app.logger.error("database error: %s", error)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone; the page must still render
            pass
        message = _("The database is not reachable right now. Try again in a moment.")
        if _wants_json():
            return _render(503, message)
        title = _("The service is unavailable for a moment")
        return render_template("errors/plain.html", title=title, message=message), 503

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error: %s", error)
        return _render(500)
