"""What every template gets: language, grade words and colours, formatting, security headers."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l

from riskapp import clock, formatting
from riskapp.i18n import current_lang
from riskapp.models import ActionStatus, AssessmentStatus, Grade, ReviewStatus, Role
from riskapp.reminders import current_notices
from riskapp.tenancy import may_open

GRADE_LABELS = {
    Grade.VERY_LOW: _l("very low"),
    Grade.LOW: _l("low"),
    Grade.MEDIUM: _l("medium"),
    Grade.HIGH: _l("high"),
    Grade.VERY_HIGH: _l("very high"),
}
REVIEW_STATUS_LABELS = {
    ReviewStatus.PENDING: _l("awaiting review"),
    ReviewStatus.ACCEPTED: _l("accepted"),
    ReviewStatus.AUTO_ACCEPTED: _l("accepted automatically"),
    ReviewStatus.RETURNED: _l("returned for correction"),
}
ROLE_LABELS = {
    Role.OFFICER: _l("Enterprise safety officer"),
    Role.AUDITOR: _l("Auditor"),
    Role.AREA_VIEWER: _l("Commune/ward viewer"),
    Role.AREA_ADMIN: _l("Commune/ward administrator"),
    Role.PROVINCE_VIEWER: _l("Province viewer"),
    Role.PROVINCE_ADMIN: _l("Province administrator"),
    Role.PLATFORM_ADMIN: _l("Platform administrator"),
}
ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: _l("open"),
    ActionStatus.IN_PROGRESS: _l("in progress"),
    ActionStatus.DONE: _l("done"),
    ActionStatus.VERIFIED: _l("verified"),
    ActionStatus.SUPERSEDED: _l("replaced by a newer assessment"),
}
ASSESSMENT_STATUS_LABELS = {
    AssessmentStatus.DRAFT: _l("draft"),
    AssessmentStatus.SUBMITTED: _l("submitted"),
    AssessmentStatus.SUPERSEDED: _l("superseded"),
}
AREA_LEVEL_LABELS = {
    1: _l("Level 1 — low (green)"),
    2: _l("Level 2 — medium (yellow)"),
    3: _l("Level 3 — high (orange)"),
    4: _l("Level 4 — very high (red)"),
}
AREA_LEVEL_COLOURS = {1: "green", 2: "yellow", 3: "orange", 4: "red"}
VSIC_SECTIONS = {
    "A": _l("Agriculture, forestry and fishing"),
    "B": _l("Mining and quarrying"),
    "C": _l("Manufacturing"),
    "D": _l("Electricity, gas, steam and air conditioning supply"),
    "E": _l("Water supply; sewerage, waste management and remediation"),
    "F": _l("Construction"),
    "G": _l("Wholesale and retail trade; repair of motor vehicles and motorcycles"),
    "H": _l("Transportation and storage"),
    "I": _l("Accommodation and food service activities"),
    "J": _l("Information and communication"),
    "K": _l("Financial, banking and insurance activities"),
    "L": _l("Real estate activities"),
    "M": _l("Professional, scientific and technical activities"),
    "N": _l("Administrative and support service activities"),
    "O": _l(
        "Activities of the Communist Party, socio-political organisations, public administration "
        "and defence; compulsory social security"
    ),
    "P": _l("Education and training"),
    "Q": _l("Human health and social work activities"),
    "R": _l("Arts, entertainment and recreation"),
    "S": _l("Other service activities"),
    "T": _l(
        "Activities of households as employers; undifferentiated goods- and services-producing "
        "activities of households for own use"
    ),
    "U": _l("Activities of extraterritorial organisations and bodies"),
}


def grade_label(grade) -> str:
    if grade is None:
        return str(_l("not assessed"))
    return str(GRADE_LABELS[Grade(grade)])


def grade_words() -> dict[str, str]:
    """Every grade's words in the request's language, by grade value."""
    return {grade.value: grade_label(grade) for grade in Grade}


def grade_colour(grade) -> str:
    return "grey" if grade is None else Grade(grade).colour


def fmt_waiting(since) -> str:
    """How long something has waited until now ("3 days"), in the request's language."""
    return formatting.format_elapsed(since, clock.now(), current_lang())


def fmt_date(value, zone: str | None = None) -> str:
    """A date (or a datetime, with its time) in the request's language and time zone (or the
    IANA ``zone`` given, e.g. a report's province's)."""
    tz = clock.zone(zone) if zone else get_timezone()
    if isinstance(value, datetime):
        return formatting.format_datetime(value, current_lang(), tz)
    return formatting.format_date(value, current_lang(), tz)


def fmt_time(value: datetime) -> str:
    """Hours, minutes and seconds in the user's time zone (e.g. how old the figures are)."""
    return formatting.format_time(value, current_lang(), get_timezone(), seconds=True)


def fmt_number(value, digits: int = 0) -> str:
    return formatting.format_number(value, current_lang(), digits)


def fmt_file_size(size) -> str:
    return formatting.format_file_size(size, current_lang())


def _csp(app: Flask) -> str:
    tiles = urlsplit(app.config.get("MAP_TILE_URL", ""))
    tile_host = tiles.netloc.replace("{s}.", "*.")
    # An intranet tile server may well be plain http: allow the scheme the setting names.
    tile_source = f" {tiles.scheme or 'https'}://{tile_host}" if tile_host else ""
    img_sources = "'self' data: blob:" + tile_source
    # No inline script anywhere: every script is a file under /static.
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src {img_sources}; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'; "
        "worker-src 'self'; manifest-src 'self'"
    )


def init_app(app: Flask) -> None:
    csp = _csp(app)

    @app.context_processor
    def inject_helpers():
        return {
            "lang": current_lang(),
            "grade_label": grade_label,
            "grade_words": grade_words,
            "grade_colour": grade_colour,
            "Grade": Grade,
            "Role": Role,
            "ROLE_LABELS": ROLE_LABELS,
            "ACTION_STATUS_LABELS": ACTION_STATUS_LABELS,
            "ASSESSMENT_STATUS_LABELS": ASSESSMENT_STATUS_LABELS,
            "REVIEW_STATUS_LABELS": REVIEW_STATUS_LABELS,
            "AREA_LEVEL_LABELS": AREA_LEVEL_LABELS,
            "AREA_LEVEL_COLOURS": AREA_LEVEL_COLOURS,
            "VSIC_SECTIONS": VSIC_SECTIONS,
            "today": clock.today(),
        }

    # The officer's reminders, shown by the base layout and the officer's overview.
    app.add_template_global(current_notices, "reminder_notices")
    # Links only to pages the user's role may open (the route's own roles, riskapp.tenancy).
    app.add_template_global(may_open, "may_open")
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_number, "number")
    app.add_template_filter(fmt_time, "time")
    app.add_template_filter(fmt_file_size, "filesize")
    app.add_template_filter(fmt_waiting, "waiting")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if current_app.config.get("ENV_NAME") == "production":
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
