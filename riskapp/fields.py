"""What the forms of every area share."""

from __future__ import annotations


def optional_int(value) -> int | None:
    """A select's value as a whole number; nothing chosen is None (WTForms coerce)."""
    if value in (None, "", "None"):
        return None
    return int(value)
