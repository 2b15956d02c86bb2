"""Reading kops's files for people back by their stable keys (the 「列の説明」 sheet)."""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from kakeai_ops import glossary


# A generated file read once per process for every test that only reads it (the demo's
# workbooks and deck are read by several files sent to one process).
@functools.cache
def read_book(path: Path) -> Workbook:
    return load_workbook(path)


@functools.cache
def read_deck(path: Path) -> Any:
    from pptx import Presentation

    return Presentation(str(path))


def label(value: Any) -> str:
    """A header as its label: a header that takes several lines is written with its line
    breaks (between words), the label without them."""
    return str(value).replace("\n", "")


def header_labels(sheet: Any, row: int = 1) -> list[Any]:
    """The labels of a header row (None for an empty cell)."""
    return [None if c.value is None else label(c.value) for c in sheet[row]]


def column_keys(book: Workbook) -> dict[tuple[str, str], str]:
    """(sheet, Japanese header) → key, from the workbook's own 「列の説明」 sheet."""
    notes = book[glossary.COLUMN_NOTES_SHEET]
    # シート, 列, 意味, キー: the key is the last column.
    rows = notes.iter_rows(min_row=2, values_only=True)
    return {(row[0], row[1]): row[-1] for row in rows}


def sheet_records(book: Workbook | Path, sheet: str) -> list[dict[str, Any]]:
    """The rows of ``sheet`` (its English name or its Japanese one) as dicts by key."""
    if isinstance(book, Path):
        book = load_workbook(book)
    name = glossary.SHEETS.get(sheet, sheet)
    keys = column_keys(book)
    rows = list(book[name].iter_rows(values_only=True))
    header = [keys.get((name, label(h)), h) for h in rows[0]]
    return [
        dict(zip(header, row, strict=True))
        for row in rows[1:]
        if any(v is not None for v in row) and not _legend(row)
    ]


def _legend(row: tuple[Any, ...]) -> bool:
    """A legend, a note under the table (「インタビュー候補は6組（最初の5組を表示）」) or the
    「（該当なし）」 of an empty table: text alone in its row's first cell, not a record."""
    return isinstance(row[0], str) and len(row) > 1 and row[1:].count(None) == len(row) - 1


def csv_records(raw: bytes, keys: list[str]) -> list[dict[str, str]]:
    """A CSV file for people, checked to have the glossary's headers for ``keys``."""
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    shown = [k for k in keys if glossary.SAME_AS.get(k) not in keys]
    assert rows[0] == [glossary.column_label(k) for k in shown], rows[0]
    return [dict(zip(shown, row, strict=True)) for row in rows[1:]]


def report_tables(sheet: Any, first: str) -> list[tuple[list[str], list[tuple[Any, ...]]]]:
    """The tables of a laid-out report sheet whose header starts with ``first`` (事業部,
    部署): each as its header labels and its rows, up to the first row without a name."""
    rows = list(sheet.iter_rows(values_only=True))
    tables = []
    for index, row in enumerate(rows):
        if row and row[0] == first:
            header = [label(h) for h in row if h is not None]
            body = []
            for values in rows[index + 1 :]:
                if values[0] is None:
                    break
                body.append(tuple(values[: len(header)]))
            tables.append((header, body))
    return tables


def overview_records(sheet: Any) -> dict[str, dict[str, Any]]:
    """The 概要's figures by 事業部 and header, read from every table that lists the
    事業部 by the overview's columns (not the monthly table, headed by months)."""
    records: dict[str, dict[str, Any]] = {}
    for header, body in report_tables(sheet, "事業部"):
        if any("年" in h for h in header[1:]):
            continue  # the monthly rates
        for values in body:
            # A name too wide for its column is written on two lines (管理本部・ / 経営企画室).
            name = label(values[0])
            records.setdefault(name, {}).update(zip(header[1:], values[1:], strict=True))
    return records
