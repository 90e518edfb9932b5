"""Impact previews: a level change or a checklist activation replayed before it is made."""

from flask import Blueprint

bp = Blueprint("impact", __name__, url_prefix="/province/impact")
