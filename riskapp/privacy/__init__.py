"""Personal data: retention per province, the data-subject export and erasure."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
