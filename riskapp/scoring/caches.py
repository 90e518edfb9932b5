"""Bounded caches of frozen result parts: equal parts are one object shared between results."""

from __future__ import annotations

from typing import Any, TypeVar

CACHE_SIZE = 2048
ValueT = TypeVar("ValueT")


def bounded_put(cache: dict[Any, ValueT], key: Any, value: ValueT) -> ValueT:
    """Store and return `value`; a full cache is emptied first, so memory stays bounded."""
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = value
    return value
