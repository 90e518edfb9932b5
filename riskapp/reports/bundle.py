"""The bulk report ZIP: a readable file name per report and an index saying which file is which.

Names are ASCII (tax code, the enterprise's name without diacritics, the assessment date): every
unzip tool and file system shows them the same, where Vietnamese letters in ZIP entry names come
out garbled in older Windows tools. The index keeps the exact names.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from flask_babel import force_locale
from flask_babel import gettext as _

from riskapp import clock
from riskapp.filters import area_paths
from riskapp.spreadsheets import neutralise
from riskapp.templating import grade_label
from riskapp.territory import AreaTree, reading_order

INDEX_NAME = "index.csv"
SLUG_MAX_LENGTH = 60
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).


def name_slug(name: str) -> str:
    """'Công ty May Đông Hòa' → 'cong-ty-may-dong-hoa' (at most SLUG_MAX_LENGTH characters)."""
    slug = re.sub(r"[^a-z0-9]+", "-", reading_order(name)).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


def entry_name(tax_code: str, name: str, assessed_on: date) -> str:
    """'2800000001-cong-ty-may-dong-hoa-2026-01-15.pdf': sorted by tax code, readable, unique."""
    parts = [tax_code, name_slug(name), assessed_on.isoformat()]
    return "-".join(part for part in parts if part) + ".pdf"


@dataclass(frozen=True)
class IndexRow:
    tax_code: str
    name: str
    grade: object
    assessed_on: date | None
    submitted_at: datetime | None
    file_name: str
    made_in_id: int | None = None  # the area the assessment was made in
    area_id: int | None = None  # the enterprise's area today


def _day(value: date | datetime | None, tz: tzinfo) -> str:
    if isinstance(value, datetime):
        value = clock.local_date(value, tz)
    return value.isoformat() if value else ""


def index_csv(rows: list[IndexRow], lang: str, tz: tzinfo, tree: AreaTree | None = None) -> bytes:
    """The index as UTF-8 CSV with a byte-order mark (Excel then reads the Vietnamese right);
    headers and grades in ``lang``, dates as ISO days (``tz``: the day a submission counts on),
    areas (from the province's ``tree``) both as they were and as they are today."""
    with force_locale(lang):
        ids = {area for row in rows for area in (row.made_in_id, row.area_id)}
        paths = area_paths(tree, ids) if tree else {}
        header = [_("Tax code"), _("Enterprise"), _("Area at the time"), _("Area today"),
                  _("Risk grade"), _("Assessment date"), _("Submitted on"), _("File")]
        lines = [[row.tax_code, row.name, paths.get(row.made_in_id, ""),
                  paths.get(row.area_id, ""), grade_label(row.grade),
                  _day(row.assessed_on, tz), _day(row.submitted_at, tz), row.file_name]
                 for row in rows]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise(str(cell)) for cell in line] for line in lines)
    return ("\ufeff" + out.getvalue()).encode()
