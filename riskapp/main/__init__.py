"""Home dispatch, language switch and health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)
