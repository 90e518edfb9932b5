"""Files made in the test with Pillow and pypdf; evidence stored through the service or posted."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import select

from riskapp.db import db
from riskapp.evidence import services
from riskapp.models import Evidence

ITEM = "ORG-2"
VIETNAMESE_NAME = "Ảnh trạm rửa tay.jpg"
CAMERA_MAKE = "SecretCam 3000"


def jpeg_bytes(size=(900, 600), colour=(30, 140, 60), with_exif: bool = True) -> bytes:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    if with_exif:
        exif = Image.Exif()
        exif[0x010F] = CAMERA_MAKE  # Make
        exif[0x0131] = "PhotoTool"  # Software
        image.save(out, "JPEG", exif=exif.tobytes())
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png_bytes(size=(400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 128)).save(out, "PNG")
    return out.getvalue()


def webp_bytes(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 10, 200)).save(out, "WEBP")
    return out.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_evidence(assessment, user, item_id: str = "ORG-2", name: str = VIETNAMESE_NAME,
                  data: bytes | None = None):
    """Evidence stored on any assessment (the draft rule belongs to services.attach)."""
    return services.store_evidence(assessment, item_id,
                                   services.Upload(name, data or jpeg_bytes()), user)


def upload(client, assessment_id, *files, item=ITEM):
    """POST (name, bytes) pairs to the attach page of one item."""
    return client.post(
        f"/evidence/assessments/{assessment_id}/items/{item}",
        data={"files": [(io.BytesIO(data), name) for name, data in files]},
        content_type="multipart/form-data",
    )


def evidence_rows(app, assessment_id) -> list[Evidence]:
    with app.app_context():
        rows = db.session.scalars(
            select(Evidence).where(Evidence.assessment_id == assessment_id).order_by(Evidence.id)
        ).all()
        db.session.expunge_all()
        return list(rows)

