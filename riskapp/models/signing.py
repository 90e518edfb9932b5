"""The registry of report-signing keys (riskapp/reports/keys.py): public halves and their dates.

The private halves are files next to REPORT_SIGNING_KEY, never rows: a database backup must not
carry the means to forge reports.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from riskapp.db import Base
from riskapp.models.types import TZDateTime, utcnow


class SigningKey(Base):
    __tablename__ = "signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    # First 16 hex digits of the SHA-256 of the raw public key, as in a report's signature line.
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    public_key_pem: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(TZDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(TZDateTime)  # set when rotated out
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime)  # believed compromised from
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    # True on the key that signs now, NULL on every other: a unique column (NULLs never collide),
    # so "one current key" holds in the database even when two processes register or rotate.
    current: Mapped[bool | None] = mapped_column(Boolean, unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SigningKey {self.key_id}>"
