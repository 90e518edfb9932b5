"""Importing enterprises from CSV or XLSX: a dry run that reports every bad row, then apply.

Partial: applying writes the good rows (in one transaction) and leaves the bad ones out; they come
back as a file to fix and upload again (re-importing the same file changes nothing). Rows are
matched by tax code, so a known tax code updates its enterprise instead of adding one.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, text

from riskapp.auditlog import record
from riskapp.auth.services import send_invitation
from riskapp.db import db
from riskapp.models import Enterprise, EnterpriseStatus, Role, User
from riskapp.province.import_areas import AreaMatcher
from riskapp.province.import_files import (
    ENGLISH_HEADERS,
    EXAMPLE_TAX_CODE,
    TEMPLATE,
    UndecodableFile,
    decode_csv,
)
from riskapp.province.rollups import ensure_status, new_status_values
from riskapp.templating import VSIC_SECTIONS
from riskapp.tenancy import Scope, area_in_reach

TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ROWS = 200_000
# Column keys, with the headers each may have in the file (English or Vietnamese, any case).
COLUMNS = {
    "tax_code": ("tax_code", "tax code", "mã số thuế", "mst"),
    "name": ("name", "enterprise", "tên doanh nghiệp", "tên"),
    "industry": ("industry", "ngành", "ngành nghề", "ngành kinh tế"),
    "area": ("area", "địa bàn", "khu vực", "xã/phường", "xã, phường", "phường/xã", "commune",
             "ward", "commune/ward", "mã xã"),
    "former_district": ("former_district", "former district", "huyện cũ", "quận/huyện cũ",
                        "huyện", "quận/huyện", "district"),
    "address": ("address", "địa chỉ"),
    "headcount": ("headcount", "head-count", "workers", "số lao động"),
    "officer_email": ("officer_email", "officer e-mail", "officer email", "email cán bộ",
                      "e-mail cán bộ", "email"),
}
REQUIRED = ("tax_code", "name", "industry", "area", "headcount")
OPTIONAL = ("address", "officer_email", "latitude", "longitude", "former_district")
COLUMNS["latitude"] = ("latitude", "vĩ độ")
COLUMNS["longitude"] = ("longitude", "kinh độ")
for _key, _vi, _en, _example in TEMPLATE:  # the template's own headers always read back
    COLUMNS[_key] += (_vi.lower(), _en.lower())
COLUMN_LABELS = {
    "tax_code": _l("tax code"),
    "name": _l("name"),
    "industry": _l("industry"),
    "area": _l("area"),
    "address": _l("address"),
    "headcount": _l("head-count"),
    "officer_email": _l("officer e-mail"),
    "latitude": _l("latitude"),
    "longitude": _l("longitude"),
    "former_district": _l("former district"),
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, missing columns)."""


@dataclass
class RowProblem:
    row: int  # as numbered in the file: 1 is the header
    column: str
    problem: str


@dataclass
class PlannedRow:
    row: int
    tax_code: str
    action: str  # "new", "updated", "unchanged"
    values: dict
    changes: list[str] = field(default_factory=list)
    invite: str | None = None  # officer e-mail to invite
    converted: str | None = None  # the pre-2025 unit the row's address named


@dataclass
class ImportPlan:
    problems: list[RowProblem]
    rows: list[PlannedRow]
    filename: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_rows(self) -> list[int]:
        return sorted({problem.row for problem in self.problems})

    @property
    def converted(self) -> int:
        return sum(1 for row in self.rows if row.converted)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def invites(self) -> int:
        return sum(1 for row in self.rows if row.invite)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def _parse(data: bytes, extension: str) -> pd.DataFrame:
    if extension == ".xlsx":
        return pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl",
                             keep_default_na=False)
    if extension == ".csv":
        return pd.read_csv(io.StringIO(decode_csv(data)), dtype=str,
                           keep_default_na=False, skipinitialspace=True)
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def _frame(data: bytes, filename: str) -> pd.DataFrame:
    try:
        return _parse(data, os.path.splitext(filename.lower())[1])
    except UndecodableFile as error:
        raise ImportFileError(_("Row %(row)d of the CSV file is not UTF-8, UTF-16 or Windows-1258 "
                                "text; save the file as “CSV UTF-8”.", row=error.row)) from error
    except ImportFileError:
        raise
    except Exception as error:  # pandas raises many kinds for a broken file
        raise ImportFileError(_("The file could not be read: %(error)s", error=str(error)[:200])) \
            from error


