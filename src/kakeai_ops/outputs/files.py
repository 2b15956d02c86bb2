"""Tabular files that open cleanly in Japanese Excel.

CSV: UTF-8 with BOM and CRLF (Excel otherwise guesses CP932 and garbles).
XLSX: a header row, IDs as text cells (leading zeros survive), dates as dates,
number formats, filters, frozen header and name columns, widths for Japanese text,
A4 print set-up (see workbook); optional extra sheets (e.g. a summary) and a
「列の説明」 sheet naming each column's key.
Both: Japanese headers and values (see people and glossary); text that Excel would
run as a formula is written as text (see neutralise).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from copy import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import glossary, numbers
from ..errors import KopsError
from ..i18n import _
from . import workbook
from .atomic import check_target, replacing, write_atomically
from .csv_fields import csv_rows, field_column
from .neutralise import FORMULA_TRIGGERS, csv_field, xlsx_texts
from .people import PeopleTable, for_people
from .sheet_charts import SheetChart, add_chart
from .workbook import Print

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["cell", "csv_text", "json_text", "replacing", "write_atomically", "write_table"]


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
    return "-" if value is None or pd.isna(value) else numbers.percent(float(value), 1)


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


def check_table_suffix(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise KopsError(
            _("{path}: unsupported file type '{suffix}'").format(path=path, suffix=suffix),
            hint=_("use a .csv or .xlsx file name"),
        )


def write_table(
    frame: pd.DataFrame,
    path: Path,
    sheet: str = "data",
    extra_sheets: Sequence[tuple[str, pd.DataFrame]] = (),
    text_columns: Iterable[str] = (),
    options: Print | None = None,
    charts: Sequence[SheetChart] = (),
) -> Path:
    """Write ``frame`` to .csv or .xlsx (chosen by the suffix), atomically, with Japanese
    headers and values (see glossary); a workbook is set up for A4 by the workbook writer.
    ``options``: the 基準日 and audience printed in the header (default 事務局内限り);
    ``charts``: native charts drawn below their sheet's table (XLSX only)."""
    check_target(path)
    check_table_suffix(path)
    suffix = path.suffix.lower()
    texts = set(text_columns)
    if suffix == ".csv":
        people = as_shown(for_people(frame, texts))
        data = csv_text(people, line_end="\r\n").encode("utf-8-sig")
        write_atomically(path, data)
    else:
        sheets = [(sheet, frame), *extra_sheets]
        _xlsx(path, sheets, texts, options or Print(), charts)
    return path


# How a CSV for people writes a figure the workbook formats: as the cell shows it. A share
# is 「67%」, which Japanese Excel reads back as the number 0.67 shown as a percent (0.6667
# opened as a bare decimal); an average is 4.4 as in the workbook, not 4.3636; a difference
# of shares is its points, 3 or -5.5, as the cell holds them. A signed figure stays a number
# (「+3pt」 or 「-0.3」 as text would be taken for a formula and guarded).
SHARES = {glossary.PERCENT: 0, glossary.PERCENT_TENTHS: 1}
ROUNDED = {
    glossary.ONE_DECIMAL: 1,
    glossary.TWO_DECIMALS: 2,
    **glossary.POINT_FORMATS,
}


def as_shown(people: PeopleTable) -> pd.DataFrame:
    """The people's frame with each formatted figure the way its cell shows it, rounded
    as Excel rounds (a tie away from zero); a row of another kind of figure (a count
    among rates) takes its row's format. Missing stays blank."""
    frame = people.frame.copy()
    for position, number_format in enumerate(people.formats):
        column = frame.iloc[:, position]
        if number_format == glossary.DATE and pd.api.types.is_datetime64_any_dtype(column):
            # A day, as its cell shows it: 「最終ログイン日」 held 2026-11-20 15:09.
            frame.isetitem(position, column.dt.strftime("%Y-%m-%d").astype(object))
            continue
        if column.dtype == object and any(people.row_kinds):
            frame.isetitem(position, _shown_mixed(column, _cell_formats(people, position, None)))
            continue
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        formats = _cell_formats(people, position, number_format)
        if not any(f in SHARES or f in ROUNDED for f in formats):
            continue
        shown = _shown_figures(column.astype(float).to_numpy(), formats)
        frame.isetitem(position, shown)
    return frame


