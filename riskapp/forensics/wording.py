"""What each flag says in plain words, in the page's language (the reason's values formatted)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from riskapp.formatting import format_number
from riskapp.i18n import current_lang
from riskapp.models import ForensicFlag

KIND_LABELS = {
    "photo_reuse": _l("Photo reused"),
    "identical_answers": _l("Identical answers"),
    "implausible": _l("Implausible answers"),
    "too_fast": _l("Submitted too fast"),
}
STATUS_LABELS = {"open": _l("Open"), "dismissed": _l("Dismissed")}


def _n(value, digits: int = 0) -> str:
    return format_number(value, current_lang(), digits=digits, trim_whole=True)


def _photo(reason: dict, other_name: str) -> str:
    if reason.get("same_enterprise"):
        return _("A photo of this assessment is nearly identical to one of an earlier assessment "
                 "of the same enterprise (%(bits)s of 64 bits differ; at most %(limit)s count "
                 "as the same photo).", bits=_n(reason["distance"]),
                 limit=_n(reason["max_distance"]))
    return _("A photo of this assessment is nearly identical to one sent by %(other)s "
             "(%(bits)s of 64 bits differ; at most %(limit)s count as the same photo).",
             other=other_name, bits=_n(reason["distance"]), limit=_n(reason["max_distance"]))


def _implausible(reason: dict) -> str:
    rule = reason.get("rule")
    if rule == "floor_per_worker_low":
        return _("%(area)s m² of floor for %(workers)s workers is %(per)s m² per worker, below "
                 "%(limit)s m²: they could not work there.", area=_n(reason["floor_m2"], 1),
                 workers=_n(reason["workers"]), per=_n(reason["m2_per_worker"], 2),
                 limit=_n(reason["limit"], 1))
    if rule == "floor_per_worker_high":
        return _("%(area)s m² of floor for %(workers)s workers is %(per)s m² per worker, above "
                 "%(limit)s m²: probably a wrong unit or an extra zero.",
                 area=_n(reason["floor_m2"], 1), workers=_n(reason["workers"]),
                 per=_n(reason["m2_per_worker"], 2), limit=_n(reason["limit"]))
    if rule == "workers_above_headcount":
        return _("%(workers)s workers on site at once, more than 1.5 times the registered "
                 "head-count of %(headcount)s.", workers=_n(reason["workers"]),
                 headcount=_n(reason["headcount"]))
    if rule == "workers_below_headcount":
        return _("Only %(workers)s workers on site at once, under 10 %% of the registered "
                 "head-count of %(headcount)s: the workers on site may be understated.",
                 workers=_n(reason["workers"]), headcount=_n(reason["headcount"]))
    if rule == "shuttle_without_riders":
        return _("The enterprise runs worker shuttles and names %(pickups)s pick-up areas, yet "
                 "answers that 0 %% of workers ride them.", pickups=_n(reason["pickup_areas"]))
    return _("The answers break the rule %(rule)s.", rule=rule)


def describe(flag: ForensicFlag, other_names: dict[int, str]) -> str:
    """Why the flag was raised, in one or two sentences."""
    reason = flag.reason or {}
    other_name = other_names.get(reason.get("other_enterprise_id"), _("another enterprise"))
    if flag.kind == "photo_reuse":
        return _photo(reason, other_name)
    if flag.kind == "identical_answers":
        return _("Every one of the %(count)s answers equals an earlier assessment of "
                 "%(other)s, including %(numbers)s numbers that rarely coincide.",
                 count=_n(reason.get("answered", 0)), other=other_name,
                 numbers=_n(len(reason.get("distinctive_items", ()))))
    if flag.kind == "too_fast":
        return _("Submitted %(seconds)s seconds after it was started, for %(count)s answers; "
                 "reading them takes at least %(floor)s seconds.",
                 seconds=_n(reason["seconds"]), count=_n(reason["answered"]),
                 floor=_n(reason["min_seconds"]))
    return _implausible(reason)