def _named_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Headers mapped to column keys; a column given under two headers is refused."""
    aliases = {alias: key for key, names in COLUMNS.items() for alias in names}
    headers_of: dict[str, list[str]] = {}
    for header in frame.columns:
        key = aliases.get(_norm(header).lower())
        if key:
            headers_of.setdefault(key, []).append(str(header))
    for key, headers in headers_of.items():
        if len(headers) > 1:
            raise ImportFileError(_("The column %(column)s is given twice: %(headers)s.",
                                    column=COLUMN_LABELS[key], headers=", ".join(headers)))
    return frame.rename(columns={headers[0]: key for key, headers in headers_of.items()})


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """The file as strings (leading zeros of tax codes kept), headers mapped to column keys."""
    frame = _named_columns(_frame(data, filename))
    missing = [str(COLUMN_LABELS[key]) for key in REQUIRED if key not in frame.columns]
    if missing:
        raise ImportFileError(_("Columns missing: %(columns)s.", columns=", ".join(missing)))
    if len(frame) > MAX_ROWS:
        raise ImportFileError(_("At most %(n)d rows per file.", n=MAX_ROWS))
    for key in OPTIONAL:
        if key not in frame.columns:
            frame[key] = ""
    frame = frame[list(REQUIRED) + list(OPTIONAL)].fillna("").map(_norm)
    # The template's English header line and example row are not data; the index keeps each
    # row's number in the file (index + 2) for the messages.
    tax_codes = frame["tax_code"].str.casefold()
    headers = ENGLISH_HEADERS | set(COLUMNS["tax_code"])
    return frame[~(tax_codes.isin(headers) | (tax_codes == EXAMPLE_TAX_CODE))]


def _industry_lookup() -> dict[str, str]:
    """Section letters by letter and by name in either language (Vietnamese: Decision
    27/2018/QĐ-TTg's wording, as files name them whatever the interface language)."""
    lookup = {letter: letter for letter in VSIC_SECTIONS}
    for lang in ("vi", "en"):
        with force_locale(lang):
            for letter, label in VSIC_SECTIONS.items():
                lookup[_norm(str(label)).lower()] = letter
    return lookup


def _number(value: str, low: float, high: float) -> float | None:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number if low <= number <= high and number == number else None


# Values per IN (...) list when looking up a file's tax codes and e-mails: the file may hold
# 200,000 rows, more bound parameters than a database takes in one statement.
LOOKUP_CHUNK = 1000


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start:start + LOOKUP_CHUNK]


def _enterprises_by_tax_code(tax_codes: list[str]) -> dict[str, Enterprise]:
    """The enterprises already registered under these tax codes, in any province."""
    existing: dict[str, Enterprise] = {}
    for chunk in _chunks(tax_codes):
        for enterprise in db.session.scalars(
            select(Enterprise).where(Enterprise.tax_code.in_(chunk))
        ):
            existing[enterprise.tax_code] = enterprise
    return existing


def _users_by_email(emails: list[str]) -> dict[str, User]:
    """The accounts of these e-mail addresses (lower case), by lower-cased e-mail."""
    users: dict[str, User] = {}
    for chunk in _chunks(emails):
        for user in db.session.scalars(select(User).where(func.lower(User.email).in_(chunk))):
            users[user.email.lower()] = user
    return users


@dataclass
class _Lookups:
    """What every row of one file is checked against, read once."""

    province_id: int
    industries: dict[str, str]
    areas: AreaMatcher
    enterprises: dict[str, Enterprise]
    users: dict[str, User]
    # The importer's reach: an area admin imports only into their own areas.
    scope: Scope | None = None
    rows_of: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


