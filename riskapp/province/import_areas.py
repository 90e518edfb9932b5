"""Which area of the province an import row names: an official code, a path, a name (diacritics
forgiven when that leaves one candidate), or a pre-2025 address (a commune with its former district,
or an old commune code) converted to the unit it belongs to since 1 July 2025."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from riskapp import gazetteer
from riskapp.db import db
from riskapp.filters import area_label
from riskapp.models import Area, AreaChange, AreaSuccession, Province
from riskapp.territory import area_tree, province_today, reading_order

# Kind words before a name, as reading_order folds them: "Hạc Thành" names "Phường Hạc Thành".
PREFIXES = ("thanh pho ", "thi tran ", "thi xa ", "dac khu ", "phuong ", "huyen ", "quan ", "xa ")
SEPARATORS = ("›", ">", "/")


@dataclass(frozen=True)
class AreaMatch:
    area_id: int | None
    problem: str | None = None
    converted: str | None = None  # the former unit a pre-2025 address named


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _bare(folded: str) -> str:
    """A folded name without its kind word ("phuong hac thanh" → "hac thanh")."""
    for prefix in PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix):].strip()
    return folded


def _official_code(province: Province) -> str | None:
    """The province's code in the official list: its own code when official, else by name."""
    if gazetteer.province(province.code) is not None:
        return province.code
    folded = _bare(reading_order(province.name))
    return next((p.code for p in gazetteer.provinces() if reading_order(p.name) == folded), None)


