"""Outbound webhooks: a province's endpoints receive its change events, signed."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/province/webhooks")
