"""Every user-facing string has a Vietnamese translation, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {
    "_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2),
    "N_": ((1, "c"), 2),  # the PDF report's labels, under their own msgctxt
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _source_msgids() -> set[tuple[str, str | None]]:
    """(msgid, msgctxt) of every string marked in the code and the templates."""
    found: set[tuple[str, str | None]] = set()
    methods = {
        "riskapp": [("**.py", "python")],
        "templates": [("**.html", "jinja2")],
    }
    for folder, method_map in methods.items():
        for _filename, _lineno, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map=method_map, keywords=KEYWORDS
        ):
            # A plural message is keyed by its singular form in the catalogue.
            found.add((message if isinstance(message, str) else message[0], context))
    return found


def _catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="vi")


def test_every_source_string_is_translated_to_vietnamese():
    catalogue = _catalogue()
    def translated(msgid: str, context: str | None) -> bool:
        message = catalogue.get(msgid, context)
        if message is None or message.fuzzy:
            return False
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return all(strings)

    source = _source_msgids()
    assert ("Risk grade", "report") in source  # the report's labels are seen
    missing = sorted(msgid for msgid, context in source if not translated(msgid, context))
    assert missing == [], f"{len(missing)} strings lack a Vietnamese translation: {missing[:20]}"


def test_translations_keep_their_placeholders():
    wrong = []
    for message in _catalogue():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if text and sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append(ids[0])
    assert wrong == []


def test_vietnamese_translations_carry_diacritics():
    # A catalogue typed without diacritics ("Dang nhap") would pass the tests above.
    strings = [m.string for m in _catalogue() if m.id and isinstance(m.string, str) and m.string]
    marks = re.compile(r"[ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ]", re.I)
    with_marks = [s for s in strings if marks.search(s)]
    assert len(with_marks) >= 0.8 * len(strings)


def test_pages_are_vietnamese_by_default_and_english_on_request(app):
    from riskapp import create_app

    default_app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            # Flask-Limiter's switch is global: left on, later tests' logins would hit 429.
            "RATELIMIT_ENABLED": False,
        }
    )
    assert default_app.config["BABEL_DEFAULT_LOCALE"] == "vi"
    client = default_app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="vi"' in page and "Đăng nhập" in page
    client.get("/lang/en")
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Log in" in page
