"""Reporting rounds: the province asks chosen enterprises to re-assess by a date and follows who
did, per area (expected, received, on time, accepted), reminds and escalates, and freezes the
figures when it closes the round."""

from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/province/rounds")
