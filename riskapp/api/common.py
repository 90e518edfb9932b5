"""What every API view shares: the bearer check, role and scope gates, bodies, paging."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import wraps
from urllib.parse import urlencode

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import Select
from werkzeug.exceptions import HTTPException

from riskapp import pagination
from riskapp.api import bp, tokens
from riskapp.errors import problem
from riskapp.extensions import limiter
from riskapp.i18n import current_lang
from riskapp.models import Role
from riskapp.tenancy import require_roles, reset_scope

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Ids and pages beyond these are refused before they reach the database (PostgreSQL integer).
MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000
PUBLIC_ENDPOINTS = {"api.openapi"}


class Invalid(HTTPException):
    """A request whose parameters or body break the contract: 400 (query) or 422 (body)."""

    def __init__(self, errors: list[dict], code: int = 422, detail: str | None = None):
        super().__init__()
        self.code = code
        self.errors = errors
        self.detail = detail


def error(code: str, message: str, *, field: str | None = None,
          item_id: str | None = None) -> dict:
    return {"item_id": item_id, "field": field, "code": code, "message": str(message)}


@bp.errorhandler(Invalid)
def _invalid(exc: Invalid):
    detail = exc.detail or (_("The request has invalid parameters.") if exc.code == 400
                            else _("The request body is not valid."))
    return problem(exc.code, detail, errors=exc.errors)


@bp.errorhandler(429)
def _too_many(exc: HTTPException):
    # The web's 429 handler (riskapp/auth) renders a page; an API client gets a problem.
    return problem(429, _("Too many requests: slow down and retry later."),
                   headers={k: v for k, v in exc.get_headers() if k.lower() != "content-type"})


def _api_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "600 per minute")


def _limit_key() -> str:
    token = tokens.bearer_token()
    return f"token:{token.id}" if token is not None else f"ip:{request.remote_addr}"


limiter.limit(_api_limit, key_func=_limit_key)(bp)


def token_user_key() -> str:
    """Rate-limit key of the token's user, the same as the web's (riskapp.extensions
    user_or_address): limits run before the token logs its user in."""
    token = tokens.bearer_token()
    return f"user:{token.user_id}" if token is not None else f"ip:{request.remote_addr}"


@bp.before_request
def authenticate():
    """Bearer token only: the session cookie never authenticates an API call."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    token = tokens.bearer_token()
    if token is None:
        return problem(401, _("A valid API token is required: send 'Authorization: Bearer "
                              "<token>'."),
                       headers={"WWW-Authenticate": 'Bearer realm="riskapp"'})
    # Flask-Login reads g._login_user: the token's user becomes current_user for this request
    # (over any session user), so current_user and tenancy.current_scope() work unchanged.
    g._login_user = token.user
    reset_scope()
    tokens.touch(token)
    return None


def api_route(rule: str, *, scope: str, roles: frozenset[Role], methods=("GET",)):
    """A route for these roles (anyone else: 404) with a token holding `scope` (else 403)."""

    def decorator(view):
        @wraps(view)
        def with_token_scope(*args, **kwargs):
            if scope not in (tokens.bearer_token().scopes or []):
                return problem(403, _("This token lacks the '%(scope)s' scope.", scope=scope))
            return view(*args, **kwargs)

        return bp.route(rule, methods=list(methods))(require_roles(roles)(with_token_scope))

    return decorator


# ----------------------------------------------------------------------------- bodies


def json_body(required: bool = True) -> dict:
    """The request's JSON object; an empty body counts as {} when the body is optional."""
    if not required and not request.get_data(cache=True):
        return {}
    body = request.get_json(silent=True)
    if body is None:
        raise Invalid([error("invalid_json", _("The body must be JSON (application/json)."))],
                      code=400, detail=_("The body is not valid JSON."))
    if not isinstance(body, dict):
        raise Invalid([error("invalid_type", _("The body must be a JSON object."))])
    where = _nul_path(body)
    if where is not None:
        # PostgreSQL text cannot hold U+0000: refuse it here rather than fail in the database.
        raise Invalid([error("nul_character", _("Text may not contain the NUL character "
                                                "(U+0000)."), field=where)])
    return body


def _nul_path(value, path: str = "") -> str | None:
    """The dotted path of the first key or string holding a NUL character, else None."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here
            found = _nul_path(inner, here)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, inner in enumerate(value):
            found = _nul_path(inner, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def int_arg(name: str, default: int | None, minimum: int = 1,
            maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid([error("invalid_integer", _("Must be a whole number."), field=name)],
                      code=400) from None
    if value < minimum or (maximum is not None and value > maximum):
        message = (_("Must be between %(low)d and %(high)d.", low=minimum, high=maximum)
                   if maximum is not None else _("Must be at least %(low)d.", low=minimum))
        raise Invalid([error("out_of_range", message, field=name)], code=400)
    return value


def text_arg(name: str, max_length: int) -> str | None:
    """A free-text query argument, spaces collapsed; longer than ``max_length`` is refused."""
    raw = " ".join(request.args.get(name, "").split())
    if len(raw) > max_length:
        raise Invalid([error("too_long", _("At most %(n)d characters.", n=max_length),
                             field=name)], code=400)
    return raw or None


def choice_arg(name: str, choices) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise Invalid([error("invalid_choice", _("Not one of the allowed values."), field=name)],
                      code=400)
    return raw


# ----------------------------------------------------------------------------- output


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def text_in_lang(text) -> str:
    """An engine Text ({vi, en}) in the request's language."""
    return text.en if current_lang() == "en" else text.vi


def _page_url(page: int, per_page: int) -> str:
    args = request.args.to_dict()
    args.update(page=str(page), per_page=str(per_page))
    return request.base_url + "?" + urlencode(args)


def paginate(statement: Select, serialize):
    """One page of an ordered select as {"items", "page", "per_page", "total"} with Link headers
    (pages past the end are empty)."""
    page = pagination.paginate(statement, int_arg("page", 1, 1, MAX_PAGE),
                               int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
                               row=serialize, clamp=False)
    last = page.pages
    links = [f'<{_page_url(1, page.per_page)}>; rel="first"',
             f'<{_page_url(last, page.per_page)}>; rel="last"']
    if page.number > 1:
        links.append(f'<{_page_url(min(page.number - 1, last), page.per_page)}>; rel="prev"')
    if page.number < last:
        links.append(f'<{_page_url(page.number + 1, page.per_page)}>; rel="next"')
    response = jsonify(items=page.items, page=page.number, per_page=page.per_page,
                       total=page.total)
    response.headers["Link"] = ", ".join(links)
    return response
