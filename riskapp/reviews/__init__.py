"""The authority's review of submissions: the queue, accept or return, the province's setting."""

from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/province/reviews")
