"""Browsers ask for /favicon.ico on every site (and for PDFs or JSON opened directly): it must not
404, and pages name the SVG icon themselves."""

from __future__ import annotations


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_pages_link_the_icon(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert client.get("/static/favicon.svg").status_code == 200
