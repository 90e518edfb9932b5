"""Numbers and dates in each language, formatted in one module, with Babel and without Flask."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from riskapp import formatting

ROOT = Path(__file__).resolve().parent.parent
HANOI = timezone(timedelta(hours=7))
DAY = date(2026, 12, 2)


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (DAY, "vi", "02/12/2026"),
    (DAY, "en", "2 Dec 2026"),
    ("2026-09-03", "vi", "03/09/2026"),
    ("2026-09-03", "en", "3 Sep 2026"),
    (datetime(2026, 12, 2, 23, 30), "vi", "02/12/2026"),
    (None, "vi", "—"),
    (None, "en", "—"),
])
def test_format_date(value, lang, expected):
    assert formatting.format_date(value, lang) == expected


def test_a_datetime_moves_into_the_zone_given_and_naive_means_utc():
    late = datetime(2026, 12, 2, 20, 5, 9)
    assert formatting.format_date(late, "vi", HANOI) == "03/12/2026"
    assert formatting.format_date(late.replace(tzinfo=UTC), "en", HANOI) == "3 Dec 2026"
    assert formatting.format_datetime(late, "vi", HANOI) == "03/12/2026 03:05"
    assert formatting.format_datetime(late, "en") == "2 Dec 2026 20:05"
    assert formatting.format_time(late, "vi", HANOI) == "03:05"
    assert formatting.format_time(late, "en", HANOI, seconds=True) == "03:05:09"
    assert formatting.format_datetime(None, "en") == formatting.format_time(None, "vi") == "—"


def test_chart_labels_are_short():
    assert formatting.format_day_month(DAY, "vi") == "02/12"
    assert formatting.format_day_month(DAY, "en") == "2 Dec"
    assert formatting.format_short_date(DAY, "vi") == "02/12/26"
    assert formatting.format_short_date(DAY, "en") == "2 Dec 26"


@pytest.mark.parametrize(("value", "lang", "digits", "expected"), [
    (1250, "vi", 0, "1.250"),
    (1250, "en", 0, "1,250"),
    (1250.5, "vi", 1, "1.250,5"),
    (1250.5, "en", 1, "1,250.5"),
    (Decimal("1234567.891"), "vi", 2, "1.234.567,89"),
    (Fraction(1, 3), "en", 2, "0.33"),
    (37.8, "vi", 0, "38"),
    (None, "vi", 1, "—"),
])
def test_format_number(value, lang, digits, expected):
    assert formatting.format_number(value, lang, digits) == expected


def test_a_whole_number_can_drop_its_decimals():
    assert formatting.format_number(4200.0, "vi", 1, trim_whole=True) == "4.200"
    assert formatting.format_number(72.5, "vi", 1, trim_whole=True) == "72,5"
    assert formatting.format_number(5, "en", 1) == "5.0"


def test_catalogue_texts_in_either_language():
    assert formatting.gettext("vi", "Log in") == "Đăng nhập"
    assert formatting.gettext("en", "Log in") == "Log in"
    assert formatting.gettext("vi", "Reminder: %(name)s", name="Hải Hà").endswith("Hải Hà")
    assert formatting.translations("vi") is formatting.translations("vi")  # loaded once
    assert formatting.translations("vi").pgettext("report", "Risk grade") == "Mức nguy cơ"


def test_a_stale_compiled_catalogue_gives_way_to_the_po(tmp_path, monkeypatch):
    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid "Log in"\nmsgstr "Vào"\n', encoding="utf-8")
    monkeypatch.setattr(formatting, "TRANSLATIONS_DIR", tmp_path)
    assert formatting._load_catalogue("vi").gettext("Log in") == "Vào"


@pytest.mark.parametrize("module", ["riskapp/formatting.py", "riskapp/reports/render.py",
                                    "riskapp/reports/labels.py", "riskapp/reports/pdf.py",
                                    "riskapp/charts.py"])
def test_the_pdf_path_imports_no_flask(module):
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [name for name in imported if name.split(".")[0].startswith("flask")]


def test_formatting_loads_without_flask():
    code = "import sys, riskapp.formatting; print(any(m.startswith('flask') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", "02/12/2026 · 03/12/2026 03:05 · 03:05:09 · 1.250,5 · —"),
    ("en", "2 Dec 2026 · 3 Dec 2026 03:05 · 03:05:09 · 1,250.5 · —"),
])
def test_template_filters_speak_the_request_language_in_vietnam_time(app, lang, expected):
    from flask import render_template_string, session

    late = datetime(2026, 12, 2, 20, 5, 9, tzinfo=UTC)
    with app.test_request_context():
        session["lang"] = lang
        page = render_template_string(
            "{{ day|date }} · {{ late|date }} · {{ late|time }} · {{ 1250.5|number(1) }} · "
            "{{ none|date }}", day=DAY, late=late, none=None)
    assert page == expected


@pytest.mark.parametrize(("size", "lang", "expected"), [
    (55591, "vi", "54,3 KB"),
    (55591, "en", "54.3 KB"),
    (512, "vi", "512 B"),
    (1024, "en", "1 KB"),
    (3 * 1024 * 1024 + 1, "vi", "3 MB"),
    (5_400_000_000, "en", "5 GB"),
    (None, "vi", "—"),
])
def test_file_sizes_read_as_people_say_them(size, lang, expected):
    assert formatting.format_file_size(size, lang) == expected
