"""The app's public address, for links read outside the browser: PDFs, QR codes, e-mails.

Production sets BASE_URL (riskapp.config.check_production refuses to start without it). In
development and tests the links follow the host and port serving the request, so a server on
another port than 5000 still prints working links. Background jobs have no request: the request
that queues one passes ``base_url()`` along with it.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

# Only reached without a request and without BASE_URL, i.e. a development command line.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """'https://riskapp.example.gov.vn' — no trailing slash."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEVELOPMENT_BASE_URL


def external(path: str, base: str | None = None) -> str:
    """An absolute link to ``path`` (which starts with '/') on ``base`` or this app's address."""
    return (base or base_url()).rstrip("/") + path