Report = Callable[[str, str], None]  # (column key, problem) of the row being checked


def _check_tax_code(tax_code: str, row: int, lookups: _Lookups, problem: Report) -> None:
    if not tax_code:
        problem("tax_code", _("missing"))
    elif not TAX_CODE.match(tax_code):
        problem("tax_code", _("“%(value)s” is not a tax code: 10 digits, or 10 digits, “-” "
                              "and 3 digits for a branch", value=tax_code))
    else:
        lookups.rows_of[tax_code].append(row)  # repeats are refused once every row is read
    enterprise = lookups.enterprises.get(tax_code)
    if enterprise is not None and enterprise.province_id != lookups.province_id:
        # Tax codes are unique nationwide, so the row is refused; the words never say that, or
        # where, another province has it (a province may not learn another's enterprises).
        problem("tax_code", _("this tax code cannot be used in this import"))
    elif (enterprise is not None and lookups.scope is not None
          and not area_in_reach(enterprise.area_id, lookups.scope)):
        problem("tax_code", _("this enterprise is outside your areas"))


def _check_name(name: str, problem: Report) -> None:
    if not name:
        problem("name", _("missing"))
    elif len(name) > 255:
        problem("name", _("longer than 255 characters"))


def _check_industry(value: str, industries: dict[str, str], problem: Report) -> str | None:
    """The VSIC section letter of a letter or a section name."""
    industry = industries.get(value.upper()) or industries.get(value.lower())
    if not value:
        problem("industry", _("missing"))
    elif industry is None:
        problem("industry", _("“%(value)s” is not a VSIC section: write a letter A–U or the "
                              "section's name", value=value))
    return industry


def _check_area(value: str, former_district: str, lookups: _Lookups,
                problem: Report) -> tuple[int | None, str | None]:
    """The area's id, and the pre-2025 unit the row named when it was converted."""
    if not value:
        problem("area", _("missing"))
        return None, None
    match = lookups.areas.match(value, former_district)
    if match.problem:
        problem("area", match.problem)
    elif lookups.scope is not None and not area_in_reach(match.area_id, lookups.scope):
        problem("area", _("“%(value)s” is outside your areas", value=value))
        return None, None
    return match.area_id, match.converted


def _check_headcount(value: str, problem: Report) -> int | None:
    """Thousands separators (space, dot, comma) are dropped: “1.200” is 1200 workers."""
    digits = value.replace(" ", "").replace(".", "").replace(",", "")
    if not digits:
        problem("headcount", _("missing"))
    elif not (digits.isascii() and digits.isdigit()) or int(digits) < 1:  # "²" is a digit
        problem("headcount", _("“%(value)s” is not a whole number of workers (1 or more)",
                               value=value))
    else:
        return int(digits)
    return None


def _check_coordinates(latitude_text: str, longitude_text: str,
                       problem: Report) -> tuple[float | None, float | None]:
    """Both empty is fine (no position); otherwise both must be valid."""
    if not (latitude_text or longitude_text):
        return None, None
    latitude = _number(latitude_text, -90, 90)
    longitude = _number(longitude_text, -180, 180)
    if latitude is None:
        problem("latitude", _("“%(value)s” is not a latitude", value=latitude_text))
    if longitude is None:
        problem("longitude", _("“%(value)s” is not a longitude", value=longitude_text))
    return latitude, longitude


def _check_officer(value: str, enterprise: Enterprise | None, lookups: _Lookups,
                   problem: Report) -> str | None:
    """The e-mail to invite: none when empty, bad, or already this enterprise's officer."""
    email = value.lower()
    if not email:
        return None
    if not EMAIL.match(email) or len(email) > 255:
        problem("officer_email", _("“%(value)s” is not an e-mail address", value=value))
        return None
    user = lookups.users.get(email)
    if user is None:
        return email
    if user.role == Role.OFFICER and enterprise is not None and user.enterprise_id == enterprise.id:
        return None
    if _province_of(user) == lookups.province_id:
        problem("officer_email",
                _("this e-mail already belongs to another account in this province"))
    else:
        # Same words whatever the account is (another province's, a platform admin's): the
        # dry run must not tell a province who has an account elsewhere.
        problem("officer_email", _("this e-mail cannot be used in this import"))
    return None


