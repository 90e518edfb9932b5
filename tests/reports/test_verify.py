"""Public verification: /verify pages, PDF upload, the published key, `flask verify-report`."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from riskapp.reports import signing
from tests.audit.support import report_row, submitted


@pytest.fixture
def english(client):
    # Pages are read in English so the assertions do not depend on the Vietnamese catalogue.
    client.get("/lang/en")
    return client


@pytest.fixture
def first_and_second(app, world):
    """Two assessments of one enterprise: the first superseded by the second."""
    first = submitted(app, world.a.enterprise, world.a.officer, on=date(2026, 1, 15))
    second = submitted(app, world.a.enterprise, world.a.officer, on=date(2026, 2, 20),
                       ORG_2="yes", ORG_3="yes", MSK_4="yes")
    return report_row(app, first), report_row(app, second)


def _upload(client, url: str, pdf: bytes):
    return client.post(
        url, data={"pdf": (io.BytesIO(pdf), "report.pdf")}, content_type="multipart/form-data"
    )


def _tampered(pdf: bytes) -> bytes:
    middle = len(pdf) // 2
    return pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]


def test_current_report_page_shows_its_facts_without_login(app, world, english, first_and_second):
    _first, second = first_and_second
    page = english.get(f"/verify/{second.verification_code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Công ty May Đông Hòa TH" in text
    assert "2800000001" in text
    assert "Current" in text and "Superseded" not in text
    assert second.sha256 in text
    assert "very low" in text  # the second assessment's grade


def test_superseded_report_page_says_so(app, world, english, first_and_second):
    first, _second = first_and_second
    text = english.get(f"/verify/{first.verification_code}").get_data(as_text=True)
    assert "Superseded" in text
    assert first.sha256 in text
    assert ">low<" in text  # the grade at the time, not the newer one


def test_code_is_accepted_in_lower_case_and_without_hyphen(app, world, english, first_and_second):
    code = first_and_second[0].verification_code
    assert english.get(f"/verify/{code.replace('-', '').lower()}").status_code == 200
    typed = english.get("/verify", query_string={"code": code.lower()})
    assert typed.status_code == 302


@pytest.mark.parametrize("code", ["ZZZZ-ZZZZ", "not-a-code", "0000-0000"])
def test_unknown_code_answers_404_and_says_nothing_else(english, first_and_second, code):
    page = english.get(f"/verify/{code}")
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "Unknown verification code" in text
    assert "Công ty" not in text and "2800000001" not in text


def test_genuine_upload_is_confirmed(app, world, english, first_and_second):
    first, _second = first_and_second
    result = _upload(english, f"/verify/{first.verification_code}", first.pdf)
    assert result.status_code == 200
    assert "Genuine report" in result.get_data(as_text=True)


def test_tampered_upload_is_rejected(app, world, english, first_and_second):
    first, _second = first_and_second
    result = _upload(english, f"/verify/{first.verification_code}", _tampered(first.pdf))
    text = result.get_data(as_text=True)
    assert "Not a genuine report" in text
    assert "Genuine report" not in text


def test_another_genuine_report_is_not_genuine_for_this_code(app, world, english, first_and_second):
    first, second = first_and_second
    text = _upload(english, f"/verify/{first.verification_code}", second.pdf).get_data(as_text=True)
    assert "Not a genuine report" in text
    assert "different report" in text


def test_upload_without_a_code_finds_the_report(app, world, english, first_and_second):
    _first, second = first_and_second
    text = _upload(english, "/verify", second.pdf).get_data(as_text=True)
    assert "Genuine report" in text
    assert second.public_id in text
    assert "Not a genuine report" in _upload(english, "/verify", b"%PDF-1.7 nothing").get_data(
        as_text=True
    )


def test_upload_without_a_file_keeps_the_page_and_says_why(app, world, english, first_and_second):
    response = english.post(f"/verify/{first_and_second[0].verification_code}", data={})
    assert response.status_code == 400
    assert "Choose the PDF file to check." in response.get_data(as_text=True)


def test_public_key_is_published_and_checks_the_stored_pdf(app, world, client, first_and_second):
    response = client.get("/verify/public-key.pem")
    assert response.status_code == 200
    key = signing.load_public_key(response.data)
    first, _second = first_and_second
    assert signing.verify_report(first.pdf, key).valid
    assert not signing.verify_report(_tampered(first.pdf), key).valid


def test_cli_verify_report_exit_codes(app, world, first_and_second, tmp_path, client):
    first, _second = first_and_second
    genuine = tmp_path / "genuine.pdf"
    genuine.write_bytes(first.pdf)
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(_tampered(first.pdf))
    runner = app.test_cli_runner()

    ok = runner.invoke(args=["verify-report", str(genuine)])
    assert ok.exit_code == 0, ok.output
    assert "GENUINE" in ok.output and first.public_id in ok.output

    bad = runner.invoke(args=["verify-report", str(changed)])
    assert bad.exit_code == 1
    assert "NOT GENUINE" in bad.output

    missing = runner.invoke(args=["verify-report", str(tmp_path / "absent.pdf")])
    assert missing.exit_code == 1

    # Offline, with only the published key.
    public_pem = tmp_path / "key.pem"
    public_pem.write_bytes(client.get("/verify/public-key.pem").data)
    offline = runner.invoke(args=["verify-report", str(genuine), "--public-key", str(public_pem)])
    assert offline.exit_code == 0, offline.output


def test_upload_is_rate_limited(dedicated_app, world, first_and_second, tmp_path):
    first, _second = first_and_second
    limited = dedicated_app(
        RATELIMIT_ENABLED=True, VERIFY_UPLOAD_RATE_LIMIT="2 per minute", STORAGE_DIR=str(tmp_path)
    )
    client = limited.test_client()
    url = f"/verify/{first.verification_code}"
    statuses = [_upload(client, url, first.pdf).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(url).status_code == 200  # reading the page is not limited


# --------------------------------------------------------------------------- what was signed


def _rename(app, enterprise_id: int, name: str) -> None:
    from riskapp.db import db
    from riskapp.models import Enterprise

    with app.app_context():
        db.session.get(Enterprise, enterprise_id).name = name
        db.session.commit()


def test_page_vouches_for_the_signed_name_and_says_when_the_live_name_differs(
    app, world, english, first_and_second
):
    _first, second = first_and_second
    _rename(app, world.a.enterprise.id, "Công ty Đổi Tên Mới")
    text = english.get(f"/verify/{second.verification_code}").get_data(as_text=True)
    facts = text.split('class="facts"', 1)[1]
    # The name printed and signed in the report comes first; the new one is only a note.
    assert facts.index("Công ty May Đông Hòa TH") < facts.index("Công ty Đổi Tên Mới")
    assert "The enterprise has been renamed since the report was signed" in text
    assert "as signed in the report" in text


def test_unchanged_name_has_no_rename_note(app, world, english, first_and_second):
    text = english.get(f"/verify/{first_and_second[1].verification_code}").get_data(as_text=True)
    assert "renamed" not in text


def test_page_shows_the_signed_grade_and_score(app, world, english, first_and_second):
    first, _second = first_and_second
    text = english.get(f"/verify/{first.verification_code}").get_data(as_text=True)
    assert ">low<" in text
    assert f"{first.payload['score']:.1f}" in text


# --------------------------------------------------------------------------- unmistakable verdicts


def _verdict(text: str) -> tuple[str, str]:
    """(state, inner HTML) of the page's verdict box."""
    match = re.search(r'<section class="verdict verdict-(\w+)" role="status"[^>]*>(.*?)</section>',
                      text, re.S)
    assert match, "no verdict box"
    return match[1], match[2]


