"""The JSON API under /api/v1 (bearer tokens, problem+json errors) and the token pages."""

from flask import Blueprint

from riskapp.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Only bearer tokens authenticate here, never the session cookie, so there is nothing to forge.
csrf.exempt(bp)

from riskapp.api import views  # noqa: E402,F401  (routes register on import)
from riskapp.api.account import account_bp  # noqa: E402

# The token pages are web pages (session + CSRF) under /account; they come with the API.
bp.record_once(lambda state: state.app.register_blueprint(account_bp))