def _province_of(user: User) -> int | None:
    if user.province_id is not None:
        return user.province_id
    return user.enterprise.province_id if user.enterprise is not None else None


def _check_row(row: int, record_: dict[str, str],
               lookups: _Lookups) -> tuple[list[RowProblem], PlannedRow | None]:
    """One row's problems, in column order, or what applying it would do."""
    bad: list[RowProblem] = []

    def problem(column: str, text: str) -> None:
        bad.append(RowProblem(row, str(COLUMN_LABELS[column]), text))

    tax_code = record_["tax_code"]
    _check_tax_code(tax_code, row, lookups, problem)
    enterprise = lookups.enterprises.get(tax_code)
    _check_name(record_["name"], problem)
    industry = _check_industry(record_["industry"], lookups.industries, problem)
    area_id, converted = _check_area(record_["area"], record_["former_district"], lookups,
                                     problem)
    headcount = _check_headcount(record_["headcount"], problem)
    if len(record_["address"]) > 500:
        problem("address", _("longer than 500 characters"))
    latitude, longitude = _check_coordinates(record_["latitude"], record_["longitude"], problem)
    invite = _check_officer(record_["officer_email"], enterprise, lookups, problem)
    if bad:
        return bad, None
    values = {"name": record_["name"], "industry": industry, "area_id": area_id,
              "headcount": headcount, "address": record_["address"] or None}
    if latitude is not None:
        values.update(latitude=latitude, longitude=longitude)
    planned = _planned_row(row, tax_code, values, enterprise, invite)
    planned.converted = converted
    return [], planned


def _planned_row(row: int, tax_code: str, values: dict, enterprise: Enterprise | None,
                 invite: str | None) -> PlannedRow:
    if enterprise is None:
        return PlannedRow(row, tax_code, "new", values, invite=invite)
    changes = [key for key, value in values.items() if getattr(enterprise, key) != value]
    action = "updated" if changes or invite else "unchanged"
    return PlannedRow(row, tax_code, action, values, changes, invite)


def _refuse_repeats(lookups: _Lookups, problems: list[RowProblem],
                    planned: list[PlannedRow]) -> list[PlannedRow]:
    """Rows sharing a tax code are all refused, each naming the others: which one is right is
    the province's call, not the import's."""
    repeated = {code: rows for code, rows in lookups.rows_of.items() if len(rows) > 1}
    if not repeated:
        return planned
    label = str(COLUMN_LABELS["tax_code"])
    for code, rows in repeated.items():
        text = _("rows %(rows)s have the same tax code %(code)s",
                 rows=", ".join(str(row) for row in rows), code=code)
        problems.extend(RowProblem(row, label, text) for row in rows)
    problems.sort(key=lambda problem: problem.row)  # stable: a row's columns stay in order
    return [row for row in planned if row.tax_code not in repeated]


def plan_import(frame: pd.DataFrame, province_id: int, filename: str = "",
                scope: Scope | None = None) -> ImportPlan:
    """Check every row and work out what applying the file would do (reads, never writes); with
    a scope, a row outside its areas (new, or an enterprise there already) is refused."""
    lookups = _Lookups(
        province_id, _industry_lookup(), AreaMatcher(province_id),
        enterprises=_enterprises_by_tax_code([code for code in frame["tax_code"].tolist() if code]),
        users=_users_by_email(sorted({e.lower() for e in frame["officer_email"].tolist() if e})),
        scope=scope,
    )
    problems: list[RowProblem] = []
    planned: list[PlannedRow] = []
    for index, record_ in zip(frame.index.tolist(), frame.to_dict("records"), strict=True):
        row_problems, planned_row = _check_row(index + 2, record_, lookups)  # 1 is the header
        problems.extend(row_problems)
        if planned_row is not None:
            planned.append(planned_row)
    return ImportPlan(problems, _refuse_repeats(lookups, problems, planned), filename)