def test_genuine_upload_has_a_green_tick_verdict(app, world, english, first_and_second):
    _first, second = first_and_second
    state, body = _verdict(_upload(english, "/verify", second.pdf).get_data(as_text=True))
    assert state == "genuine"
    assert 'class="verdict-icon"' in body and "<h2" in body and "Genuine report" in body


def test_forged_upload_has_a_red_cross_verdict(app, world, english, first_and_second):
    first, _second = first_and_second
    page = _upload(english, f"/verify/{first.verification_code}", _tampered(first.pdf))
    state, body = _verdict(page.get_data(as_text=True))
    assert state == "forged"
    assert "Not a genuine report" in body


def test_unknown_code_has_its_own_verdict(english, first_and_second):
    state, body = _verdict(english.get("/verify/ZZZZ-ZZZZ").get_data(as_text=True))
    assert state == "unknown"
    assert "Unknown verification code" in body


def test_code_lookup_verdict_says_current_or_superseded(app, world, english, first_and_second):
    first, second = first_and_second
    assert _verdict(english.get(f"/verify/{second.verification_code}").get_data(
        as_text=True))[0] == "genuine"
    state, body = _verdict(english.get(f"/verify/{first.verification_code}").get_data(
        as_text=True))
    assert state == "superseded"
    assert "Superseded" in body


def test_size_reads_in_kilobytes_not_a_long_byte_count(app, world, english, first_and_second):
    _first, second = first_and_second
    text = english.get(f"/verify/{second.verification_code}").get_data(as_text=True)
    size = re.search(r"<dt>Size</dt><dd>([^<]*)</dd>", text)[1]
    assert re.fullmatch(r"\d{1,4}(\.\d)? KB", size), size
