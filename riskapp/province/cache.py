"""Dashboard figures and map documents, cached in the Flask-Caching backend of riskapp.extensions:
Redis at REDIS_URL, so every web process reuses what one of them built, else in-process.

A figures entry serves while the data version it was built from is current, and for
`stale_seconds` after the data moved: a province with submissions every second would otherwise
rebuild for every viewer (about 0.1 s of scans over 100,000 enterprises each), and the page says
how old its figures are. `not_before` (a time) refuses older entries: the viewer's own change, or a
refresh asked for, is always shown. While one process rebuilds a stale entry, the others serve it
rather than build the same figures too. A failing backend never fails the page: figures are then
built and served uncached.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import logging
import pickle  # nosec B403
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import LazyString

from riskapp.extensions import cache

log = logging.getLogger(__name__)

TTL_SECONDS = 300  # no entry serves longer, whatever its version
# A rebuild holds its lock this long at most: a builder that died stops holding up the others.
BUILD_LOCK_SECONDS = 10
# After a backend failure, the cache is left alone this long: one warning and one timeout, not
# one per request.
RETRY_SECONDS = 10
MAP_DOCUMENTS = 8  # kept per process; one is megabytes (2.9 MB plain + 1 MB gzipped at 100,000)


@dataclass(frozen=True)
class CachedFigures:
    """One dashboard's figures, the data version they were built from, and when."""

    value: Any
    version: tuple
    built_at: float  # time.time() when built: the page's "as of"


@dataclass
class _State:
    """Per app and process: when the backend may be tried again, the map documents stored."""

    retry_at: float = 0.0
    maps: deque = field(default_factory=deque)


def figures(key: tuple, version: tuple, build: Callable[[], Any], *, stale_seconds: float,
            not_before: float) -> CachedFigures:
    """The figures stored under `key` if they may serve, else `build()`'s, stored.

    `version` is the data's version now; an entry of another version serves for `stale_seconds`
    after it was built. No entry built before `not_before` (a time) serves."""
    name = _name("figures", repr(key))
    now = time.time()
    entry = _load(name)
    if entry is not None and (entry.built_at < not_before or now - entry.built_at >= TTL_SECONDS):
        entry = None
    if entry is not None and (entry.version == version or now - entry.built_at < stale_seconds):
        return entry
    if entry is not None and not _lock(name):
        return entry  # stale, but another process is rebuilding it
    try:
        fresh = CachedFigures(build(), version, now)
        _store(name, fresh)
    finally:
        if entry is not None:
            _call("delete", _lock_name(name))
    return fresh


def map_document(etag: str, build: Callable[[], str]) -> tuple[bytes, bytes]:
    """(plain JSON, gzipped JSON) for an ETag, which names the data version: built by `build()`
    when missing. The time limit bounds what a racing commit (an older updated_at committed after
    a newer one) could leave stale."""
    name = _name("map", etag)
    document = _load(name)
    if document is None:
        plain = build().encode()
        document = plain, gzip.compress(plain, compresslevel=5)
        if _store(name, document):
            _forget_older_maps(name)
    return document


def clear() -> None:
    """Drop this app's cached figures and map documents (Redis: the keys under its prefix)."""
    _call("clear")
    _state().maps.clear()


@functools.cache
def _code_version() -> str:
    """A digest of riskapp's source: processes running other code (a deploy under way) never
    read each other's pickled figures."""
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _name(kind: str, key: str) -> str:
    """A readable, stable cache key (sha1, not hash(): that differs between processes)."""
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
    return f"{kind}:{_code_version()}:{digest}"


def _lock_name(name: str) -> str:
    return f"{name}:building"


def _lock(name: str) -> bool:
    """Whether this process should rebuild `name`: nobody else is, or their lock is past its time
    (a Redis add sets the key and its expiry in two steps)."""
    deadline = time.time() + BUILD_LOCK_SECONDS
    if _call("add", _lock_name(name), deadline, timeout=BUILD_LOCK_SECONDS, default=True):
        return True
    held = _call("get", _lock_name(name))
    if isinstance(held, float) and held > time.time():
        return False
    _call("set", _lock_name(name), deadline, timeout=BUILD_LOCK_SECONDS)
    return True


def _forget_older_maps(name: str) -> None:
    """Delete the documents this process stored before its last MAP_DOCUMENTS: with an ETag per
    change of the data, a busy province would otherwise fill the cache with dead documents."""
    stored = _state().maps
    stored.append(name)
    while len(stored) > MAP_DOCUMENTS:
        _call("delete", stored.popleft())


class _Pickler(pickle.Pickler):
    """Stores lazy strings as their text (the key names the language) and refuses database rows,
    which belong to a request's session."""

    def reducer_override(self, obj):
        if isinstance(obj, LazyString):
            return str, (str(obj),)
        if hasattr(obj, "_sa_instance_state"):
            raise pickle.PicklingError(f"a {type(obj).__name__} row is not a cacheable figure")
        return NotImplemented


def _store(name: str, value: Any) -> bool:
    """Store `value` pickled under `name`; whether it was."""
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, pickle.HIGHEST_PROTOCOL).dump(value)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        log.warning("%s is served uncached: %s", name, error)
        return False
    return bool(_call("set", name, buffer.getvalue(), timeout=TTL_SECONDS, default=False))


def _load(name: str) -> Any:
    raw = _call("get", name)
    return None if raw is None else pickle.loads(raw)  # nosec B301 # our own Redis, our own keys


def _state() -> _State:
    return current_app.extensions.setdefault("riskapp.figures_cache", _State())


def _call(operation: str, *args, default: Any = None, **kwargs) -> Any:
    """The backend's `operation`, or `default` while the backend fails."""
    state = _state()
    if time.time() < state.retry_at:
        return default
    try:
        return getattr(cache, operation)(*args, **kwargs)
    except Exception as error:  # refused, timed out, out of memory…: the page is built uncached
        state.retry_at = time.time() + RETRY_SECONDS
        log.warning("figures cache unavailable, figures are built uncached for %d s: %r",
                    RETRY_SECONDS, error)
        return default