# Rows per INSERT batch or flush: one statement per row spends minutes on 100,000 rows.
WRITE_CHUNK = 1000


def _insert_new(rows: list[PlannedRow], province_id: int) -> dict[str, int]:
    """Insert the new enterprises and their roll-up rows in batches (a bulk INSERT fires no
    mapper events, so the roll-up row is written here); their ids by tax code."""
    ids: dict[str, int] = {}
    for start in range(0, len(rows), WRITE_CHUNK):
        chunk = rows[start:start + WRITE_CHUNK]
        values = [{"latitude": None, "longitude": None, **row.values,
                   "province_id": province_id, "tax_code": row.tax_code} for row in chunk]
        # Without RETURNING: psycopg sends the batch pipelined, several times faster on
        # PostgreSQL than the sorted "insertmanyvalues" RETURNING; the ids are read back.
        db.session.execute(insert(Enterprise), values)
        by_code = dict(db.session.execute(
            select(Enterprise.tax_code, Enterprise.id).where(
                Enterprise.province_id == province_id,
                Enterprise.tax_code.in_([row.tax_code for row in chunk]))).all())
        new_ids = [by_code[row.tax_code] for row in chunk]
        if start // WRITE_CHUNK % 10 == 9 and db.session.get_bind().dialect.name == "postgresql":
            # Statistics for the rows just added: without them the planner scans the whole
            # table for each batch's SELECT … IN, and a large import slows down as it grows.
            db.session.execute(text("ANALYZE enterprise"))
        db.session.execute(insert(EnterpriseStatus), [
            new_status_values(new_id, province_id, row["area_id"], row["industry"],
                              row["headcount"])
            for new_id, row in zip(new_ids, values, strict=True)])
        ids.update(zip((row.tax_code for row in chunk), new_ids, strict=True))
    return ids


def _write_rows(plan: ImportPlan, province_id: int) -> list[User]:
    """Add or update each good row's enterprise (with its roll-up row); the officers to invite."""
    ids = _insert_new([row for row in plan.rows if row.action == "new"], province_id)
    updated = [row for row in plan.rows if row.action == "updated"]
    existing = _enterprises_by_tax_code([row.tax_code for row in updated])
    for count, row in enumerate(updated, 1):
        enterprise = existing[row.tax_code]
        for key, value in row.values.items():
            setattr(enterprise, key, value)
        if count % WRITE_CHUNK == 0:
            db.session.flush()
    db.session.flush()
    for row in updated:
        ensure_status(existing[row.tax_code])  # one imported before roll-ups may lack its row
        ids[row.tax_code] = existing[row.tax_code].id
    invited = [User(email=row.invite, name="", role=Role.OFFICER, province_id=province_id,
                    enterprise_id=ids[row.tax_code], password_hash=None)
               for row in plan.rows if row.invite]
    db.session.add_all(invited)
    db.session.flush()
    return invited


def apply_import(plan: ImportPlan, province_id: int, user) -> dict[str, int]:
    """Write the plan's good rows, leaving its bad rows out; flushes (the request commits, so a
    failure part-way leaves nothing written)."""
    invited = _write_rows(plan, province_id)
    inviter = getattr(user, "name", "") or getattr(user, "email", "")
    for officer in invited:
        send_invitation(officer, inviter)
        record("user_invited", officer, user=user, subject_email=officer.email)
    summary = {"new": plan.count("new"), "updated": plan.count("updated"),
               "unchanged": plan.count("unchanged"), "invited": len(invited),
               "rejected": len(plan.bad_rows), "converted": plan.converted}
    record(
        "enterprises_imported",
        object_type="import",
        details={**summary, "file": plan.filename},
        user=user,
    )
    return summary
