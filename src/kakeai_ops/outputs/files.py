"""Tabular files that open cleanly in Japanese Excel.

CSV: UTF-8 with BOM and CRLF (Excel otherwise guesses CP932 and garbles).
XLSX: a header row, IDs as text cells (leading zeros survive), filters,
frozen header, sensible widths; optional extra sheets (e.g. a summary).
Both: text that Excel would run as a formula is written as text (see neutralise).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import KopsError
from .csv_fields import csv_rows, field_column
from .neutralise import (
    FORMULA_TRIGGERS,
    as_text,
    csv_field,
    looks_like_formula,
    protect_cells,
)

TEXT_COLUMNS_SUFFIX = ("_id",)


def cell(value: Any) -> Any:
    """A value as files show it: dates ISO, booleans true/false, missing blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp):
        if value is pd.NaT:
            return ""
        return (
            value.strftime("%Y-%m-%d")
            if value == value.normalize()
            else value.strftime("%Y-%m-%d %H:%M")
        )
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return round(value, 4)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalars
        return cell(value.item())
    return value


def percent(value: Any) -> str:
    """A share as people read it (12.5%); missing as ``-``."""
    return "-" if value is None or pd.isna(value) else f"{float(value):.1%}"


def records(frame: pd.DataFrame) -> list[list[Any]]:
    return [list(row) for row in zip(*_cell_columns(frame), strict=True)]


def _cell_columns(frame: pd.DataFrame, guard: bool = False) -> list[list[Any]]:
    """``cell`` of every value, column by column: what ``records`` holds, without a
    Python call per cell for the common types (50k users × 27 columns is 1.3M cells).
    ``guard``: formula-like text prefixed with ' as ``csv_field`` does."""
    columns = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        text = _as_text(column)
        if text is not None:  # every cell a str: the guard is one vectorised pass
            if guard:
                text = text.where(~text.str.startswith(FORMULA_TRIGGERS), "'" + text)
            columns.append(text.tolist())
            continue
        if column.dtype == np.float64:  # Python floats, as cell() rounds them
            cells = ["" if v != v else round(v, 4) for v in column]
        elif column.dtype == np.bool_:
            cells = ["true" if v else "false" for v in column]
        else:
            # The values itertuples() gives; str and int are their own cell (bool is not int).
            cells = [v if type(v) in _AS_IS else cell(v) for v in column]
        if guard:
            cells = [csv_field(v) if isinstance(v, str) else v for v in cells]
        columns.append(cells)
    return columns


_AS_IS = frozenset({str, int})


def _as_text(column: pd.Series) -> pd.Series | None:
    """The column's cells as a str Series where every cell is text (dates, text, text
    categories, blank for missing); None for other columns."""
    dtype = column.dtype
    if pd.api.types.is_datetime64_dtype(dtype):
        minutes = column.dt.strftime("%Y-%m-%d %H:%M")
        day = column.dt.strftime("%Y-%m-%d")
        whole = column.where(column == column.dt.normalize())
        return day.where(whole.notna(), minutes).fillna("")
    if isinstance(dtype, pd.StringDtype):
        return column.fillna("")
    if isinstance(dtype, pd.CategoricalDtype) and isinstance(
        dtype.categories.dtype, pd.StringDtype
    ):
        return column.astype(dtype.categories.dtype).fillna("")
    return None


def csv_text(frame: pd.DataFrame, line_end: str = "\n") -> str:
    """The frame as CSV, every formula-like text field prefixed with ' (stdout and files)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow([csv_field(str(c)) for c in frame.columns])
    fields = [
        field_column(frame.iloc[:, position], line_end, cell) for position in range(frame.shape[1])
    ]
    return buffer.getvalue() + csv_rows(fields, line_end)


def json_text(frame: pd.DataFrame) -> str:
    rows = [dict(zip(frame.columns, row, strict=True)) for row in records(frame)]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def write_table(
    frame: pd.DataFrame,
    path: Path,
    sheet: str = "data",
    extra_sheets: Sequence[tuple[str, pd.DataFrame]] = (),
    text_columns: Iterable[str] = (),
) -> Path:
    """Write ``frame`` to .csv or .xlsx (chosen by the suffix), atomically."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise KopsError(
            f"{path}: unsupported file type '{suffix}'", hint="use a .csv or .xlsx file name"
        )
    if path.parent and not path.parent.exists():
        raise KopsError(
            f"{path.parent}: no such directory", hint="create it first or choose another path"
        )
    if suffix == ".csv":
        data = csv_text(frame, line_end="\r\n").encode("utf-8-sig")
        write_atomically(path, data)
    else:
        sheets = [(sheet, frame), *extra_sheets]
        _atomic_xlsx(path, sheets, set(text_columns))
    return path


@contextmanager
def replacing(path: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary file next to ``path`` to write; when the block ends without error it
    replaces ``path`` in one step, so nobody (Excel included) sees half a file and a
    failed write leaves the old file as it was."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes) -> None:
    with replacing(path) as temp:
        temp.write_bytes(data)


def _atomic_xlsx(
    path: Path, sheets: Sequence[tuple[str, pd.DataFrame]], text_columns: set[str]
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="305496")
    for title, frame in sheets:
        ws = book.create_sheet(title=title[:31])
        columns = list(frame.columns)
        ws.append(columns)
        protect_cells(ws[1])
        text_positions = {
            i
            for i, c in enumerate(columns)
            if c in text_columns or str(c).endswith(TEXT_COLUMNS_SUFFIX)
        }
        for row_number, row in enumerate(records(frame), start=2):
            values = [str(v) if i in text_positions and v != "" else v for i, v in enumerate(row)]
            ws.append(values)
            # Only the few formula-like cells are touched: a scan of every cell costs
            # seconds on a 50,000-user list.
            for i, value in enumerate(values):
                if looks_like_formula(value):
                    as_text(ws.cell(row=row_number, column=i + 1))
        for i in text_positions:
            for (cell_obj,) in ws.iter_rows(
                min_row=2, min_col=i + 1, max_col=i + 1, max_row=ws.max_row
            ):
                cell_obj.number_format = "@"
        for header in ws[1]:
            header.font = header_font
            header.fill = header_fill
            header.alignment = Alignment(vertical="center", wrap_text=True)
        ws.freeze_panes = "A2"
        if ws.max_row > 1 and columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{ws.max_row}"
        for i, column in enumerate(columns, start=1):
            sample = [str(column)] + [str(c.value or "") for c in ws[get_column_letter(i)][1:200]]
            width = max(display_width(s) for s in sample) + 2
            ws.column_dimensions[get_column_letter(i)].width = min(max(width, 6), 50)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.print_title_rows = "1:1"
    with replacing(path, suffix=".xlsx") as temp:
        book.save(temp)


def display_width(text: str) -> int:
    """East Asian characters take two columns in Excel's default font."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
