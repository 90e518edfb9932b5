"""Home dispatch, language switch and health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from riskapp.main import views  # noqa: E402,F401
