"""Forensic signals: photos reused, identical answers, implausible answers, forms sent too fast."""

from flask import Blueprint

bp = Blueprint("forensics", __name__, url_prefix="/province/signals")
