"""Administration: provinces (platform admin) and a province's users (province admin)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
