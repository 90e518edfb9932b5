"""Numbers, dates and catalogue texts in a given language, with Babel: the one module that formats.

Pure (no Flask): the PDF renderer calls it outside any request, and the web's template filters
(riskapp.templating) wrap it with the request's language and time zone. A missing value is "—".
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import DateTimePattern, format_timedelta
from babel.dates import parse_pattern as parse_date_pattern
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern
from babel.numbers import parse_pattern as parse_number_pattern
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
MISSING = "—"
# One way per language, not CLDR's "short" (which gives 2/12/26 in Vietnamese, 12/2/26 in English):
# Vietnamese day/month/year in digits, English the month's name (2 Dec 2026: no order to guess).
DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
SHORT_DATE_PATTERNS = {"vi": "dd/MM/yy", "en": "d MMM yy"}
DAY_MONTH_PATTERNS = {"vi": "dd/MM", "en": "d MMM"}
TIME_PATTERN, TIME_SECONDS_PATTERN = "HH:mm", "HH:mm:ss"


@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@lru_cache(maxsize=32)
def _date_pattern(pattern: str) -> DateTimePattern:
    return parse_date_pattern(pattern)


def _pattern(patterns: dict[str, str], lang: str) -> str:
    # Only vi and en are offered; any other language gets the English layout in its own words.
    return patterns.get(lang, patterns["en"])


def _moment(value: date | datetime | str, tz: tzinfo | None) -> date | datetime:
    """A date or datetime from ``value``; a datetime moves into ``tz`` (naive ones are UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value \
            else date.fromisoformat(value)
    if isinstance(value, datetime) and tz is not None:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(tz)
    return value


def _apply(pattern: str, value: date | datetime, lang: str) -> str:
    return _date_pattern(pattern).apply(value, _locale(lang))


def format_date(value: date | datetime | str | None, lang: str, tz: tzinfo | None = None) -> str:
    """The day: 02/12/2026 in Vietnamese, 2 Dec 2026 in English."""
    if value is None:
        return MISSING
    return _apply(_pattern(DATE_PATTERNS, lang), _moment(value, tz), lang)


def format_short_date(value: date | datetime | str | None, lang: str,
                      tz: tzinfo | None = None) -> str:
    """The day with a two-digit year, for narrow chart labels: 02/12/26, 2 Dec 26."""
    if value is None:
        return MISSING
    return _apply(_pattern(SHORT_DATE_PATTERNS, lang), _moment(value, tz), lang)


def format_datetime(value: datetime | str | None, lang: str, tz: tzinfo | None = None) -> str:
    """The day and the minute: 02/12/2026 14:05 (a plain date gives the day alone)."""
    if value is None:
        return MISSING
    moment = _moment(value, tz)
    if not isinstance(moment, datetime):
        return format_date(moment, lang)
    return _apply(f"{_pattern(DATE_PATTERNS, lang)} {TIME_PATTERN}", moment, lang)


def format_time(value: datetime | str | None, lang: str, tz: tzinfo | None = None,
                seconds: bool = False) -> str:
    """The time of day: 14:05, or 14:05:09 with ``seconds``."""
    if value is None:
        return MISSING
    return _apply(TIME_SECONDS_PATTERN if seconds else TIME_PATTERN, _moment(value, tz), lang)


def format_day_month(value: date | datetime | str | None, lang: str) -> str:
    """Day and month for chart axes: 02/12 in Vietnamese, 2 Dec in English."""
    if value is None:
        return MISSING
    return _apply(_pattern(DAY_MONTH_PATTERNS, lang), _moment(value, None), lang)


@lru_cache(maxsize=8)
def _number_pattern(digits: int) -> NumberPattern:
    # Parsed once: a dashboard formats hundreds of figures, and Babel re-parses on each call.
    return parse_number_pattern("#,##0" + ("." + "0" * digits if digits else ""))


def format_elapsed(since: datetime | None, now: datetime, lang: str) -> str:
    """How long ago ``since`` was, in whole units ("3 days", "5 hours"): a queue's waiting time."""
    if since is None:
        return MISSING
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return format_timedelta(max(now - since, now - now), threshold=1, locale=_locale(lang))


def format_number(value, lang: str, digits: int = 0, trim_whole: bool = False) -> str:
    """A number with the language's grouping and decimal mark: 1.250,5 (vi), 1,250.5 (en).

    ``digits`` is the number of decimals; with ``trim_whole`` a whole number has none (5, not 5,0).
    """
    if value is None:
        return MISSING
    if not isinstance(value, int | float | Decimal):
        value = float(value)  # e.g. a Fraction, which Babel cannot read
    if trim_whole and float(value).is_integer():
        digits = 0
    return _number_pattern(digits).apply(value, _locale(lang))


def answer_words(item, answer, lang: str) -> str:
    """A checklist answer as people read it: the option's words, or the number (in the
    language's notation) with its unit. `item` is the engine's checklist item."""
    if answer is None or answer == "":
        return MISSING
    for option in item.options or ():
        if option.id == str(answer):
            return option.label.get(lang)
    if isinstance(answer, bool):
        return str(answer)
    text = (format_number(answer, lang, 1, trim_whole=True)
            if isinstance(answer, int | float | Decimal) else str(answer))
    if item.unit is not None:
        return f"{text} {item.unit.get(lang)}"
    return f"{text} %" if item.kind.value == "percent" else text


def _load_catalogue(lang: str) -> NullTranslations:
    folder = TRANSLATIONS_DIR / lang / "LC_MESSAGES"
    mo, po = folder / "messages.mo", folder / "messages.po"
    # The committed .po wins over a .mo compiled before its last edit (or never compiled).
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle)
    if po.is_file():
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=lang)
        compiled = io.BytesIO()
        write_mo(compiled, catalogue)
        compiled.seek(0)
        return Translations(compiled)
    return NullTranslations()


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The project's catalogue for ``lang``; English needs none (the msgids are English)."""
    if lang == "en":
        return NullTranslations()
    return _load_catalogue(lang)


def gettext(lang: str, msgid: str, **params) -> str:
    """``msgid`` translated into ``lang``, with its %(name)s placeholders filled from ``params``."""
    text = translations(lang).gettext(msgid)
    return text % params if params else text


FILE_SIZE_UNITS = ("B", "KB", "MB", "GB", "TB")


def format_file_size(size: int | None, lang: str) -> str:
    """A file size as people say it: 54,3 KB (vi), 54.3 KB (en); 1 KB = 1024 bytes, one decimal
    unless it is zero (3 MB, not 3,0 MB)."""
    if size is None:
        return MISSING
    value, unit = float(size), 0
    while value >= 1024 and unit < len(FILE_SIZE_UNITS) - 1:
        value /= 1024
        unit += 1
    if unit == 0:
        return f"{format_number(int(size), lang)} {FILE_SIZE_UNITS[0]}"
    return f"{format_number(round(value, 1), lang, 1, trim_whole=True)} {FILE_SIZE_UNITS[unit]}"
