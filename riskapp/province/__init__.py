"""The province's view: dashboard, drill-down lists, area levels, imports, exports, checklists."""

from flask import Blueprint

bp = Blueprint("province", __name__, url_prefix="/province")
