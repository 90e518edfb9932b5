"""The authority's review of a submitted assessment: one decision, and comments pinned to items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.db import Base
from riskapp.models.enums import ReviewDecision
from riskapp.models.types import TZDateTime, enum_column, utcnow


class AssessmentReview(Base):
    """The decision on one assessment. The unique assessment_id keeps it to one: of two
    reviewers deciding at once, the database lets one in."""

    __tablename__ = "assessment_review"
    __table_args__ = (Index("ix_assessment_review_province_decided", "province_id",
                            "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), unique=True
    )
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"))
    decision: Mapped[ReviewDecision] = mapped_column(enum_column(ReviewDecision))
    # Accepted on submit because the province does not review this grade: no reviewer.
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="review", lazy="selectin", order_by="ReviewComment.id"
    )
    reviewer = relationship("User", lazy="joined")


class ReviewComment(Base):
    """A reviewer's comment pinned to one checklist item; `needs_evidence` asks for evidence."""

    __tablename__ = "review_comment"
    __table_args__ = (Index("ix_review_comment_review", "review_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_review.id", ondelete="CASCADE")
    )
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text)
    needs_evidence: Mapped[bool] = mapped_column(Boolean, default=False)

    review: Mapped[AssessmentReview] = relationship(back_populates="comments")