def _cell_formats(people: PeopleTable, position: int, number_format: str | None) -> list[Any]:
    key = people.keys[position]
    formats: list[Any] = [number_format] * len(people.frame)
    for row, kind in enumerate(people.row_kinds):
        if kind in glossary.ROW_FORMATS:
            changes = glossary.CHANGE_FORMATS
            formats[row] = (
                changes.get(kind, glossary.ROW_FORMATS[kind])
                if key in glossary.CHANGE_KEYS
                else glossary.ROW_FORMATS[kind]
            )
    return formats


def _shown_mixed(column: pd.Series, formats: list[Any]) -> list[Any]:
    """A column of figures of different kinds held as they are (a count stays a whole
    number beside a rate): each rate or average as its row shows it (26%, not 0.2615),
    every other value as it is."""
    values = column.tolist()
    numbers = [isinstance(v, int | float) and not isinstance(v, bool) and v == v for v in values]
    shown = _shown_figures(
        np.array([float(v) if n else np.nan for v, n in zip(values, numbers, strict=True)]),
        formats,
    )
    rounded = [f in SHARES or f in ROUNDED for f in formats]
    return [
        figure if number and rounds else value
        for value, figure, number, rounds in zip(values, shown, numbers, rounded, strict=True)
    ]


def _shown_figures(values: np.ndarray, formats: list[Any]) -> list[Any]:
    """Each value as its format shows it; one vectorised rounding per format."""
    shown: list[Any] = [None if v != v else v for v in values.tolist()]
    for number_format in {f for f in formats if f in SHARES or f in ROUNDED}:
        rows = [i for i, f in enumerate(formats) if f == number_format]
        share = number_format in SHARES
        places = SHARES[number_format] if share else ROUNDED[number_format]
        scale = 100.0 if share or number_format in glossary.POINT_FORMATS else 1.0
        # 15 significant digits first (0.285 × 100 is 28.499999999999996), then half up.
        scaled = np.round(values[rows] * scale, 9) * 10**places
        whole = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) / 10**places
        for row, value in zip(rows, whole.tolist(), strict=True):
            if value != value:
                shown[row] = None
            elif share and value >= 0:
                shown[row] = f"{value:.{places}f}%"
            elif share:
                shown[row] = round(value / scale, places + 2) + 0.0
            else:  # an average, or points: the figure itself
                shown[row] = round(value, places) + 0.0
    return shown


def _xlsx(
    path: Path,
    sheets: Sequence[tuple[str, pd.DataFrame]],
    text_columns: set[str],
    options: Print,
    charts: Sequence[SheetChart] = (),
) -> None:
    book = workbook.new_book()
    used: set[str] = set()
    notes: list[tuple[str, str, str, str]] = []
    for title, frame in sheets:
        people = for_people(frame, text_columns)
        name = workbook.sheet_title(glossary.SHEETS.get(title, title), used)
        ws = book.create_sheet(title=name)
        _table_sheet(ws, people)
        _sheet_note(ws, len(frame), str(frame.attrs.get(glossary.SHEET_NOTE, "")))
        for spec in charts:
            if spec.sheet == title:
                add_chart(ws, spec, people.keys, len(frame))
        workbook.keep_charts_whole(ws)
        own = frame.attrs.get(glossary.OWN_MEANINGS) or {}
        notes += [
            (name, label, own.get(key) or _meaning(key), key)
            for label, key in zip(people.frame.columns, people.keys, strict=True)
            if label != key
        ]
    if notes:
        ws = book.create_sheet(title=glossary.COLUMN_NOTES_SHEET)
        columns = ["シート", "列", "意味", "キー（--format json）"]
        _table_sheet(ws, for_people(pd.DataFrame(notes, columns=columns)))
    workbook.save(book, path, options)


def _meaning(key: str) -> str:
    """What a figure's column counts, out of what, as the glossary defines it (the same
    words as the division report's 数値の定義), or what another column holds where its
    header does not say (COLUMN_MEANINGS); "" for a column its header says."""
    figure = glossary.FIGURES.get(key)
    if figure is None:
        return glossary.COLUMN_MEANINGS.get(key, "")
    if figure.out_of in ("", "－"):
        return figure.counts
    if figure.counts.endswith("の合計"):  # an average: the sum over how many
        return f"{figure.counts}を{figure.out_of}で割った平均"
    return f"{figure.counts}（分母: {figure.out_of}）"


# Leading columns that name a row: repeated on every printed page and kept in view.
ROW_NAMES = frozenset(
    {
        "user_id",
        "name",
        "rank",
        "interest_rank",
        "manager_id",
        "manager_name",
        "member_id",
        "member_name",
        "division",
        "stuck_point",
        "figure",
        "run_id",
    }
)


