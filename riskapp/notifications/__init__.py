"""Notifications as one service: in-app, e-mail, SMS and Zalo ZNS, per-user preferences."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
