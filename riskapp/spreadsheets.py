"""Cells written for spreadsheets (CSV, XLSX): text never reaches Excel or LibreOffice as a formula.

Text a user typed (an enterprise name, an address, an owner) may start with a character a
spreadsheet reads as a formula: = + - @, or a tab or carriage return before one. OWASP's advice
for CSV injection: write such text with a leading single quote, which the spreadsheet shows as
text and a reader still understands. Numbers (a negative change, a score) are left alone.
Every export for people goes through `neutralise` / `neutralise_frame`; backups do not.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value to write in a cell: a string starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell neutralised (and its header)."""
    safe = frame.copy()
    for column in frame.columns:
        # Only columns that can hold text; a numeric column keeps its numbers (and its dtype).
        if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(
                frame[column]):
            safe[column] = frame[column].map(neutralise)
    safe.columns = [neutralise(c) for c in frame.columns]
    return safe
