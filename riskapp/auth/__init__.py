"""Login, logout, invitations and password resets."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
