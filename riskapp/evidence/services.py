"""Evidence files: check an upload by its content, store it outside the static folder, list it.

Images are decoded with Pillow and stored re-encoded (orientation applied, EXIF and anything
appended after the picture dropped), so what is served is a plain picture whatever was uploaded;
PDFs are stored as uploaded and only ever served as attachments. Files are staged through
riskapp.storage: they appear under their names when the request commits, and never otherwise.
Services flush, never commit.
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select

from riskapp import storage
from riskapp.auditlog import record
from riskapp.checklists import definition
from riskapp.db import db
from riskapp.forensics.phash import phash_of_bytes
from riskapp.models import Assessment, AssessmentStatus, Evidence

MAX_FILES_PER_ANSWER = 5
THUMBNAIL_SIZE = 320
# A decoded picture above this many pixels is refused before it is loaded (memory bombs).
MAX_PIXELS = 50_000_000
# The PDF report shows at most this many thumbnails, small and JPEG, to keep the file light.
REPORT_THUMBNAILS = 24
REPORT_THUMBNAIL_SIZE = 240

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp", PDF: ".pdf"}
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
# Markup a browser would act on if it ever sniffed the file: refused at the head of a PDF.
MARKUP_MARKERS = (b"<html", b"<script", b"<!doctype", b"<svg", b"<body", b"<iframe")


class EvidenceRefused(Exception):
    """An upload that is not stored; the message names the file and says why."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_MB", 8)) * 1024 * 1024


def sniff(data: bytes) -> str | None:
    """The content type the file's first bytes announce, among those accepted."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def display_name(filename: str) -> str:
    """The name the officer gave the file, without any folder part, kept only for display."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip()
    name = "".join(c for c in name if c.isprintable())
    return name[:255] or "evidence"


def storage_dir() -> Path:
    # Not created here: reading must work (and find nothing) on a storage that cannot be written.
    return Path(current_app.config["STORAGE_DIR"]) / "evidence"


def _write(data: bytes) -> str:
    """Stage under a fresh random name (nothing of the upload's name reaches the disk)."""
    name = secrets.token_hex(16)
    storage.stage(storage_dir() / name, data)
    return name


def path_of(stored_name: str) -> Path:
    return storage_dir() / stored_name


def _unreadable(name: str) -> EvidenceRefused:
    return EvidenceRefused(
        _("%(name)s is not a readable picture: the file is damaged or is something else "
          "under a picture's name.", name=name))


def _open_image(name: str, data: bytes, content_type: str) -> Image.Image:
    """The decoded picture, upright; refused unless Pillow reads it as the sniffed format."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise EvidenceRefused(_("%(name)s: the picture is too large (more than 50 megapixels).",
                                    name=name))
        image.load()
    except EvidenceRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _unreadable(name) from None
    # MPO: the JPEG of phones that store a second view; its first frame is the photo.
    if image.format not in (PILLOW_FORMATS[content_type], "MPO" if content_type == JPEG else None):
        raise _unreadable(name)
    return ImageOps.exif_transpose(image)


def _encode(image: Image.Image, content_type: str) -> bytes:
    """The picture alone, in its own format: no EXIF, no comment, no trailing payload."""
    out = io.BytesIO()
    if content_type == JPEG:
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90)
    elif content_type == WEBP:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(out, "WEBP", quality=90)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def thumbnail_jpeg(image: Image.Image, size: int = THUMBNAIL_SIZE, quality: int = 80) -> bytes:
    """A JPEG of at most size × size pixels (transparency on white, no metadata)."""
    small = image.copy()
    small.thumbnail((size, size))
    if small.mode in ("RGBA", "LA", "P"):
        small = small.convert("RGBA")
        background = Image.new("RGB", small.size, "white")
        background.paste(small, mask=small.getchannel("A"))
        small = background
    elif small.mode != "RGB":
        small = small.convert("RGB")
    out = io.BytesIO()
    small.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _check_pdf(name: str, data: bytes) -> None:
    head = data[:1024].lower()
    if any(marker in head for marker in MARKUP_MARKERS):
        raise EvidenceRefused(
            _("%(name)s is refused: it is a PDF that also carries web-page code.", name=name))
    if b"%%EOF" not in data[-2048:]:
        raise EvidenceRefused(_("%(name)s is not a complete PDF file.", name=name))


def checked_content(upload: Upload) -> tuple[str, bytes, bytes | None]:
    """(content type, bytes to store, thumbnail JPEG or None) of an acceptable upload;
    raises EvidenceRefused with a message naming the file otherwise."""
    name = display_name(upload.filename)
    if not upload.data:
        raise EvidenceRefused(_("%(name)s is empty.", name=name))
    if len(upload.data) > max_bytes():
        raise EvidenceRefused(_("%(name)s is larger than %(mb)d MB.", name=name,
                                mb=int(current_app.config.get("EVIDENCE_MAX_MB", 8))))
    content_type = sniff(upload.data)
    if content_type is None:
        raise EvidenceRefused(
            _("%(name)s is not a JPEG, PNG or WebP photo or a PDF document (its content was "
              "checked, not its name).", name=name))
    if content_type == PDF:
        _check_pdf(name, upload.data)
        return PDF, upload.data, None
    image = _open_image(name, upload.data, content_type)
    return content_type, _encode(image, content_type), thumbnail_jpeg(image)


# --------------------------------------------------------------------------- attach, delete


def evidence_count(assessment_id: int, item_id: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Evidence)
        .where(Evidence.assessment_id == assessment_id, Evidence.item_id == item_id,
               Evidence.finding_id.is_(None))
    )


def store_evidence(assessment: Assessment, item_id: str, upload: Upload, user=None,
                   finding_id: int | None = None) -> Evidence:
    """Check, store and record one file for one item (no draft or count rule: see attach); with
    `finding_id`, a photo of that on-site finding."""
    content_type, data, thumbnail = checked_content(upload)
    evidence = Evidence(
        finding_id=finding_id,
        assessment_id=assessment.id,
        enterprise_id=assessment.enterprise_id,
        province_id=assessment.province_id,
        item_id=item_id,
        original_name=display_name(upload.filename),
        stored_name=_write(data),
        thumbnail_name=_write(thumbnail) if thumbnail else None,
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        # Compared with the province's other photos after the submit (riskapp/forensics).
        phash=phash_of_bytes(data) if content_type != PDF else None,
        uploaded_by_id=getattr(user, "id", None),
    )
    db.session.add(evidence)
    db.session.flush()
    record(
        "evidence_uploaded",
        evidence,
        details={"assessment_id": assessment.id, "item_id": item_id,
                 "name": evidence.original_name, "content_type": content_type,
                 "size_bytes": evidence.size_bytes, "sha256": evidence.sha256},
        user=user,
    )
    return evidence


def check_item(assessment: Assessment, item_id: str) -> bool:
    return definition(assessment.checklist_version).has_item(item_id)


def attach(assessment: Assessment, item_id: str, uploads: list[Upload], user=None
           ) -> tuple[list[Evidence], list[str]]:
    """Store each acceptable file on a draft's item, up to the per-answer limit; returns what
    was stored and one message per file refused."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValueError("evidence is attached to drafts only")
    stored, refused = [], []
    room = MAX_FILES_PER_ANSWER - evidence_count(assessment.id, item_id)
    for upload in uploads:
        if room <= 0:
            refused.append(_("%(name)s was not attached: an answer holds at most %(n)d files.",
                             name=display_name(upload.filename), n=MAX_FILES_PER_ANSWER))
            continue
        try:
            stored.append(store_evidence(assessment, item_id, upload, user))
        except EvidenceRefused as problem:
            refused.append(str(problem))
            continue
        room -= 1
    return stored, refused


