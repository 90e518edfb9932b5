"""The officer's area: overview, enterprise profile, assessments, remediation actions."""

from flask import Blueprint

bp = Blueprint("assessments", __name__, url_prefix="/enterprise")
