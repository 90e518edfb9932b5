"""Vietnamese mobile numbers in the international form the SMS gateway and Zalo expect."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# 84 then a 9-digit subscriber number starting 3, 5, 7, 8 or 9 (mobile prefixes since 2018).
_VALID = re.compile(r"^84[35789]\d{8}$")
INVALID = _l("Enter a Vietnamese mobile number, e.g. 0912 345 678 or +84 912 345 678.")


class InvalidPhone(ValueError):
    pass


def normalise(raw: str | None) -> str | None:
    """'0912 345 678', '+84 912-345-678', '84912345678' → '84912345678'; '' → None.
    Raises InvalidPhone with a message for the form."""
    text = (raw or "").strip()
    if not text:
        return None
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    if not _VALID.match(digits):
        raise InvalidPhone(str(INVALID))
    return digits
