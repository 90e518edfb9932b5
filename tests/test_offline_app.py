"""The installable app: manifest and service worker served with the right types and headers, the
shell's files all there and versioned by their content, and the offline page (the autosave's 409
for the conflict view: tests/assessments/test_autosave_conflict.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from riskapp.main import offline


def _shell_config(body: str) -> dict:
    first_line = body.split("\n", 1)[0]
    return json.loads(re.fullmatch(r"self\.RISKAPP_SHELL = (.*);", first_line).group(1))


def test_service_worker_is_served_from_the_root_as_javascript_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    config = _shell_config(body)
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert "/static/css/app.css" in config["shell"] and config["offline"] == "/offline"
    assert "/static/js/offline-store.js" in config["shell"]
    for url in config["shell"] + [config["offline"]]:  # install fails if one of them is missing
        assert client.get(url).status_code == 200, url
    assert "self.addEventListener(\"fetch\"" in body


def test_the_shell_version_follows_the_files(app, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static, ignore=shutil.ignore_patterns("vendor", "fonts"))
    before = offline._shell_version(str(static), "template")
    (static / "css" / "app.css").write_text("body { color: red }", encoding="utf-8")
    assert offline._shell_version(str(static), "template") != before
    assert offline._shell_version(str(static), "another template") != before


def test_manifest_names_the_app_in_the_page_language(client):
    client.get("/lang/vi")
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert manifest["lang"] == "vi" and "nguy cơ" in manifest["name"]
    assert manifest["theme_color"] == "#0b5cad"
    assert "--brand: #0b5cad" in Path(client.application.static_folder, "css",
                                      "app.css").read_text(encoding="utf-8")
    sizes = {icon["sizes"]: icon["src"] for icon in manifest["icons"]}
    assert set(sizes) == {"192x192", "512x512"}
    for size, src in sizes.items():
        icon = client.get(src)
        assert icon.status_code == 200 and icon.data.startswith(b"\x89PNG")
        width = int.from_bytes(icon.data[16:20], "big")
        assert f"{width}x{width}" == size
    client.get("/lang/en")
    assert json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))["lang"] == "en"


def test_pages_allow_the_worker_and_the_manifest_and_link_them(client):
    page = client.get("/auth/login")
    csp = page.headers["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp
    assert "script-src 'self';" in csp
    html = page.get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    assert 'data-sw-url="/sw.js"' in html and "offline-store.js" in html


def test_offline_page_is_public_and_plain(client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert "unsent-indicator" in response.get_data(as_text=True)
