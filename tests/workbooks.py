"""Reading kops's files for people back by their stable keys (the 「列の説明」 sheet)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from kakeai_ops import glossary


def column_keys(book: Workbook) -> dict[tuple[str, str], str]:
    """(sheet, Japanese header) → key, from the workbook's own 「列の説明」 sheet."""
    notes = book[glossary.COLUMN_NOTES_SHEET]
    return {(s, label): key for s, label, key in notes.iter_rows(min_row=2, values_only=True)}


def sheet_records(book: Workbook | Path, sheet: str) -> list[dict[str, Any]]:
    """The rows of ``sheet`` (its English name or its Japanese one) as dicts by key."""
    if isinstance(book, Path):
        book = load_workbook(book)
    name = glossary.SHEETS.get(sheet, sheet)
    keys = column_keys(book)
    rows = list(book[name].iter_rows(values_only=True))
    header = [keys.get((name, str(h)), h) for h in rows[0]]
    return [
        dict(zip(header, row, strict=True))
        for row in rows[1:]
        if any(v is not None for v in row) and not _legend(row)
    ]


def _legend(row: tuple[Any, ...]) -> bool:
    """A legend or the 「（該当なし）」 of an empty table: alone in its row, not a record."""
    return (
        isinstance(row[0], str)
        and (row[0].startswith("<5 / <10") or row[0] == "（該当なし）")
        and row[1:].count(None) == len(row) - 1
    )


def csv_records(raw: bytes, keys: list[str]) -> list[dict[str, str]]:
    """A CSV file for people, checked to have the glossary's headers for ``keys``."""
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    shown = [k for k in keys if glossary.SAME_AS.get(k) not in keys]
    assert rows[0] == [glossary.column_label(k) for k in shown], rows[0]
    return [dict(zip(shown, row, strict=True)) for row in rows[1:]]
