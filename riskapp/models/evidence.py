"""Photos and PDFs an officer attaches to an answer, stored outside the static folder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from riskapp.db import Base
from riskapp.models.types import TZDateTime, utcnow


class Evidence(Base):
    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_assessment_item", "assessment_id", "item_id"),
        # Revision 0018: the photo-reuse detector reads a province's hashes in one range.
        Index("ix_evidence_province_phash", "province_id", "phash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(255))
    # A random name under STORAGE_DIR/evidence: nothing of the upload's own name reaches the disk.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    thumbnail_name: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Revision 0018: the 64-bit perceptual hash of a photo (16 hex digits; riskapp/forensics).
    phash: Mapped[str | None] = mapped_column(String(16))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # Revision 0015: a photo taken with an on-site finding (not one of the officer's answers).
    finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
