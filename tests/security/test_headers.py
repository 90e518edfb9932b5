"""Security headers on every page, and templates that keep the CSP's promise of no inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in csp.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", ["/auth/login", "/verify", "/no-such-page"])
def test_pages_carry_the_security_headers(client, path):
    response = client.get(path)
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_logged_in_pages_carry_them_too(client, world, login_as):
    login_as(world.a.officer)
    response = client.get("/enterprise/")
    assert response.status_code == 200
    assert "'unsafe-inline'" not in _directives(
        response.headers["Content-Security-Policy"])["script-src"]


def test_hsts_only_in_production(client, dedicated_app):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
    production = dedicated_app(ENV_NAME="production", SESSION_COOKIE_SECURE=True,
                               BASE_URL="https://riskapp.example.gov.vn")
    hsts = production.test_client().get("/auth/login").headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 180 * 24 * 3600


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(TEMPLATES)}:{line}: {match.group(0)[:60]}")
    assert offenders == []


@pytest.mark.parametrize("snippet", [
    '<script>alert(1)</script>', '<SCRIPT type="module">x()</SCRIPT>',
    '<button onclick="go()">', '<body\n  onload="x()">', '<a href="javascript:void(0)">',
])
def test_the_template_scan_catches_what_it_looks_for(snippet):
    assert any(p.search(snippet) for p in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL))


@pytest.mark.parametrize("snippet", ['<script src="/static/js/app.js"></script>',
                                     '<input data-on-change="x">', '<p>online=yes</p>'])
def test_the_template_scan_lets_script_files_and_plain_text_pass(snippet):
    assert not any(p.search(snippet) for p in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL))