def delete(evidence: Evidence, user=None) -> None:
    """Remove a draft's file record; its files go once the request commits."""
    assessment = db.session.get(Assessment, evidence.assessment_id)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValueError("evidence of a submitted assessment cannot be deleted")
    for name in (evidence.stored_name, evidence.thumbnail_name):
        if name:
            storage.remove_on_commit(path_of(name))
    record(
        "evidence_deleted",
        evidence,
        details={"assessment_id": evidence.assessment_id, "item_id": evidence.item_id,
                 "name": evidence.original_name, "sha256": evidence.sha256},
        user=user,
    )
    db.session.delete(evidence)
    db.session.flush()


# --------------------------------------------------------------------------- reading


def evidence_of(assessment_id: int, item_id: str | None = None) -> list[Evidence]:
    """The files of an assessment (or of one of its items), in checklist-item then upload order.

    Callers reach the assessment through tenancy first; its files share its tenant."""
    statement = select(Evidence).where(Evidence.assessment_id == assessment_id,
                                       Evidence.finding_id.is_(None))
    if item_id is not None:
        statement = statement.where(Evidence.item_id == item_id)
    return list(db.session.scalars(statement.order_by(Evidence.item_id, Evidence.id)))


def finding_photos(finding_id: int) -> list[Evidence]:
    """The photos taken with an on-site finding (reached through tenancy by the caller)."""
    return list(db.session.scalars(
        select(Evidence).where(Evidence.finding_id == finding_id).order_by(Evidence.id)))


def evidence_by_item(assessment_id: int) -> dict[str, list[Evidence]]:
    grouped: dict[str, list[Evidence]] = {}
    for evidence in evidence_of(assessment_id):
        grouped.setdefault(evidence.item_id, []).append(evidence)
    return grouped


def read(evidence: Evidence, thumbnail: bool = False) -> bytes | None:
    name = evidence.thumbnail_name if thumbnail else evidence.stored_name
    if not name:
        return None
    path = path_of(name)
    return path.read_bytes() if path.is_file() else None


def download_name(evidence: Evidence) -> str:
    """The officer's file name with the extension of what it really is."""
    stem = PurePath(evidence.original_name).stem or "evidence"
    return stem + EXTENSIONS.get(evidence.content_type, "")


def report_thumbnails(assessment_id: int) -> tuple[str, ...]:
    """data: URLs of the assessment's pictures for the PDF report (small JPEGs, a few dozen)."""
    urls = []
    for evidence in evidence_of(assessment_id):
        if len(urls) >= REPORT_THUMBNAILS:
            break
        data = read(evidence, thumbnail=True)
        if data is None:
            continue
        with Image.open(io.BytesIO(data)) as image:
            small = thumbnail_jpeg(image, REPORT_THUMBNAIL_SIZE, quality=70)
        urls.append("data:image/jpeg;base64," + base64.b64encode(small).decode("ascii"))
    return tuple(urls)
