"""Administration: provinces and background work (platform admin); a province's users (province
admin)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
