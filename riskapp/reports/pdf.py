"""HTML to PDF with WeasyPrint, reaching nothing but ``data:`` URLs and the project's static
files; fonts and fetchers are made once per thread."""

from __future__ import annotations

import base64
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = PROJECT_ROOT / "static"
# Base URL of the report: relative references (css/report.css, fonts/…) resolve inside static/.
STATIC_BASE_URL = STATIC_DIR.as_uri() + "/"


def _data_url_response(url: str) -> URLFetcherResponse:
    header, comma, payload = url[len("data:"):].partition(",")
    if not comma:
        raise ValueError("malformed data: URL")
    parameters = header.split(";")
    media_type = parameters[0] or "text/plain"
    if "base64" in parameters[1:]:
        body = base64.b64decode(unquote(payload), validate=False)
    else:
        body = unquote(payload).encode("utf-8")
    return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})


def safe_url_fetcher(url: str, headers: dict | None = None) -> URLFetcherResponse:
    """Fetch ``data:`` URLs and files under the project's static/ folder; refuse anything else.

    WeasyPrint's default fetcher follows ``file://`` (and http), so text that reached the template
    could otherwise embed /etc/passwd; this one raises ValueError and WeasyPrint skips the resource.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme == "data":
        return _data_url_response(url)
    if scheme == "file":
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused remote file URL: {url}")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(STATIC_DIR) or not path.is_file():
            raise ValueError(f"refused file outside the static folder: {url}")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": media_type}
        )
    raise ValueError(f"refused URL scheme {scheme or '(none)'!r}: {url}")


class SafeURLFetcher(URLFetcher):
    """WeasyPrint fetcher object (v70 expects a URLFetcher) delegating to ``safe_url_fetcher``."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        return safe_url_fetcher(url, headers)


_local = threading.local()


def _fetcher() -> SafeURLFetcher:
    # URLFetcher is an OpenerDirector with per-request state: one per thread.
    fetcher = getattr(_local, "fetcher", None)
    if fetcher is None:
        fetcher = _local.fetcher = SafeURLFetcher()
    return fetcher


def _font_config() -> FontConfiguration:
    # Loading the shipped fonts into Fontconfig costs about 30 ms a render, so it is done once;
    # a FontConfiguration (Pango font map) is not thread-safe, hence one per thread.
    font_config = getattr(_local, "font_config", None)
    if font_config is None:
        font_config = _local.font_config = FontConfiguration()
    return font_config


def render_pdf(html: str) -> bytes:
    """Render report HTML to PDF with the safe fetcher; relative URLs resolve inside static/."""
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=_fetcher())
    return document.write_pdf(font_config=_font_config())
