"""The installable app: the web app manifest, the service worker (served from the root so its
scope is the whole site) and the page shown offline when a page was never opened.

The worker's shell cache is named after a hash of the files it precaches, so a deploy that
changes any of them installs a new worker and drops the old cache (static/js/service-worker.js).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from riskapp.i18n import current_lang
from riskapp.main import bp

# What every page needs to draw offline (the PDF's stylesheets and fonts are not the shell's).
SHELL_FILES = (
    "css/app.css", "css/assessments.css", "css/admin.css", "css/province.css",
    "js/app.js", "js/offline-store.js", "js/assessment-form.js", "js/assessment-conflict.js",
    "js/finding-form.js",
    "js/audit.js", "js/area_search.js", "js/admin.js",
    "favicon.svg", "icons/icon-192.png", "icons/icon-512.png",
)
WORKER_SOURCE = "js/service-worker.js"
THEME_COLOUR = "#0b5cad"  # --brand of static/css/app.css


def _static(name: str) -> Path:
    return Path(current_app.static_folder) / name


def _shell_version(static_folder: str, template: str) -> str:
    """A hash of the shell's files and the offline page: a deploy that changes one changes it
    (read again only when a file's size or time changed)."""
    stamps = tuple((name, (Path(static_folder) / name).stat().st_mtime_ns,
                    (Path(static_folder) / name).stat().st_size)
                   for name in (*SHELL_FILES, WORKER_SOURCE))
    return _hashed(static_folder, template, stamps)


@cache
def _hashed(static_folder: str, template: str, stamps: tuple) -> str:
    digest = hashlib.sha256(template.encode())
    for name, _mtime, _size in stamps:
        digest.update(name.encode() + b"\0" + (Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:16]


def shell_version() -> str:
    template = Path(current_app.root_path).parent / "templates" / "offline.html"
    return _shell_version(current_app.static_folder, template.read_text(encoding="utf-8"))


def _no_cache(response):
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/sw.js")
def service_worker():
    """The worker script, with the shell's version and file list in front of its source."""
    config = {
        "version": shell_version(),
        "shell": [url_for("static", filename=name) for name in SHELL_FILES],
        "offline": url_for("main.offline"),
    }
    source = _static(WORKER_SOURCE).read_text(encoding="utf-8")
    body = f"self.RISKAPP_SHELL = {json.dumps(config)};\n{source}"
    response = current_app.response_class(body, mimetype="text/javascript")
    return _no_cache(response)


@bp.route("/manifest.webmanifest")
def manifest():
    icons = [{"src": url_for("static", filename=f"icons/icon-{size}.png"),
              "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
             for size in (192, 512)]
    document = {
        "name": _("riskapp — workplace infection risk"),
        "short_name": "riskapp",
        "lang": current_lang(),
        "start_url": url_for("main.home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    response = current_app.response_class(json.dumps(document, ensure_ascii=False),
                                          mimetype="application/manifest+json")
    return _no_cache(response)


@bp.route("/offline")
def offline():
    """Shown by the worker for a page never opened on this device while there is no network."""
    return render_template("offline.html")
