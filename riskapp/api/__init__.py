"""The JSON API under /api/v1 (bearer tokens, problem+json errors) and the token pages."""

from flask import Blueprint

from riskapp.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Only bearer tokens authenticate here, never the session cookie, so there is nothing to forge.
csrf.exempt(bp)
