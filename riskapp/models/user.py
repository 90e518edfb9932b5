"""Users, their one role in one scope, auditors' areas and one-time tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskapp.db import Base
from riskapp.models.enterprise import Enterprise
from riskapp.models.enums import Role, TokenPurpose
from riskapp.models.types import TZDateTime, enum_column, utcnow


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    province_id: Mapped[int | None] = mapped_column(
        ForeignKey("province.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str | None] = mapped_column(String(5))
    # For SMS and Zalo: Vietnamese international form (84 and 9 digits), see notifications.phone.
    phone: Mapped[str | None] = mapped_column(String(15))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout-everywhere and password change so older session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # When the user agreed to which version of the privacy notice (riskapp/auth/consent.py).
    privacy_consent_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    privacy_notice_version: Mapped[str | None] = mapped_column(String(20))

    enterprise: Mapped[Enterprise | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account and self.password_hash is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class AuditorArea(Base):
    """An area (and everything below it) an auditor or a commune/ward staff member is bound to."""

    __tablename__ = "auditor_area"
    __table_args__ = (UniqueConstraint("user_id", "area_id", name="uq_auditor_area_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))


class OneTimeToken(Base):
    """An invitation or password-reset link; only the token's hash is stored."""

    __tablename__ = "one_time_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime)
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
