"""The words of the forensic signal kinds, as the inspect page names them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SIGNAL_LABELS = {
    "photo_reuse": _l("the same photo in another enterprise's evidence"),
    "identical_answers": _l("answers identical to another enterprise's"),
    "implausible": _l("implausible answers"),
    "too_fast": _l("filled in implausibly fast"),
}
