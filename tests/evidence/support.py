"""Files made in the test with Pillow and pypdf, and evidence stored through the service."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter

from riskapp.evidence import services

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
