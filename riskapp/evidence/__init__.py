"""Evidence: photos and PDFs attached to answers, served only within the viewer's reach."""

from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/evidence")
