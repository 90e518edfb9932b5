"""The files around an enterprise import: reading a CSV in whatever encoding Excel saved it in,
the template to fill in, and the rows that were not imported, with their problems, to fix."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask_babel import gettext as _

from riskapp.province.xlsx import write_workbook


class UndecodableFile(ValueError):
    """No encoding this import knows reads the file; `row` is where UTF-8 first failed."""

    def __init__(self, row: int):
        super().__init__(f"undecodable bytes on row {row}")
        self.row = row


# Column key, Vietnamese header (the first line), English header (the second line), example value.
TEMPLATE = (
    ("tax_code", "Mã số thuế", "Tax code (10 digits; a branch: 10 digits-3 digits)", "0000000000"),
    ("name", "Tên doanh nghiệp", "Enterprise name", "Công ty TNHH Ví Dụ"),
    ("industry", "Ngành", "Industry (VSIC section A–U or its name)", "C"),
    ("area", "Xã/phường", "Commune/ward (name or official code)", "Phường Hạc Thành"),
    ("former_district", "Huyện cũ", "Former district (optional, for pre-2025 addresses)", ""),
    ("address", "Địa chỉ", "Address", "Số 1 Lê Lợi"),
    ("headcount", "Số lao động", "Head-count", "120"),
    ("officer_email", "Email cán bộ", "Officer e-mail (optional)", ""),
    ("latitude", "Vĩ độ", "Latitude (optional)", ""),
    ("longitude", "Kinh độ", "Longitude (optional)", ""),
)
# The example row's tax code: a row carrying it is the template's example and is skipped.
EXAMPLE_TAX_CODE = "0000000000"
ENGLISH_HEADERS = {english.casefold() for _key, _vi, english, _example in TEMPLATE}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _row_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode_csv(data: bytes) -> str:
    """The text of a CSV in UTF-8 (with or without BOM), UTF-16 or Windows-1258."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data[:1] == b"\x00" or data[1:2] == b"\x00":  # UTF-16 saved without its BOM
        return data.decode("utf-16-be" if data[:1] == b"\x00" else "utf-16-le")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        first_bad = error.start
    try:
        # Windows-1258 writes tone marks as combining characters; rows are NFC-normalised after.
        return data.decode("cp1258")
    except UnicodeDecodeError as error:
        # Whichever reading got further tells what the file is: its bad row is where that failed.
        raise UndecodableFile(_row_of(data, max(first_bad, error.start))) from error


def _csv_bytes(rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")  # the BOM: Excel then reads UTF-8


def template_file(fmt: str, example_area: str | None = None) -> bytes:
    """The file to fill in: Vietnamese headers, English ones under them, one example row."""
    example = [value for _key, _vi, _en, value in TEMPLATE]
    if example_area:
        example[3] = example_area
    if fmt == "xlsx":
        english = [en for _key, _vi, en, _example in TEMPLATE]
        return write_workbook([("Doanh nghiệp", [vi for _key, vi, _en, _ex in TEMPLATE],
                                [english, example])])
    return _csv_bytes([[vi for _key, vi, _en, _ex in TEMPLATE],
                       [en for _key, _vi, en, _ex in TEMPLATE], example])


def rejected_file(fmt: str, rows: Iterable[tuple[int, dict[str, str], str]]) -> bytes:
    """The rows not imported, under the template's headers (so the fixed file imports as is),
    with the row in the original file and the problems (in the reader's language) last."""
    header = [vi for _key, vi, _en, _ex in TEMPLATE] + [_("Row"), _("Problem")]
    body = ([values.get(key, "") for key, _vi, _en, _ex in TEMPLATE] + [row, problems]
            for row, values, problems in rows)
    if fmt == "xlsx":
        return write_workbook([(_("Rows not imported")[:31], header, body)])
    return _csv_bytes([header, *body])
