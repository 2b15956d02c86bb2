"""Files → raw text tables.

Encoding is decided strictly: a BOM means UTF-8; otherwise the whole file must
decode as UTF-8, else as CP932 (what Japanese Excel writes); anything else is
refused, never read as mojibake. Every cell is read as text; conversion is
deliberate and happens in ``normalise``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Phrase, Problem
from ..i18n import N_, language
from .decoding import OLE_SIGNATURE, ReadFailure, detect_encoding, utf8_copy
from .findings import Findings

XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass
class RawTable:
    """A file's cells as text, with the header row and the row number of its first data row."""

    path: Path
    headers: list[str]
    frame: pd.DataFrame
    first_row: int
    encoding: str
    numeric_columns: frozenset[str] = frozenset()  # XLSX columns holding number cells

    @property
    def display(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class HeaderRow:
    """The header row as found: cells stripped, its row number, the file's encoding."""

    headers: list[str]
    row: int  # 1-based; blank lines before it are skipped
    encoding: str  # 'utf-8-sig', 'utf-8', 'cp932' or 'xlsx'


def clean_header(cell: str) -> str:
    """A header cell without the spaces (half- or full-width) Excel users leave around it,
    nor a second BOM (a tool that adds one to a file that has one): never part of a name."""
    return cell.replace("\ufeff", "").strip()


def find_header(path: Path, sheet: str | None = None) -> HeaderRow:
    """The first non-blank row and its number, without reading the body.

    Headers are empty when the file has no non-blank row.
    """
    if path.suffix.lower() in XLSX_SUFFIXES:
        rows, row, _ = _xlsx_rows(path, sheet, limit=1)
        return HeaderRow([clean_header(h) for h in rows[0]] if rows else [], row, "xlsx")
    encoding = detect_encoding(path)
    line, index = _first_nonblank_line(path, encoding)
    if line is None:
        return HeaderRow([], 1, encoding)
    cells = next(csv.reader(io.StringIO(line), delimiter=guess_delimiter(line)))
    return HeaderRow([clean_header(h) for h in cells], index + 1, encoding)


def read_headers(path: Path, sheet: str | None = None) -> tuple[list[str], str]:
    """The header row and the encoding (or 'xlsx') without reading the body."""
    found = find_header(path, sheet)
    return found.headers, found.encoding


# A line of nothing but spaces and separators (",,,,," is how Excel saves an empty row).
_BLANK_LINE = re.compile(r"[\s,]*")
_HEADER_SEARCH_LIMIT = 100


def _first_nonblank_line(path: Path, encoding: str) -> tuple[str | None, int]:
    """The first line with any text and its 0-based index (blank lines above a header
    are common in exports tidied by hand)."""
    with path.open("r", encoding=encoding, newline="") as handle:
        for index in range(_HEADER_SEARCH_LIMIT):
            line = handle.readline()
            if line == "":
                break
            if not _BLANK_LINE.fullmatch(line):
                return line, index
    return None, 0


def guess_delimiter(first_line: str) -> str:
    """Tab or comma, whichever the header line has more of."""
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


NOT_A_FILE = (
    N_("a folder, not a file: give the file inside it"),
    N_("not a regular file (a device, pipe or socket)"),
    N_("no file matches this pattern"),
    N_("a link that leads to no file (its file was moved, or links form a loop)"),
    N_("file not found"),
)


def missing_file_reason(path: Path) -> str:
    """Why ``path`` can't be read as a file, in the words that point to the fix."""
    if path.is_dir():
        return N_("a folder, not a file: give the file inside it")
    if path.exists():
        return N_("not a regular file (a device, pipe or socket)")
    if any(mark in path.name for mark in "*?"):  # no file can have them on Windows
        return N_("no file matches this pattern")
    if path.is_symlink():  # a shortcut whose file was moved, or links pointing at each other
        return N_("a link that leads to no file (its file was moved, or links form a loop)")
    return N_("file not found")


def readable(path: Path, findings: Findings) -> bool:
    """Whether ``path`` is a file with something in it; if not, why, in ``findings``."""
    if not path.is_file():
        findings.problem(Problem(str(path), None, None, missing_file_reason(path)))
        return False
    if path.stat().st_size == 0:
        findings.problem(Problem(path.name, None, None, N_("file is empty")))
        return False
    return True


def read_rows(
    path: Path,
    used: Collection[str],
    findings: Findings,
    sheet: str | None = None,
    encoding: str | None = None,
    repeated: Collection[str] = (),
) -> RawTable | None:
    """The columns headed ``used`` and the data rows (``read_table``); None when the file
    can't be read or has a header row and nothing under it, with why in ``findings``."""
    try:
        raw = read_table(
            path, lambda hs: [h for h in hs if h in used], sheet, encoding, repeated=repeated
        )
    except ReadFailure as failure:
        findings.problems_of(failure.problems)
        return None
    if raw.frame.empty:
        findings.problem(Problem(path.name, None, None, N_("has a header row but no data rows")))
        return None
    return raw


def read_table(
    path: Path,
    keep: Callable[[list[str]], list[str]],
    sheet: str | None = None,
    encoding: str | None = None,
    repeated: Collection[str] = (),
) -> RawTable:
    """Read the columns ``keep(headers)`` selects, every cell as text ('' when blank).

    Columns not kept (memo text among them) are never parsed from CSV. ``encoding``: the
    one ``find_header`` detected for this file, so that a big file is decoded once to check it.
    ``repeated``: headers of columns holding a few values over many rows (ids of people,
    statuses, ratings), read from CSV as categoricals of their text.
    """
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(path, keep, sheet)
    encoding = encoding or detect_encoding(path)
    first, index = _first_nonblank_line(path, encoding)
    if first is None:
        raise ReadFailure(Problem(path.name, None, None, N_("file is empty")))
    delimiter = guess_delimiter(first)
    cells = next(csv.reader(io.StringIO(first), delimiter=delimiter))
    headers = [clean_header(h) for h in cells]
    wanted = keep(headers)
    positions = [i for i, h in enumerate(headers) if h in wanted]
    coded = {i for i in positions if headers[i] in repeated}
    frame = _read_csv_columns(path, encoding, delimiter, len(headers), positions, index + 1, coded)
    frame.columns = [headers[i] for i in positions]
    blank = _blank_last_lines(path, encoding, delimiter, len(headers))
    frame = _without_trailing_blank_rows(frame, blank)
    return RawTable(path, headers, frame, first_row=index + 2, encoding=encoding)


# The end of a CSV file looked at for its blank lines (more only when all of it is blank).
TAIL_BYTES = 1 << 16


def _blank_last_lines(path: Path, encoding: str, delimiter: str, width: int) -> int:
    """How many rows at the end of the file hold nothing but separators, quotes and spaces
    (「,,,,」), the columns kops does not read included: a last row with a name and no id
    is a row with a blank id (refused), not a blank row to drop. Only whether a line holds
    anything is asked, never what (a memo column stays unread). Lines of another width
    than the header's are no rows of the table (the parser skipped them): not counted."""
    size = path.stat().st_size
    blank = re.compile(rf'[\s"{re.escape(delimiter)}]*')
    chunk = TAIL_BYTES
    while True:
        with path.open("rb") as handle:
            handle.seek(max(0, size - chunk))
            tail = handle.read().decode(encoding, errors="replace")
        lines = _lines(tail)
        if chunk < size:
            lines = lines[1:]  # the first may be the end of a line cut by the seek
        count = 0
        for line in reversed(lines):
            if not line:
                count += 1  # a row of blanks to the reader (EMPTY_LINES_ARE_ROWS)
                continue
            if not blank.fullmatch(line):
                return count
            count += line.count(delimiter) == width - 1
        if chunk >= size:
            return count
        chunk *= 16


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> list[str]:
    """The text's lines as a CSV reader breaks them: at CR, LF or CRLF only (``splitlines``
    also breaks at U+2028 and the like, which a cell may hold: a blank row with one in a
    cell was counted as two lines, neither of the header's width)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the text ends with a line break: no line after it
    return lines


def _without_trailing_blank_rows(frame: pd.DataFrame, blank_lines: int) -> pd.DataFrame:
    """The frame without the blank rows at its end (「,,,,」: rows whose contents were
    deleted in Excel before it saved the CSV), as a workbook's are dropped: no more than
    the file's ``blank_lines`` at its end. Looked at from the end, in growing steps: a
    2.5M-row export with none costs one row's check."""
    floor = len(frame) - blank_lines
    end, step = len(frame), 16
    if frame.shape[1] == 0:
        return frame  # no column kops reads: said by the columns' check, not as blank rows
    while end > 0:
        start = max(0, end - step)
        tail = frame.iloc[start:end]
        filled = np.zeros(len(tail), dtype=bool)
        for position in range(tail.shape[1]):
            filled |= tail.iloc[:, position].astype(str).str.strip().ne("").to_numpy()
        if filled.any():
            last = max(start + int(np.flatnonzero(filled)[-1]) + 1, floor)
            return frame if last == len(frame) else frame.iloc[:last]
        end, step = start, step * 4
    return frame.iloc[: max(floor, 0)]


# An empty line is a row of blanks, as Excel shows it: skipped, it moved every row after
# it up one in the numbers problems are named by (「pairs.csv:102」 was on line 105); in the
# middle it is refused as any blank row (its required values are blank), at the end
# dropped with the other blank rows.
EMPTY_LINES_ARE_ROWS = True


def _doubled_line_ends(path: Path) -> bool:
    """Whether lines end in CR CR LF (a CSV written on Windows by a program that added its
    own CR to Windows' CRLF): each is one line end, not a line and an empty one after it
    (read so, every row had an empty row of blanks after it, all refused)."""
    with path.open("rb") as handle:
        return b"\r\r\n" in handle.read(TAIL_BYTES)


def _read_csv_columns(
    path: Path,
    encoding: str,
    delimiter: str,
    width: int,
    positions: list[int],
    skip: int,
    coded: Collection[int] = (),
) -> pd.DataFrame:
    """The selected columns as text, read with Arrow's CSV parser (about 5× pandas' C
    engine on a 2.5M-row export), on all cores: the rows come out in the file's order
    whatever thread parsed them."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(width)]
    ragged: list[str] = []

    def on_invalid(row: object) -> str:
        if len(ragged) < 20:
            expected = getattr(row, "expected_columns", width)
            actual = getattr(row, "actual_columns", "?")
            text = str(getattr(row, "text", ""))[:60]
            ragged.append(f"a row has {actual} columns, the header {expected} ('{text}')")
        else:
            ragged.append("")
        return "skip"

    # A CP932 file is parsed from the UTF-8 copy its encoding check made.
    source = pa.BufferReader(utf8_copy(path)) if encoding == "cp932" else path
    empty_lines_are_rows = EMPTY_LINES_ARE_ROWS and not _doubled_line_ends(path)
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(
                encoding="utf8",  # UTF-8 files, and CP932 ones through their UTF-8 copy
                column_names=names,
                skip_rows=skip,
                use_threads=True,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                invalid_row_handler=on_invalid,
                ignore_empty_lines=not empty_lines_are_rows,
            ),
            convert_options=pacsv.ConvertOptions(
                # large_string is what pandas keeps text in: no conversion afterwards.
                # Columns of repeated values are dictionary-encoded while parsing: each
                # distinct value is stored once, not millions of times.
                column_types={
                    name: pa.dictionary(pa.int32(), pa.large_string())
                    if i in coded
                    else pa.large_string()
                    for i, name in enumerate(names)
                },
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                include_columns=[names[i] for i in positions],
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        return _not_parsed(err, path, encoding, delimiter, width, skip, positions)
    if ragged and (found := _ragged_rows(path, encoding, delimiter, width, skip)):
        raise ReadFailure(*found)
    # Each Arrow column is released as soon as it is converted: the file is not held twice.
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    # The parser's working memory, freed, would otherwise stay with Arrow's allocator
    # (about as much again as the text) while the columns are checked.
    release_freed_memory()
    return frame


def _not_parsed(
    err: Exception,
    path: Path,
    encoding: str,
    delimiter: str,
    width: int,
    skip: int,
    positions: list[int],
) -> pd.DataFrame:
    """What a file Arrow could not parse is: a header with no line break after it (Excel
    writes one, an editor may not), no data rows, as the same file with a line break
    says (Arrow cannot skip a row that does not end, and it was called damaged); else
    the rows to look at, or a file to save again."""
    import pyarrow as pa

    arrow = isinstance(err, pa.ArrowInvalid)
    if arrow and _header_only(path, encoding, skip):
        return pd.DataFrame({f"c{i}": pd.Series(dtype=object) for i in positions})
    if arrow:
        # A quote never closed over more than Arrow's block (1 MB) is "straddling
        # object": the rows read one by one name where it opened.
        found = _ragged_rows(path, encoding, delimiter, width, skip)
        if any(problem.row is not None for problem in found):
            raise ReadFailure(*found) from None
    # Arrow's words are English: kept for an English reader only.
    detail = f"{type(err).__name__}: {err}" if language() == "en" else None
    what = N_("is not a readable CSV (a damaged file?): save it again from Excel as CSV")
    raise ReadFailure(Problem(path.name, None, None, what, detail)) from None


def _header_only(path: Path, encoding: str, skip: int) -> bool:
    """Whether the file ends within its first ``skip`` lines (on the error path only)."""
    text = path.read_bytes().decode(encoding, errors="replace")
    return len(_lines(text)) <= skip


def release_freed_memory() -> None:
    """Give memory freed by Arrow back to the OS: its allocator keeps freed blocks for
    reuse, which would count a big export's raw text in the peak long after it is gone."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def allow_fields_of(path: Path) -> None:
    """Let the csv module read any field ``path`` can hold. A quote never closed makes the
    rest of the file one field, and a survey answer can be long: past the module's guard
    (128 KB) either was an internal error. Raised to the file's size (a C long on
    Windows caps it)."""
    csv.field_size_limit(max(csv.field_size_limit(), min(path.stat().st_size + 1, 2**31 - 1)))


def _ragged_rows(path: Path, encoding: str, delimiter: str, width: int, skip: int) -> list[Problem]:
    """Rows whose number of fields differs from the header's, with their row numbers.

    Only on this error path is the file read again, row by row, to number them.
    """
    problems: list[Problem] = []
    blank_rows: list[Problem] = []
    last_filled = 0  # the last line of a row holding anything
    allow_fields_of(path)
    with path.open("r", encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        for _ in range(skip):
            next(reader, None)
        started = reader.line_num
        for fields in reader:
            first_line, started = started + 1, reader.line_num
            if any(f.strip() for f in fields):
                last_filled = reader.line_num
            if (
                len(fields) != width
                and reader.line_num - first_line > 1
                and any(f.count("\n") > 1 for f in fields)
            ):
                # A quote opened and never closed takes every line after it into one
                # field: the row that is wrong is where the quote opened, not the last.
                problems.append(
                    Problem(
                        path.name,
                        first_line,
                        None,
                        Phrase(
                            N_(
                                'a quote (") opened in this row is not closed: the rows to '
                                "line {last} read as one cell"
                            ),
                            last=reader.line_num,
                        ),
                        f"'{delimiter.join(fields)[:60]}'",
                    )
                )
                continue
            if fields and len(fields) != width:
                shown = delimiter.join(fields)[:60]
                # A row of blanks is named only when it is all there is to name (「,,」 after
                # a two-column header refused the file with no row said).
                found = problems if any(f.strip() for f in fields) else blank_rows
                found.append(
                    Problem(
                        path.name,
                        reader.line_num,
                        None,
                        Phrase(
                            N_("has {fields} fields, the header {header}"),
                            fields=len(fields),
                            header=width,
                        ),
                        f"'{shown}'",
                    )
                )
    # Rows of blanks after the last row with anything are no rows, whatever their width
    # (「,」 under a three-column header was refused where 「,,」 was skipped).
    inner = [p for p in blank_rows if p.row is not None and p.row <= last_filled]
    if problems or inner:
        return problems or inner
    if blank_rows:
        return []
    return [Problem(path.name, None, None, N_("rows with the wrong number of fields"))]


def _xlsx_rows(
    path: Path, sheet: str | None, limit: int | None = None
) -> tuple[list[list[str]], int, set[int]]:
    """Rows of the sheet as text from the first non-empty row; that row's number; and the
    positions of columns holding number cells (where Excel may have dropped leading zeros)."""
    data = _sheet(path, sheet, kept=limit is not None)
    try:
        raw = data.to_python(skip_empty_area=False, nrows=None if limit is None else limit + 50)
    except Exception as err:
        raise ReadFailure(unreadable_xlsx(path, err)) from None
    start = 0
    while start < len(raw) and all(_cell_text(c) == "" for c in raw[start]):
        start += 1
    rows = [[_cell_text(c) for c in row] for row in raw[start:]]
    # Number cells (not True/False: bool is a kind of int): calamine gives plain ints
    # and floats, so their type alone says it.
    numbers = (int, float)
    numeric = {i for row in raw[start + 1 :] for i, c in enumerate(row) if type(c) in numbers}
    if limit is not None:
        rows = rows[:limit]
    return rows, start + 1, numeric


# The sheet whose first rows were just read to find its header, kept for the whole read
# that follows: calamine parses a whole sheet to give any of its rows (a second parse of
# the sample's 1on1s was a sixth of its ingest). Handed over once, and only while the
# file is the one parsed (same size, time and inode). Exports read at once (ingest's
# threads) each take their own.
_parsed: dict[tuple[str, str | None, tuple[int, ...]], Any] = {}


def _sheet(path: Path, sheet: str | None, kept: bool) -> Any:
    """The sheet ``sheet`` (the first when None) of the workbook, parsed; with ``kept``,
    kept for the next read of the same sheet of the same file."""
    try:
        stat = path.stat()
        key = (str(path.resolve()), sheet, (stat.st_size, stat.st_mtime_ns, stat.st_ino))
    except OSError:
        key = None
    data = _parsed.pop(key, None) if key is not None else None
    if data is None:
        data = _parse_sheet(path, sheet)
    if kept and key is not None:
        _parsed[key] = data
        while len(_parsed) > 3:  # the three exports of one ingest, at most
            del _parsed[next(iter(_parsed))]
    return data


def _parse_sheet(path: Path, sheet: str | None) -> Any:
    from python_calamine import CalamineWorkbook, WorksheetNotFound

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as err:  # calamine raises its own error types for broken files
        raise ReadFailure(unreadable_xlsx(path, err)) from None
    try:
        return book.get_sheet_by_name(sheet) if sheet is not None else book.get_sheet_by_index(0)
    except WorksheetNotFound:
        if sheet is None:  # the workbook lists a sheet it does not hold
            raise ReadFailure(unreadable_xlsx(path, None)) from None
        raise ReadFailure(
            Problem(
                path.name,
                None,
                None,
                Phrase(
                    N_("has no sheet '{sheet}' (sheets: {sheets})"),
                    sheet=sheet,
                    sheets=", ".join(book.sheet_names),
                ),
            )
        ) from None
    except Exception as err:  # the sheet's own part is damaged
        raise ReadFailure(unreadable_xlsx(path, err)) from None


def other_sheets(path: Path, named_in_settings: bool = False) -> Problem | None:
    """For a workbook whose first sheet is not the export (a cover sheet 「説明」 before
    it): which sheet was read and which others there are, so the fix is plain.
    ``named_in_settings``: kops.yaml's exports.sheet can name it (the three exports)."""
    if path.suffix.lower() not in XLSX_SUFFIXES:
        return None
    names = sheet_names(path)
    if len(names) < 2:
        return None
    said = (
        N_(
            "kops reads the first sheet, '{first}'; the workbook also has {others}: "
            "put the export's sheet first, or name it in kops.yaml exports.sheet"
        )
        if named_in_settings
        else N_(
            "kops reads the first sheet, '{first}'; the workbook also has {others}: "
            "put the list's sheet first"
        )
    )
    others = ", ".join(f"'{name}'" for name in names[1:])
    return Problem(path.name, None, None, Phrase(said, first=names[0], others=others))


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheets in order ([] when it cannot be opened: said elsewhere)."""
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:  # calamine raises its own error types for broken files
        return []


def unreadable_xlsx(path: Path, error: BaseException | None) -> Problem:
    """Why a file named .xlsx cannot be read, and what to do, in the reader's language:
    by what the file is (its first bytes), not by the library's words (English, shown in
    English mode only)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if path.name.startswith("~$"):
        # Excel's owner file beside a workbook it has open, picked up by a `*.xlsx`.
        return Problem(
            path.name,
            None,
            None,
            Phrase(
                N_(
                    "is the lock file Excel keeps while {workbook} is open, not an export: "
                    "give {workbook} itself"
                ),
                workbook=path.name[2:],
            ),
        )
    if head == OLE_SIGNATURE:
        what = N_(
            "is an old Excel file (.xls) or has a password: open it in Excel and save it "
            "as an Excel workbook (.xlsx) without a password"
        )
    elif not head.startswith(b"PK"):
        what = N_(
            "is not an Excel workbook inside (a CSV or another file named .xlsx?): "
            "give it its own name (.csv), or save it from Excel as .xlsx"
        )
    else:
        what = N_(
            "is a damaged Excel workbook (a download or copy cut short?): "
            "download the export again, or open it in Excel and save it again"
        )
    detail = f"{type(error).__name__}: {error}" if error is not None else None
    return Problem(path.name, None, None, what, detail if language() == "en" else None)


def _read_xlsx(path: Path, keep: Callable[[list[str]], list[str]], sheet: str | None) -> RawTable:
    rows, header_row, numeric = _xlsx_rows(path, sheet)
    if not rows:
        raise ReadFailure(Problem(path.name, None, None, N_("file is empty")))
    headers = [clean_header(h) for h in rows[0]]
    wanted = keep(headers)
    positions = [i for i, h in enumerate(headers) if h in wanted]
    body = rows[1:]
    # Trailing blank rows are formatting residue, not data (a cell holding a space too:
    # one typed far below the table made every row above it a row of blanks).
    while body and all(not c.strip() for c in body[-1]):
        body.pop()
    width = len(headers)
    columns = {
        headers[i]: [row[i] if i < len(row) else "" for row in body] for i in positions if i < width
    }
    frame = pd.DataFrame(columns, dtype=str)
    numbers = frozenset(headers[i] for i in positions if i in numeric)
    return RawTable(path, headers, frame, header_row + 1, "xlsx", numbers)


def _cell_text(cell: object) -> str:
    """An XLSX cell as the text a person sees; dates as ISO so one parser serves all."""
    if type(cell) is str:  # most cells: first
        return cell
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, dt.time):
        return cell.isoformat()
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return str(cell)
