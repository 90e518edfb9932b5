"""Column helpers shared by the model modules."""

from __future__ import annotations

import enum

from sqlalchemy import DateTime, Enum

from riskapp import clock

# The columns' "now" is the clock's (one clock; it imports no model, so no cycle).
utcnow = clock.now


def enum_column(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    """Store an enum by its value as a plain string (no native DB enum to migrate)."""
    return Enum(
        enum_cls,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        length=length,
        validate_strings=True,
        name=enum_cls.__name__.lower(),
        create_constraint=False,
    )


TZDateTime = DateTime(timezone=True)