def _sheet_note(ws: Worksheet, rows: int, note: str) -> None:
    """``note`` under the table and its legend, a line to a row; none when empty."""
    if not note:
        return
    start = ws.max_row + 2 if ws.max_row > rows + 1 else rows + 3
    for offset, line in enumerate(note.split("\n")):
        target = ws.cell(row=start + offset, column=1, value=xlsx_texts([line])[0])
        target.font = workbook.font(size=9, color="595959")


def _table_sheet(ws: Worksheet, people: PeopleTable) -> None:
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    frame = people.frame
    header_font = workbook.font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="305496")
    # A header can be the tenant's text (a 事業部 per column): no control character either.
    ws.append(xlsx_texts([str(c) for c in frame.columns]))
    for header in ws[1]:
        header.font = header_font
        header.fill = header_fill
        header.alignment = Alignment(vertical="center", horizontal="center", wrap_text=True)
    columns = _xlsx_columns(frame, people.formats, people.keys)
    for row in zip(*columns, strict=True) if columns else ():
        ws.append(row)
    if frame.empty and len(frame.columns):
        # A sheet of headers alone reads as a page cut off: it says that nothing is there.
        ws.cell(row=2, column=1, value=workbook.NOTHING).font = workbook.font(italic=True)
    last = ws.max_row
    for position, number_format in enumerate(people.formats, start=1):
        if number_format is None:
            continue
        styled = None
        for (target,) in ws.iter_rows(min_row=2, max_row=last, min_col=position, max_col=position):
            if number_format == glossary.TEXT and target.value is not None:
                target.value = str(target.value)
            if styled is None:
                target.number_format = number_format
                styled = copy(target._style)
            else:
                target._style = copy(styled)
    _row_formats(ws, people)
    _in_points(ws, people)
    # A hidden figure (<5), or a count said with its reasons (「1\nメールアドレスなし 1人」),
    # stands where the figure would, at the right of its cell: on the left it ran into the
    # figure of the column before (「3 <5」, 「14 0」 read as one).
    right = Alignment(horizontal="right")
    said: list[Any] = []  # counts said on several lines: each line whole, at the right
    for position, number_format in enumerate(people.formats, start=1):
        if number_format is None or number_format == glossary.TEXT:
            continue
        for (target,) in ws.iter_rows(min_row=2, max_row=last, min_col=position, max_col=position):
            if isinstance(target.value, str):
                target.alignment = right
                if "\n" in target.value:
                    said.append(target)
    _hidden_at_the_right(ws, people, right)
    _apart_from_figures(ws, people.formats, last, mixed=bool(people.row_kinds))
    firsts = [ws.cell(row=r, column=1).value for r in range(2, last + 1)]
    for row_number, first in enumerate(firsts, start=2):
        # A total is one row; a label on several rows (全体 beside 出席した人 and 出席しなかった
        # 人) names a group, and bold lines above each read as totals that are not.
        if isinstance(first, str) and first in workbook.TOTAL_LABELS and firsts.count(first) == 1:
            workbook.total_row(ws, row_number, len(frame.columns))
    names = 0
    for key in people.keys[:3]:
        if key not in ROW_NAMES:
            break
        names += 1
    width = workbook.fit_columns(ws, header_rows=[1], details=people.details, kinds=people.kinds)
    width = _folded_and_wrapped(ws, people, width, last)
    lines = Alignment(horizontal="right", vertical="top", wrap_text=True)
    for target in said:  # measured by their longest line above; now shown line by line
        target.alignment = lines
        height = workbook.row_height(target.value.count("\n") + 1)
        current = ws.row_dimensions[target.row].height
        ws.row_dimensions[target.row].height = max(height, current or 0)
    workbook.rule_between_records(ws, last, len(frame.columns))
    ws.freeze_panes = f"{get_column_letter(names + 1)}2"
    if last > 1 and len(frame.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{last}"
    if _shows_hidden(frame):
        workbook.legend(ws, last + 2)
    workbook.print_setup(
        ws,
        title_rows="1:1",
        title_columns=f"A:{get_column_letter(names)}" if names else None,
        width=width,
    )


def _hidden_at_the_right(ws: Worksheet, people: PeopleTable, right: Any) -> None:
    """In a column of figures of several kinds (a seminar's 値), a hidden count of a count's
    row stands where its count would (it stood at the left, read as a label)."""
    for row_number, kind in enumerate(people.row_kinds, start=2):
        if kind not in glossary.ROW_FORMATS:
            continue
        for target in ws[row_number]:
            if isinstance(target.value, str) and target.value in workbook.HIDDEN_MARKS:
                target.alignment = right


def _apart_from_figures(
    ws: Worksheet, formats: list[str | None], last: int, mixed: bool = False
) -> None:
    """Text to the right of a column of figures or dates starts a character in: the
    figure stands at the right of its cell, and without a gap 「2」 beside 「社員番号」 or 「0」
    beside 「休職・休業中のため対象外」 read as one word (「0休職…」)."""
    from openpyxl.styles import Alignment

    apart = Alignment(horizontal="left", indent=1)

    def figures(position: int) -> bool:
        """A column of figures without one format: rows of several kinds (a count, an
        average) in one 値 column, each with its row's format (``mixed``)."""
        return mixed and any(
            isinstance(target.value, int | float) and not isinstance(target.value, bool)
            for (target,) in ws.iter_rows(
                min_row=2, max_row=last, min_col=position, max_col=position
            )
        )

    for position in range(2, len(formats) + 1):
        before, own = formats[position - 2], formats[position - 1]
        if own not in (None, glossary.TEXT):
            continue
        if before == glossary.TEXT or (before is None and not figures(position - 1)):
            continue
        if own is None and figures(position):  # figures of its own stay at the right
            continue
        styled = None
        for (target,) in ws.iter_rows(min_row=2, max_row=last, min_col=position, max_col=position):
            if styled is None:
                target.alignment = apart
                styled = copy(target._style)
            else:
                target._style = copy(styled)


def _folded_and_wrapped(ws: Worksheet, people: PeopleTable, width: float, last: int) -> float:
    """Detail columns folded where the sheet is too wide, long text wrapped, headers broken
    between words; returns the width left."""
    kinds = people.kinds
    width = workbook.fold_details(ws, people.details, width, kinds)
    _apart_from_unfolded(ws, people.formats, last)
    ids = {position for position, kind in enumerate(kinds, start=1) if kind == workbook.ID}
    workbook.shrink_long_ids(ws, ids)
    workbook.wrap_long_cells(ws)
    _between_phrases(ws, people.keys, last)
    workbook.break_headers(ws, [1])
    return width


def _between_phrases(ws: Worksheet, keys: list[str], last: int) -> None:
    """A wrapped cell of phrases kops wrote (選んだ理由, 案内する人) gets its line breaks
    between the phrases: Excel and LibreOffice would break it at any character
    (「平均ス / ッキリ度」, 「…スッキ / リ度未入力」, a line that starts with 「・」)."""
    from openpyxl.utils import get_column_letter

    from .header_lines import list_lines, phrase_lines

    for position, key in enumerate(keys, start=1):
        dimension = ws.column_dimensions[get_column_letter(position)]
        if key not in glossary.PHRASE_COLUMNS | glossary.LIST_COLUMNS or dimension.hidden:
            continue
        # A list of reasons breaks between two reasons only (its column holds the longest).
        broken = list_lines if key in glossary.LIST_COLUMNS else phrase_lines
        room = max((dimension.width or 8.43) - 1.5, 1) / 1.1  # as wrap_long_cells reads it
        for (target,) in ws.iter_rows(min_row=2, max_row=last, min_col=position, max_col=position):
            text = target.value
            if not isinstance(text, str) or not target.alignment.wrap_text or "\n" in text:
                continue
            lines = broken(text, room)
            if len(lines) < 2:
                continue
            target.value = "\n".join(lines)
            # A word wider than the line keeps its own line, which wraps again.
            count = sum(max(math.ceil(workbook.display_width(line) / room), 1) for line in lines)
            height = workbook.row_height(count)
            current = ws.row_dimensions[target.row].height
            ws.row_dimensions[target.row].height = max(height, current or 0)


def _apart_from_unfolded(ws: Worksheet, formats: list[str | None], last: int) -> None:
    """Once detail columns are folded, a text column whose neighbour is folded away stands
    beside the column before it: the 備考 of `campaign eligible` beside 最長の連続月数, 「0」
    and 「条件にいちばん近い期間…」 read as 「0条件に…」. It starts a character in, as beside
    figures of its own (``_apart_from_figures``)."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    def hidden(position: int) -> bool:
        return bool(ws.column_dimensions[get_column_letter(position)].hidden)

    for position in range(2, len(formats) + 1):
        if formats[position - 1] not in (None, glossary.TEXT) or not hidden(position - 1):
            continue
        seen = position - 1
        while seen > 0 and hidden(seen):
            seen -= 1
        if seen == 0 or formats[seen - 1] in (None, glossary.TEXT) or hidden(position):
            continue
        for (target,) in ws.iter_rows(min_row=2, max_row=last, min_col=position, max_col=position):
            if target.value is None or target.alignment.indent:
                continue
            old = target.alignment
            target.alignment = Alignment(
                horizontal="left",
                vertical=old.vertical,
                wrap_text=old.wrap_text,
                indent=1,
                shrink_to_fit=old.shrink_to_fit,
            )


def _in_points(ws: Worksheet, people: PeopleTable) -> None:
    """A cell formatted in points holds them: the share × 100 (Excel has no format that
    shows a fraction as points). Done once, after every format is set, in the columns
    that can hold points (a difference's own, or a change among rows of kinds)."""
    for position, (key, number_format) in enumerate(
        zip(people.keys, people.formats, strict=True), start=1
    ):
        if number_format not in glossary.POINT_FORMATS and key not in glossary.CHANGE_KEYS:
            continue
        for (target,) in ws.iter_rows(min_row=2, min_col=position, max_col=position):
            value = target.value
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and target.number_format in glossary.POINT_FORMATS:
                target.value = round(value * 100, 9)


def _row_formats(ws: Worksheet, people: PeopleTable) -> None:
    """Rows of different kinds of figure (a share, a count, an average in one column):
    each number takes its row's format, a change its signed one."""
    for row_number, kind in enumerate(people.row_kinds, start=2):
        if kind not in glossary.ROW_FORMATS:
            continue
        for position, key in enumerate(people.keys, start=1):
            target = ws.cell(row=row_number, column=position)
            if isinstance(target.value, int | float) and not isinstance(target.value, bool):
                changes = glossary.CHANGE_FORMATS
                target.number_format = (
                    changes.get(kind, glossary.ROW_FORMATS[kind])
                    if key in glossary.CHANGE_KEYS
                    else glossary.ROW_FORMATS[kind]
                )


def _shows_hidden(frame: pd.DataFrame) -> bool:
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        textual = column.dtype == object or isinstance(column.dtype, pd.StringDtype)
        if textual and column.isin(workbook.HIDDEN_MARKS).any():
            return True
    return False


def _xlsx_columns(
    frame: pd.DataFrame, formats: list[str | None], keys: Sequence[str] = ()
) -> list[list[Any]]:
    """Cells column by column: dates as dates (Excel sorts and filters them), the rest as
    ``cell`` gives them; formula-like text is made inert when the book is saved. A column
    of days at midnight shows the day alone; a moment kops recorded (``*_at``) keeps its
    time even at 00:00, the minute a send at midnight happened."""
    columns = _cell_columns(frame)
    for position, number_format in enumerate(formats):
        column = frame.iloc[:, position]
        if number_format == glossary.TEXT:
            continue
        if number_format is not None and column.dtype == np.float64:
            # The figure itself, for Excel to round once as its format shows it (as the
            # terminal does): to 4 decimals first, 0.124996 became 0.125 and showed 13%.
            columns[position] = ["" if v != v else v for v in column.tolist()]
            continue
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            values = column.dt.tz_localize(None) if column.dt.tz is not None else column
            moment = position < len(keys) and keys[position].endswith("_at")
            whole = not moment and bool((values.dropna() == values.dropna().dt.normalize()).all())
            columns[position] = [
                None if pd.isna(v) else (v.date() if whole else v.to_pydatetime()) for v in values
            ]
            if formats[position] != glossary.DATE:  # the glossary may ask for the day only
                formats[position] = glossary.DATE if whole else glossary.DATE_TIME
        elif _all_iso_dates(columns[position]):
            columns[position] = [dt.date.fromisoformat(v) if v else None for v in columns[position]]
            formats[position] = glossary.DATE
    return [xlsx_texts([None if v == "" else v for v in column]) for column in columns]


def _all_iso_dates(values: list[Any]) -> bool:
    seen = False
    for value in values:
        if value == "" or value is None:
            continue
        if not (isinstance(value, str) and len(value) == 10 and ISO_DATE.fullmatch(value)):
            return False
        seen = True
    return seen


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
