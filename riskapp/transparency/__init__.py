"""The public transparency log (RFC 9162 style): reports and decisions, tree heads, proofs."""

from flask import Blueprint

bp = Blueprint("transparency", __name__)
