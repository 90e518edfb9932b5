"""The PDF report: contents in both languages, fonts, and a fetcher that reaches nothing private."""

from __future__ import annotations

import base64
import io
import logging
import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace

import pytest
import weasyprint
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from pypdf import PdfReader

from riskapp import formatting
from riskapp.reports.labels import labels
from riskapp.reports.pdf import STATIC_BASE_URL, STATIC_DIR, render_pdf, safe_url_fetcher
from riskapp.reports.render import build_report_html, render_report
from tests.reports.sample import sample_report_data

# A 1×1 red PNG.
RED_PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdftotext(pdf: bytes) -> str:
    assert shutil.which("pdftotext"), "poppler-utils must be installed (apt-get install)"
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=True)
    return nfc(out.stdout.decode("utf-8"))


def pypdf_text(pdf: bytes) -> str:
    return nfc("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def flat(text: str) -> str:
    """Extracted text with line breaks and repeated spaces folded (table cells wrap)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def data_vi():
    return sample_report_data("vi")


@pytest.fixture(scope="module")
def pdf_vi(data_vi):
    return render_report(data_vi)


@pytest.fixture(scope="module")
def data_en():
    return sample_report_data("en")


@pytest.fixture(scope="module")
def pdf_en(data_en):
    return render_report(data_en)


def test_harfbuzz_subsetter_is_available():
    # Without Debian's libharfbuzz-subset0 WeasyPrint silently uses a 2.5× slower subsetter.
    assert weasyprint.text.ffi.harfbuzz_subset is not None


def test_every_font_is_embedded_and_subset(pdf_vi):
    assert shutil.which("pdffonts"), "poppler-utils must be installed (apt-get install)"
    listing = subprocess.run(["pdffonts", "-"], input=pdf_vi, capture_output=True,
                             check=True).stdout.decode().splitlines()[2:]
    assert listing, "the report uses no font"
    for row in listing:
        name, columns = row.split()[0], row.split()
        emb, sub = columns[-5], columns[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert re.fullmatch(r"[A-Z]{6}\+DejaVu.*", name), row


def test_report_is_a4_and_renders_without_warnings(data_vi, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_report(data_vi)
    # A font or stylesheet the fetcher could not load would be logged here.
    assert [r.getMessage() for r in caplog.records] == []
    pages = PdfReader(io.BytesIO(pdf)).pages
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)


@pytest.mark.parametrize("extract", [pdftotext, pypdf_text])
def test_vietnamese_report_text_keeps_its_diacritics(pdf_vi, data_vi, extract):
    text = flat(extract(pdf_vi))
    result = data_vi.result
    expected = [
        "Báo cáo đánh giá nguy cơ lây nhiễm tại nơi làm việc",
        data_vi.enterprise.name,
        data_vi.enterprise.tax_code,
        data_vi.enterprise.area,
        data_vi.enterprise.address,
        "Mức nguy cơ",
        result.grade.label.vi[:1].upper() + result.grade.label.vi[1:],
        result.decision.vi,
        "Cấp 3 – nguy cơ cao (cam)",
        data_vi.verification_code,
        data_vi.report_id,
        data_vi.submitted_by,
        "Kế hoạch khắc phục",
        "Đại diện doanh nghiệp",
    ]
    for missing in [s for s in expected if flat(nfc(s)) not in text]:
        pytest.fail(f"not in the PDF text: {missing!r}")


def test_report_lists_every_item_action_and_escalation(pdf_vi, data_vi):
    text = flat(pdftotext(pdf_vi))
    result, checklist = data_vi.result, data_vi.checklist
    for outcome in result.items:
        assert outcome.item_id in text
        assert flat(checklist.item(outcome.item_id).question.vi) in text
    assert result.escalations, "the sample should raise its grade"
    for escalation in result.escalations:
        assert escalation.rule in text
        assert flat(escalation.reason.vi) in text
    assert data_vi.actions
    for action in data_vi.actions:
        assert flat(action.action) in text
        assert action.status in text
    failed = [o for o in result.items if o.counted and o.failed]
    assert text.count("Không đạt") >= len(failed)
    score = f"{result.score:.1f}".replace(".", ",")
    assert f"{score} / 100" in text


def test_footer_numbers_every_page(pdf_vi, data_vi):
    pages = PdfReader(io.BytesIO(pdf_vi)).pages
    assert 2 <= len(pages) <= 5
    for number, page in enumerate(pages, start=1):
        page_text = flat(nfc(page.extract_text()))
        assert f"Trang {number} / {len(pages)}" in page_text
        assert data_vi.verification_code in page_text and data_vi.report_id in page_text


def test_english_report_uses_english_words(pdf_en, data_en):
    text = flat(pdftotext(pdf_en))
    result = data_en.result
    assert "Workplace infection risk assessment report" in text
    assert "Risk score: " in text and "Remediation plan" in text and "Page 1 of" in text
    assert flat(result.decision.en) in text
    for escalation in result.escalations:
        assert flat(escalation.reason.en) in text
    assert "Mức nguy cơ" not in text and "Kế hoạch khắc phục" not in text
    # Data typed by the enterprise stays as typed.
    assert data_en.enterprise.name in text


def test_labels_exist_in_both_languages():
    vi, en = labels("vi"), labels("en")
    assert vi.keys() == en.keys()
    assert all(vi.values()) and all(en.values())
    assert vi["remediation"] == "Kế hoạch khắc phục" and en["remediation"] == "Remediation plan"
    # Every label has its Vietnamese text: none falls back to the English msgid.
    assert [key for key in vi if vi[key] == en[key]] == []
    with pytest.raises(ValueError):
        labels("fr")


def test_labels_come_from_the_catalogue(monkeypatch, data_vi):
    catalogue = Catalog(locale="vi")
    catalogue.add("Risk grade", "Mức rủi ro", context="report")
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    edited = Translations(compiled)
    monkeypatch.setattr(formatting, "translations", lambda lang: edited)
    assert labels("vi")["grade"] == "Mức rủi ro"
    assert "Mức rủi ro" in build_report_html(data_vi)


def test_pdf_labels_are_in_the_reports_language(pdf_vi, pdf_en):
    vi, en = flat(pdftotext(pdf_vi)), flat(pdftotext(pdf_en))
    # The badge's label is upper-cased by the stylesheet.
    assert "MỨC NGUY CƠ" in vi and "Ngày đánh giá" in vi and "Tên doanh nghiệp" in vi
    assert "RISK GRADE" in en and "Assessment date" in en and "Name" in en
    assert "RISK GRADE" not in vi and "MỨC NGUY CƠ" not in en


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", ["18/10/2021", "25/10/2021", "1.250", "Lập lúc 18/10/2021 09:30 (GMT+7)", "4.200 m²",
            "37,8 / 100", "05/07/21", "18/10/21", "10 / 10"]),
    ("en", ["18 Oct 2021", "25 Oct 2021", "1,250", "Generated 18 Oct 2021 09:30 (GMT+7)",
            "4,200 m²", "37.8 / 100", "5 Jul 21", "18 Oct 21", "10 / 10"]),
])
def test_numbers_and_dates_read_as_before(lang, expected, pdf_vi, pdf_en):
    text = flat(pdftotext(pdf_vi if lang == "vi" else pdf_en))
    assert [s for s in expected if s not in text] == []


def test_report_html_has_both_charts_and_the_qr_code(data_vi):
    html = build_report_html(data_vi)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert 'class="segno"' in html
    assert "<script" not in html


def test_user_text_is_escaped_and_fetches_nothing(data_vi):
    hostile = replace(
        data_vi.enterprise,
        name='ACME <img src="file:///etc/passwd"> <b>bold</b>',
        address='<link rel="attachment" href="file:///etc/passwd">',
    )
    data = replace(data_vi, enterprise=hostile)
    html = build_report_html(data)
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    pdf = render_report(data)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    assert all(not page.images for page in reader.pages)
    assert 'ACME <img src="file:///etc/passwd">' in flat(pdftotext(pdf))
    assert b"root:x:0:0" not in pdf


def test_safe_fetcher_refuses_everything_but_data_and_static():
    for url in (
        "file:///etc/passwd",
        STATIC_BASE_URL + "../riskapp/config.py",
        STATIC_BASE_URL + "css/../../pyproject.toml",
        "http://127.0.0.1/secret.css",
        "https://example.com/font.ttf",
        "ftp://example.com/x",
        "file://otherhost" + STATIC_DIR.as_posix() + "/css/report.css",
    ):
        with pytest.raises(ValueError):
            safe_url_fetcher(url)
    css = safe_url_fetcher(STATIC_BASE_URL + "css/report.css")
    assert b"@font-face" in css.read() and css.content_type == "text/css"
    plain = safe_url_fetcher("data:text/plain,Xin%20ch%C3%A0o")
    assert plain.read().decode() == "Xin chào"
    png = safe_url_fetcher("data:image/png;base64," + RED_PIXEL)
    assert png.read() == base64.b64decode(RED_PIXEL) and png.content_type == "image/png"


def test_file_urls_in_markup_embed_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    html = (
        f'<html><head><link rel="attachment" href="{secret.as_uri()}">'
        '<link rel="attachment" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="file:///etc/passwd"></head>'
        f'<body><p>x</p><img src="{secret.as_uri()}"><img src="file:///etc/passwd"></body></html>'
    )
    # Control: WeasyPrint's own fetcher would attach the file, so this test can fail.
    leaked = weasyprint.HTML(string=html, base_url=STATIC_BASE_URL).write_pdf()
    assert b"TOP-SECRET-MARKER" in b"".join(PdfReader(io.BytesIO(leaked)).attachments["secret.txt"])

    pdf = render_pdf(html)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    assert not reader.pages[0].images


def _has_red_pixels(pdf: bytes, tmp_path) -> bool:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    ppm = subprocess.run(["pdftoppm", "-r", "10", "-singlefile", str(path)],
                         capture_output=True, check=True).stdout
    # P6 header: magic, width, height, maxval, then RGB bytes.
    magic, width, height, maxval, pixels = ppm.split(maxsplit=4)
    assert magic == b"P6"
    return any(pixels[i] > 200 and pixels[i + 1] < 60 and pixels[i + 2] < 60
               for i in range(0, len(pixels) - 2, 3))


def test_presentational_hints_are_ignored(tmp_path):
    html = ('<html><body><table bgcolor="#ff0000" width="100%" height="600">'
            "<tr><td>x</td></tr></table></body></html>")
    # Control: with hints on, the old HTML attribute paints the page red.
    hinted = weasyprint.HTML(string=html).write_pdf(presentational_hints=True)
    assert _has_red_pixels(hinted, tmp_path)
    assert not _has_red_pixels(render_pdf(html), tmp_path)


def test_evidence_thumbnails_render_only_from_data_urls(data_vi):
    with_image = replace(data_vi, evidence_thumbnails=(
        "data:image/png;base64," + RED_PIXEL, "file:///etc/passwd"))
    html = build_report_html(with_image)
    assert html.count("<img ") == 1 and "file:///etc/passwd" not in html
    reader = PdfReader(io.BytesIO(render_report(with_image)))
    # Pages share one resource dictionary, so the same image shows on each page's list.
    assert {image.data for page in reader.pages for image in page.images} == {
        image.data for image in reader.pages[-1].images} and reader.pages[-1].images


def test_actions_show_their_status_at_the_time(data_vi):
    first = data_vi.actions[0]
    changed = replace(data_vi, actions=(replace(first, status="Đã xác minh"),
                                        *data_vi.actions[1:]))
    assert "Đã xác minh" not in flat(pdftotext(render_report(data_vi)))
    assert "Đã xác minh" in flat(pdftotext(render_report(changed)))


def test_without_actions_the_plan_comes_from_the_result(data_vi):
    text = flat(pdftotext(render_report(replace(data_vi, actions=()))))
    for entry in data_vi.result.remediation:
        assert flat(entry.action.vi) in text
