"""Reports: background rendering and delivery of signed PDFs, and their public verification."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