class AreaMatcher:
    """The province's areas indexed once per file, for every row's commune/ward cell."""

    def __init__(self, province_id: int):
        self.tree = area_tree(province_id)
        rows = db.session.execute(select(Area.id, Area.code).where(
            Area.province_id == province_id, Area.id.in_(list(self.tree.names)))).all()
        self.by_code = {code: area_id for area_id, code in rows if code}
        self.exact: dict[str, list[int]] = {}
        self.folded: dict[str, list[int]] = {}
        self.bare: dict[str, list[int]] = {}
        self.paths: dict[str, list[int]] = {}
        for area_id, name in self.tree.names.items():
            self.exact.setdefault(_nfc(name).casefold(), []).append(area_id)
            self.folded.setdefault(reading_order(name), []).append(area_id)
            self.bare.setdefault(_bare(reading_order(name)), []).append(area_id)
            path = self.tree.path(area_id, " › ")
            self.paths.setdefault(_nfc(path).casefold(), []).append(area_id)
            if reading_order(path) != _nfc(path).casefold():
                self.paths.setdefault(reading_order(path), []).append(area_id)
        self.official = _official_code(db.session.get(Province, province_id))
        self._legacy: dict[tuple[str, str], list[gazetteer.LegacyUnit]] | None = None
        self.today = province_today(province_id)
        self.became = self._successions(province_id)

    @staticmethod
    def _successions(province_id: int) -> dict[int, list[int]]:
        """What each merged, split or reformed area became (renames and moves keep the area)."""
        rows = db.session.execute(
            select(AreaSuccession.old_area_id, AreaSuccession.new_area_id)
            .where(AreaSuccession.province_id == province_id,
                   AreaSuccession.kind.not_in([AreaChange.RENAME, AreaChange.MOVE]))
            .order_by(AreaSuccession.id))
        became: dict[int, list[int]] = {}
        for old, new in rows:
            became.setdefault(old, []).append(new)
        return became

    def match(self, value: str, former_district: str = "") -> AreaMatch:
        """The area a row's commune/ward cell names; a closed area as the one it became."""
        found = self._match(value, former_district)
        if found.area_id is None or not self.tree.is_closed(found.area_id, self.today):
            return found
        return self._open_successor(found)

    def _open_successor(self, found: AreaMatch) -> AreaMatch:
        """A closed area's one open successor (followed through later changes), or why not."""
        closed = area_label(self.tree, found.area_id)
        current, seen = [found.area_id], set()
        while any(self.tree.is_closed(a, self.today) for a in current) and not seen & set(current):
            seen |= set(current)
            current = list(dict.fromkeys(
                n for a in current for n in (self.became.get(a, []) if
                                             self.tree.is_closed(a, self.today) else [a])))
        open_ones = [a for a in current if not self.tree.is_closed(a, self.today)]
        if len(open_ones) == 1:
            return AreaMatch(open_ones[0], converted=found.converted or closed)
        if not open_ones:
            return AreaMatch(None, _("%(area)s is closed and became no open area; choose an "
                                     "open one", area=closed))
        names = "; ".join(sorted(self.tree.path(a) for a in open_ones))
        return AreaMatch(None, _("%(area)s was split into %(candidates)s; write which one",
                                 area=closed, candidates=names))

    def _match(self, value: str, former_district: str = "") -> AreaMatch:
        if former_district:
            path = self._by_path(f"{former_district} › {value}")
            if path is not None:  # a province still kept on its districts
                return path
            converted = self._convert_name(value, former_district)
            if converted is not None:
                return converted
        if value.isascii() and value.isdigit():
            return self._by_code(value)
        return self._by_path(value) or self._by_name(value)

    def _by_code(self, code: str) -> AreaMatch:
        for candidate in dict.fromkeys((code, code.zfill(5))):  # Excel drops leading zeros
            if candidate in self.by_code:
                return AreaMatch(self.by_code[candidate])
            new_code = gazetteer.successor(candidate)
            if new_code in self.by_code:
                return AreaMatch(self.by_code[new_code], converted=self._legacy_name(candidate))
        return AreaMatch(None, _("no area of this province has the official code “%(code)s”",
                                 code=code))

    def _by_path(self, value: str) -> AreaMatch | None:
        for separator in SEPARATORS:
            if separator in value:
                joined = " › ".join(part.strip() for part in value.split(separator))
                # The exact path first: two paths may differ only by a diacritic.
                for key in (_nfc(joined).casefold(), reading_order(joined)):
                    if len(self.paths.get(key, ())) == 1:
                        return AreaMatch(self.paths[key][0])
        return None

    def _by_name(self, value: str) -> AreaMatch:
        folded = reading_order(value)
        # An exact name wins over a diacritic-free one: "Hà Trung" is not "Hạ Trung".
        for candidates in (self.exact.get(_nfc(value).casefold()), self.folded.get(folded),
                           self.bare.get(folded) if _bare(folded) == folded else None):
            if candidates and len(candidates) == 1:
                return AreaMatch(candidates[0])
            if candidates:
                names = "; ".join(sorted(self.tree.path(c) for c in candidates))
                return AreaMatch(None, _("“%(name)s” could be any of: %(candidates)s; write its "
                                         "official code or full name", name=value,
                                         candidates=names))
        return AreaMatch(None, _("no area of this province is named “%(name)s”", name=value))

    def _legacy_units(self) -> dict[tuple[str, str], list[gazetteer.LegacyUnit]]:
        """The province's pre-2025 communes by (former district, commune), both folded bare."""
        if self._legacy is None:
            self._legacy = {}
            for unit in gazetteer.legacy_units(self.official) if self.official else ():
                key = (_bare(reading_order(unit.district_name)), _bare(reading_order(unit.name)))
                self._legacy.setdefault(key, []).append(unit)
        return self._legacy

    def _legacy_name(self, code: str) -> str:
        units = (u for units in self._legacy_units().values() for u in units if u.code == code)
        unit = next(units, None)
        return f"{unit.name}, {unit.district_name} ({code})" if unit else code

    def _convert_name(self, value: str, district: str) -> AreaMatch | None:
        """A pre-2025 commune named with its former district, as the unit it became."""
        key = (_bare(reading_order(district)), _bare(reading_order(value)))
        units = self._legacy_units().get(key, [])
        if len(units) != 1:
            return None
        unit = units[0]
        old = f"{unit.name}, {unit.district_name}"
        new_code = gazetteer.successor(unit.code)
        if new_code in self.by_code:
            return AreaMatch(self.by_code[new_code], converted=old)
        new = next((u.name for u in gazetteer.units(self.official) if u.code == new_code), "?")
        return AreaMatch(None, _("the former %(old)s is now %(new)s (%(code)s), which this "
                                 "province has no area for", old=old, new=new,
                                 code=new_code or "?"))


def example_area_name(province_id: int, area_ids: frozenset[int] | None = None) -> str | None:
    """A commune/ward of the province (of `area_ids`, an area admin's reach, when given) for the
    template's example row (a leaf of its tree)."""
    tree = area_tree(province_id)
    leaves = [area_id for area_id in tree.names if not tree.children.get(area_id)
              and (area_ids is None or area_id in area_ids)]
    return tree.names[leaves[0]] if leaves else None
