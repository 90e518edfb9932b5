"""Error pages: a clear message, never a traceback."""

from __future__ import annotations

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from riskapp.db import db
from riskapp.extensions import login_manager
from riskapp.storage import StorageUnavailable, unavailable_message


def _wants_json() -> bool:
    return request.path.startswith("/api/")


PROBLEM_JSON = "application/problem+json"
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def problem(status: int, detail: str | None = None, *, errors: list[dict] | None = None,
            type_: str = "about:blank", headers: dict | None = None):
    """An RFC 9457 problem response: type, title, status, detail and, for 422, every error."""
    body: dict = {"type": type_, "title": HTTP_STATUS_CODES.get(status, str(status)),
                  "status": status}
    if detail:
        body["detail"] = str(detail)
    if errors is not None:
        body["errors"] = errors
    return body, status, {**(headers or {}), "Content-Type": PROBLEM_JSON}


def _render(code: int, message: str | None = None, headers: dict | None = None):
    if _wants_json():
        return problem(code, message, headers=headers)
    return render_template("errors/error.html", code=code, message=message), code


def _refuse_nul_characters() -> None:
    """A NUL in a form field or the query string is never typed by a person, and PostgreSQL
    text cannot hold it (the API checks its JSON bodies the same way)."""
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400, _("The address contains a NUL character."))
    if request.method == "POST" and request.mimetype in FORM_MIMETYPES and any(
        "\x00" in value for _key, values in request.form.lists() for value in values
    ):
        abort(400)


def _http_error(error: HTTPException):
    if _wants_json():
        # Keep Allow (405), Retry-After (429) and WWW-Authenticate (401) on the problem.
        kept = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        detail = error.description if (error.code or 500) < 500 else None
        return _render(error.code or 500, detail, kept)
    return _render(error.code or 500)


def _csrf_refused(_error: CSRFError):
    # Flask-WTF's reasons ("The CSRF token has expired.") are English and mean nothing to
    # a person: every one of them asks for the same thing, a fresh form.
    message = _("The form has expired or is not valid. Reload the page and send it again.")
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=message), 400  # the assessment form's autosave shows `error`
    return _render(400, message)


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the page must still render
        pass  # nosec B110 # nothing to undo on a dead connection
    if not db.session.is_active or (db.session.in_transaction() and _unusable()):
        # A hook that failed after the commit leaves the session "committed" for good: the
        # page's own queries get a fresh session, and the user is loaded again through it.
        db.discard_session()
        g.pop("_login_user", None)


def _unusable() -> bool:
    try:
        db.session.connection()
    except Exception:  # noqa: BLE001 - any failure means this session cannot serve the page
        return True
    return False


def _database_error(error: DBAPIError):
    # Only a lost or refused connection is "unavailable"; a constraint or data error is a bug.
    if not (
        isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated
    ):
        return _unexpected(error)
    current_app.logger.error("database unavailable: %s", error)
    _rollback_quietly()
    # Flask-Login's template context loads the current user, a database query: render as
    # anonymous, or the error page itself fails on the missing database.
    g._login_user = login_manager.anonymous_user()
    message = _("The database is not reachable right now. Try again in a moment.")
    if _wants_json():
        return _render(503, message)
    title = _("The service is unavailable for a moment")
    return render_template("errors/plain.html", title=title, message=message), 503


def _storage_unavailable(_error: StorageUnavailable):
    # Logged where the write failed; the rollback removes every file this request staged.
    _rollback_quietly()
    return _render(503, unavailable_message())


def _unexpected(error: Exception):
    current_app.logger.exception("unhandled error: %s", error)
    # A failed statement leaves the transaction aborted; the page's own queries need it clean.
    _rollback_quietly()
    return _render(500)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(StorageUnavailable, _storage_unavailable)
    app.register_error_handler(Exception, _unexpected)
