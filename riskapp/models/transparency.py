"""The transparency log (riskapp/transparency): leaves, subtree hashes, signed tree heads.

Leaves, nodes and heads are append-only (the code never updates or deletes them; the database's
triggers refuse it). Province and object are plain integers without a foreign key: deleting a
province or a report must never take a leaf with it. `transparency_state` is the one mutable row:
the log's size, updated first by every append so appends queue on its lock (dense, no gaps).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from riskapp.db import Base
from riskapp.models.types import TZDateTime, utcnow


class LogLeaf(Base):
    __tablename__ = "transparency_leaf"
    __table_args__ = (
        Index("ix_transparency_leaf_hash", "leaf_hash"),
        Index("ix_transparency_leaf_object", "kind", "object_id"),
    )

    # The leaf's index in the tree (0, 1, 2, … without gaps): the primary key keeps it unique.
    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(24))
    leaf_input: Mapped[bytes] = mapped_column(LargeBinary)  # canonical JSON (docs/METHODS.md)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    object_id: Mapped[int] = mapped_column(Integer)
    province_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class LogNode(Base):
    """The hash of a complete subtree: 2**level leaves from node_index * 2**level (level ≥ 1)."""

    __tablename__ = "transparency_node"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogTreeHead(Base):
    __tablename__ = "transparency_tree_head"
    __table_args__ = (
        # Publishing twice a day at the same size adds nothing (ON CONFLICT DO NOTHING).
        Index("uq_transparency_tree_head_day", "tree_size", "published_on", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    published_on: Mapped[date] = mapped_column(Date)  # the day in the default zone (Vietnam)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    @property
    def signed_at(self) -> datetime:
        """The signed timestamp as a UTC moment (pages show it in the reader's zone)."""
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)


class LogState(Base):
    """One row (id 1): the number of leaves; its row lock serialises appends."""

    __tablename__ = "transparency_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
