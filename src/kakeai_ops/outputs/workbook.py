"""The one workbook writer: every .xlsx kops writes is set up here to be read on
screen in Japanese Excel and printed on A4.

What each sheet gets, whoever fills its cells:
- A4 (``paperSize=9``), portrait or landscape by the width of its columns, fitted
  to one page wide and as many pages long as it needs (``fitToPage`` is the flag
  Excel needs before it reads ``fitToWidth``/``fitToHeight`` at all);
- the header row (and the id/name columns) repeated on every printed page;
- a header with the file name, the 基準日 and who may see it (事務局内限り /
  共有可), a footer with ページ x / y;
- column widths from the East Asian display width of what the columns hold (a
  title or a note alone in its row spills to the right and sets no width);
- one Japanese font for the whole book, so Excel on Windows never falls back to a
  Latin font that draws 事業部 with uneven glyphs.

Charts get ``smooth=False`` (a smoothed line overshoots the data), axes
explicitly shown (``delete=0``: without it Excel hides them), axis titles with
units, and bars in the order of the table beside them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .. import glossary
from ..clock import now
from . import header_lines
from .atomic import replacing
from .neutralise import protect_workbook

if TYPE_CHECKING:
    from openpyxl.chart._chart import ChartBase
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "Meiryo UI"  # on every Japanese Windows; narrow enough for tables
FONT_SIZE = 10
SECRETARIAT = "事務局内限り"
SHAREABLE = "共有可"
SHAREABLE_IN_SCOPE = "共有可（閲覧範囲の方のみ）"  # an advisor's report: their scope's readers
# A4 at 100 %: about 95 width units across a portrait page, 140 across a landscape one.
PORTRAIT_WIDTH = 95
# Wider than this, a list fitted to one A4 landscape page prints its 10 pt text below
# 8 pt: LibreOffice, the wider of the two layouts (RENDERERS), gives a width unit 6.47 pt
# of the 799 pt a landscape page holds; 799 / 6.47 × 10 / 8 ≈ 154.
READABLE_WIDTH = 150
# A report (the division report) is read on paper by people outside the secretariat: its
# text prints at 9 pt or more (799 / 6.47 × 10 / 9 ≈ 137).
REPORT_WIDTH = 137
MAX_COLUMN_WIDTH = 50
MIN_COLUMN_WIDTH = 6
# What a column holds (people.PeopleTable.kinds) decides the room it keeps when its sheet
# is too wide to print readably, and where its cells may break:
ID = "id"  # read and copied whole (配信ID, 社員番号): never wraps, never narrowed to wrap;
# only on a sheet still too wide does it narrow, its longer ids shrunk to the column.
LIST = "list"  # reasons one after another (選んだ理由): as wide as its longest reason
NAME = "name"  # a person's name: wraps as text does, never narrower than the name
TEXT = "text"  # words: wraps between them, down to its longest word where the sheet needs
NUMBER = "number"  # figures and dates: as wide as they and their header are
# Labels of a total row: printed bold with a line above, apart from the rows it adds up.
TOTAL_LABELS = frozenset({"合計", "全社", "事業部計", "全体", "計"})
HIDDEN_MARKS = ("<5", "<10", "(秘匿)")
NOTHING = "（該当なし）"  # the one row of a table with no rows
LEGEND = glossary.HIDDEN_LEGEND
PERCENT = "0%"
ONE_DECIMAL = "0.0"
TWO_DECIMALS = "0.00"
COUNT = "#,##0"
DATE = "yyyy-mm-dd"
DATE_TIME = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Print:
    """What the printed header says: the 基準日 and who may see the file."""

    as_of: dt.date | str | None = None
    audience: str = SECRETARIAT
    title: str = ""  # the file's title property (and nothing else)


# Excel refuses a sheet name holding any of these, or starting or ending with an
# apostrophe (LibreOffice will not open the file at all), and names over 31 characters.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
SHEET_NAME_LENGTH = 31


def sheet_title(name: str, used: set[str]) -> str:
    """``name`` as a sheet name Excel and LibreOffice accept, unique in the book as
    Excel compares names (case folded): a second 「営業」 becomes 「営業_2」. ``used``
    holds the names given so far (folded) and gets this one."""
    title = SHEET_NAME_FORBIDDEN.sub("_", name).strip("'")[:SHEET_NAME_LENGTH].strip("'")
    title = title or "sheet"
    base, number = title, 2
    while title.casefold() in used:
        suffix = f"_{number}"
        title = base[: SHEET_NAME_LENGTH - len(suffix)].rstrip("'") + suffix
        number += 1
    used.add(title.casefold())
    return title


def new_book() -> Workbook:
    """An empty workbook whose every cell, unless styled otherwise, uses the Japanese font."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    # The "Normal" style is the default of every cell and of the column headings.
    normal = book._named_styles["Normal"]
    normal.font = Font(name=FONT_NAME, size=FONT_SIZE, family=3, charset=128)
    book._fonts[0] = normal.font  # cells without a style read font 0
    return book


def font(**changes: Any) -> Any:
    """The book's font with some changes (bold, colour, size)."""
    from openpyxl.styles import Font

    settings: dict[str, Any] = {"name": FONT_NAME, "size": FONT_SIZE, "family": 3, "charset": 128}
    settings.update(changes)
    return Font(**settings)


def display_width(text: str) -> int:
    """East Asian characters take two columns in Excel."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def units(shown: float) -> int:
    """The column width (Excel's units) that shows ``shown`` display columns on one line:
    glyphs of Japanese fonts run a little wider than two Latin columns, plus padding."""
    return min(max(round(shown * 1.1) + 2, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH)


def line_room(width: float) -> int:
    """The display columns a line of a column ``width`` wide holds (``units`` reversed)."""
    shown = max(int((width - 2) / 1.1) + 1, 1)
    while shown > 1 and round(shown * 1.1) + 2 > width:
        shown -= 1
    return shown


def cell_text(value: Any, number_format: str) -> str:
    """The text a cell shows, as wide as Excel draws it (a share as 12%, not 0.1234)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return "2026-01-01 00:00" if "h" in number_format else "2026-01-01"
    if isinstance(value, dt.date):
        return "2026-01-01"
    if isinstance(value, int | float):
        if number_format in glossary.POINT_FORMATS:  # the cell holds the points
            return f"{value:+.1f}pt"
        if number_format.endswith("%"):
            return f"{value:+.1%}" if ".0%" in number_format else f"{value:.0%}"
        if number_format == COUNT:
            return f"{value:,.0f}"
        if number_format in (ONE_DECIMAL, TWO_DECIMALS):
            return f"{value:.2f}"
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value)


SHORT_LINE = 16  # display width: a header this short (扱うセミナー, スタックポイント) never breaks


def header_width(text: str, roomy: bool = True) -> int:
    """The display width a header is given, broken only between words (header_lines).
    Roomy: a short one on one line (「扱うセミナ/ー」 reads badly), a middling one on two,
    a long one on three. Tight (a sheet that would print too small otherwise): three
    lines, rather than widen its column of figures."""
    longest = max((display_width(part) for part in text.split("\n")), default=0)
    if roomy and longest <= SHORT_LINE:
        return longest
    count = 2 if roomy and longest <= 2 * SHORT_LINE else 3
    return header_lines.width_for(text, count)


def break_headers(sheet: Worksheet, rows: Iterable[int]) -> None:
    """Each header in ``rows`` written on the lines its column holds, broken between
    words (Excel and LibreOffice would break it at any character: 「実施率の推/移」), and
    its row as tall as its most lines. Call once the columns have their final widths."""
    from openpyxl.utils import get_column_letter

    for row in rows:
        most = 1
        for target in sheet[row]:
            if not isinstance(target.value, str) or not target.value:
                continue
            letter = get_column_letter(target.column)
            merged = [m for m in sheet.merged_cells.ranges if target.coordinate in m]
            if merged:  # a caption over several columns has their width together
                bounds = merged[0].bounds
                width = sum(
                    sheet.column_dimensions[get_column_letter(c)].width or 8.43
                    for c in range(bounds[0], bounds[2] + 1)
                )
            else:
                width = sheet.column_dimensions[letter].width or 8.43
            text = target.value.replace("\n", "")
            shown = header_lines.lines(text, line_room(width))
            target.value = "\n".join(shown)
            most = max(most, len(shown))
        if most > 1:
            sheet.row_dimensions[row].height = row_height(most)
        elif sheet.row_dimensions[row].height is not None:
            sheet.row_dimensions[row].height = None


def wrapped_width(longest: int, roomy: bool = True) -> int:
    """The display width a wrapping cell (a header) is given. Roomy: a short one on one line
    (「扱うセミナ/ー」 reads badly), a middling one on two, a long one on three. Tight (a
    sheet that would print too small otherwise): up to three lines, rather than widen its
    column of figures."""
    if not roomy:
        return max(-(-longest // 3), 6) if longest > 8 else longest
    if longest <= SHORT_LINE:
        return longest
    if longest <= 2 * SHORT_LINE:
        return -(-longest // 2)
    return max(-(-longest // 3), SHORT_LINE)


def fit_columns(
    sheet: Worksheet,
    header_rows: Iterable[int] = (),
    sample: int = 400,
    details: Sequence[bool] = (),
    readable: float = READABLE_WIDTH,
    kinds: Sequence[str] = (),
) -> float:
    """Set each column as wide as its widest cell (headers wrap, and their rows are made
    tall enough); returns the sheet's total width. A cell alone in its row (a title, a
    note, a legend) spills over the empty cells to its right and sets no width. Headers get
    the room not to break inside a word where the sheet still prints readably (``details``:
    the columns fold_details folds away when the sheet is too wide; ``kinds``: what each
    column holds, an id's column counted whole and a list's as wide as its longest reason)."""
    from openpyxl.utils import get_column_letter

    cells = _measured_cells(sheet, set(header_rows), sample)

    def measured(roomy: bool) -> dict[int, float]:
        widths: dict[int, float] = {}
        for _row, column, longest, wraps, label in cells:
            if label is not None:
                shown = header_width(label, roomy)
            else:
                shown = wrapped_width(longest, roomy) if wraps else longest
            widths[column] = max(widths.get(column, MIN_COLUMN_WIDTH), units(shown))
        return widths

    def printed(widths: dict[int, float]) -> float:
        """As wide as it prints once fold_details has folded its detail columns and
        wrap_wide has wrapped its long text columns; never counting on the first column
        (the names a report's rows are read by) to be narrowed for a header's room."""
        return sum(
            w if column == 1 or column in whole else min(w, cap(column))
            for column, w in widths.items()
            if not (column <= len(details) and details[column - 1])
        )

    def cap(column: int) -> float:
        return max(WRAPPED_WIDTH, floors.get(column, 0))

    # wrap_wide narrows a column no further than its header's longest word (or reason).
    floors = _list_floors(sheet, kinds, sample)
    for _row, column, _longest, _wraps, label in cells:
        if label is not None:
            floors[column] = max(floors.get(column, 0), units(header_lines.longest_word(label)))

    roomy, widths = measured(True), measured(False)
    # A text column that wrap_wide would wrap (「2026年10月22日〜11 / 月20日」 breaks inside a
    # word) keeps its width first where the sheet has the room, the least wide first;
    # headers get what is left (they break between words anyway). Ids are never wrapped.
    whole = _kind_columns(kinds, ID)
    spare = readable - printed(widths)
    over = {c: w - cap(c) for c, w in widths.items() if c != 1 and c not in whole and w > cap(c)}
    for column in sorted(over, key=lambda c: (over[c], c)):
        if over[column] <= spare and not (column <= len(details) and details[column - 1]):
            spare -= over[column]
            whole.add(column)
    if printed(roomy) <= readable:
        widths = roomy
    else:
        # Too wide for every header to have its room: the columns it costs least go first,
        # as long as the sheet still prints readably.
        room = readable - printed(widths)

        def cost(column: int) -> float:
            return printed({column: roomy[column]}) - printed({column: widths[column]})

        for column in sorted(widths, key=lambda c: (cost(c), c)):
            if roomy[column] == widths[column] or cost(column) > room:
                continue
            if not (column <= len(details) and details[column - 1]):
                room -= cost(column)
                widths[column] = roomy[column]
    for column, chosen in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = chosen
    _tall_enough(sheet, cells, widths)
    return float(sum(widths.values()))


# A measured cell: (row, column, display width, wraps, the header's text or None: a header
# breaks between words only).
_Cell = tuple[int, int, int, bool, str | None]


def _measured_cells(sheet: Worksheet, headers: set[int], sample: int) -> list[_Cell]:
    """The cells that set a column's width: the first ``sample`` rows and the headers,
    but not a cell alone in its row (a title, a note, a legend spills to the right)."""
    cells: list[_Cell] = []
    # Going over the rows makes their empty cells, none past the last column: read once.
    several_columns = sheet.max_column > 1
    looks = _CellLooks()
    for index, row in enumerate(sheet.iter_rows()):
        if index > sample and row[0].row not in headers:
            continue
        filled = [c for c in row if c.value is not None and c.value != ""]
        if len(filled) == 1 and several_columns and filled[0].column == 1:
            continue
        for target in filled:
            number_format, indent, wrap_text = looks.of(target)
            text = cell_text(target.value, number_format)
            longest = max((display_width(part) for part in text.split("\n")), default=0)
            longest += 2 * indent  # an indent is about a character
            header = target.row in headers
            wraps = header or wrap_text
            label = text if header and isinstance(target.value, str) else None
            cells.append((target.row, target.column, longest, wraps, label))
    return cells


class _CellLooks:
    """A cell's number format, indent and wrapping, read once per style id of its book
    (each read of ``number_format`` or ``alignment`` looks the style up and makes an
    object: a sheet's cells share a few looks)."""

    def __init__(self) -> None:
        self._formats: dict[int, str] = {}
        self._alignments: dict[int, tuple[int, bool]] = {}

    def of(self, target: Any) -> tuple[str, int, bool]:
        style = target._style  # None: the book's defaults (id 0)
        format_id = 0 if style is None else style.numFmtId
        if format_id not in self._formats:
            self._formats[format_id] = target.number_format
        alignment_id = 0 if style is None else style.alignmentId
        if alignment_id not in self._alignments:
            alignment = target.alignment
            self._alignments[alignment_id] = (int(alignment.indent or 0), bool(alignment.wrap_text))
        indent, wrap_text = self._alignments[alignment_id]
        return self._formats[format_id], indent, wrap_text


def _kind_columns(kinds: Sequence[str], kind: str) -> set[int]:
    return {position for position, own in enumerate(kinds, start=1) if own == kind}


def _list_floors(sheet: Worksheet, kinds: Sequence[str], sample: int = 400) -> dict[int, int]:
    """The width of each list column's longest reason (「週カバー率 100%、」): it breaks
    between two reasons only, so it is never narrower."""
    floors: dict[int, int] = {}
    for column in _kind_columns(kinds, LIST):
        for (target,) in sheet.iter_rows(
            min_row=2, max_row=sample + 1, min_col=column, max_col=column
        ):
            if isinstance(target.value, str):
                widest = max(display_width(x) for x in header_lines.items(target.value) or [""])
                floors[column] = max(floors.get(column, 0), units(widest))
    return floors


def _tall_enough(sheet: Worksheet, cells: list[_Cell], widths: dict[int, float]) -> None:
    """Rows of wrapping cells as tall as their most lines in the columns' widths."""
    import math

    lines: dict[int, int] = {}
    for row_number, column, longest, wraps, label in cells:
        if label is not None:
            count = len(header_lines.lines(label, line_room(widths.get(column, MIN_COLUMN_WIDTH))))
            lines[row_number] = max(lines.get(row_number, 1), count)
        elif wraps:
            usable = max(widths.get(column, MIN_COLUMN_WIDTH) - 1.5, 1) / 1.1
            lines[row_number] = max(lines.get(row_number, 1), math.ceil(longest / usable))
    for row_number, count in lines.items():
        if count > 1:
            sheet.row_dimensions[row_number].height = row_height(count)


def fold_details(
    sheet: Worksheet, details: list[bool], width: float, kinds: Sequence[str] = ()
) -> float:
    """When the sheet is too wide to print readably, fold its detail columns into an
    outline (hidden; Excel's [+] above the columns opens them), then wrap its long text
    columns (wrap_wide, by what each column holds); returns the width left."""
    from openpyxl.utils import get_column_letter

    if width <= READABLE_WIDTH:
        return width
    for position, detail in enumerate(details, start=1):
        if detail:
            dimension = sheet.column_dimensions[get_column_letter(position)]
            width -= dimension.width or 0
            dimension.outlineLevel = 1
            dimension.hidden = True
    sheet.sheet_properties.outlinePr.summaryRight = False
    if width > READABLE_WIDTH:
        width = wrap_wide(sheet, width, header_rows=(1,), kinds=kinds)
    return width


WRAPPED_WIDTH = 18
# Points per line of 10 pt text, as fit_columns sizes header rows. Meiryo UI's lines are
# about 13.5 pt in Excel; LibreOffice sets Japanese in Noto Sans CJK at 14.5 pt: at 14 the
# fifth line of a wrapped cell printed over the next row there.
LINE_HEIGHT = 15
# Excel refuses a row taller than 409 pt (the file opens as damaged): a longer text shows
# what fits, the rest in the cell itself.
MAX_ROW_HEIGHT = 409


def row_height(lines: int) -> float:
    """The height that shows ``lines`` lines of 10 pt text, at most Excel's maximum."""
    return min(LINE_HEIGHT * lines + 2, MAX_ROW_HEIGHT)


def wrap_long_cells(sheet: Worksheet, first_row: int = 2) -> None:
    """Text longer than its column is wide (a column capped at MAX_COLUMN_WIDTH or folded
    to WRAPPED_WIDTH) wraps, and its row is made tall enough to show every line: neither
    Excel nor LibreOffice grows a row by itself for a file that gives no height, so the
    rest of the text would be cut off on screen and on paper."""
    import math

    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    lines: dict[int, int] = {}
    for column in range(1, sheet.max_column + 1):
        dimension = sheet.column_dimensions[get_column_letter(column)]
        if dimension.hidden:
            continue
        usable = max((dimension.width or 8.43) - 1.5, 1) / 1.1
        for (target,) in sheet.iter_rows(min_row=first_row, min_col=column, max_col=column):
            text = target.value
            # A quick bound first: no character is wider than two columns.
            if not isinstance(text, str) or len(text) * 2 <= usable or _alone(sheet, target):
                continue
            if target.alignment.shrink_to_fit:  # an id, shown whole (shrink_long_ids)
                continue
            needed = sum(
                max(math.ceil(display_width(part) / usable), 1) for part in text.split("\n")
            )
            if needed <= 1:
                continue
            if not target.alignment.wrap_text:
                target.alignment = Alignment(
                    wrap_text=True,
                    vertical="top",
                    horizontal=target.alignment.horizontal,
                    indent=target.alignment.indent,
                )
            lines[target.row] = max(lines.get(target.row, 1), needed)
    for row, count in lines.items():
        height = row_height(count)
        current = sheet.row_dimensions[row].height
        if current is None or current < height:
            sheet.row_dimensions[row].height = height
        # A tall row reads from its top line: every cell of it starts there.
        for target in sheet[row]:
            if target.value is not None and target.alignment.vertical != "top":
                old = target.alignment
                target.alignment = Alignment(
                    horizontal=old.horizontal,
                    vertical="top",
                    wrap_text=old.wrap_text,
                    indent=old.indent,
                    shrink_to_fit=old.shrink_to_fit,  # an id shown whole (shrink_long_ids)
                )


def _alone(sheet: Worksheet, target: Any) -> bool:
    """A title, note or legend: the only filled cell of its row, it spills to the right."""
    right = sheet.cell(row=target.row, column=target.column + 1).value
    return target.column == 1 and (right is None or right == "")


def wrap_wide(
    sheet: Worksheet,
    width: float,
    readable: float = READABLE_WIDTH,
    header_rows: Iterable[int] = (),
    kinds: Sequence[str] = (),
) -> float:
    """Still too wide: long text columns wrap at a narrower width, widest first; never
    narrower than the longest word of their header (it would break inside the word), nor
    a list than its longest reason. With ``kinds`` (what each column holds): an id never
    wraps; if the sheet is still too wide, text columns wrap down to their longest word,
    and last its ids narrow, the longer ones shrunk to the column (never broken)."""
    from openpyxl.utils import get_column_letter

    dimensions = [
        (sheet.column_dimensions[get_column_letter(i)], i) for i in range(1, sheet.max_column + 1)
    ]
    ids = _kind_columns(kinds, ID)
    floors = _list_floors(sheet, kinds)
    wide = sorted(
        (
            (d.width or 0, i, d)
            for d, i in dimensions
            if not d.hidden and (d.width or 0) > WRAPPED_WIDTH and i not in ids
        ),
        reverse=True,
    )
    rows = list(header_rows)
    for old, column, dimension in wide:
        if width <= readable:
            break
        words = [
            header_lines.longest_word(str(sheet.cell(row=r, column=column).value or ""))
            for r in rows
        ]
        narrowest = max(WRAPPED_WIDTH, units(max(words, default=0)), floors.get(column, 0))
        if narrowest >= old:
            continue
        dimension.width = narrowest
        width -= old - narrowest
        _wrap_column(sheet, column)
    if width > readable and kinds:
        width = _narrow_to_words(sheet, width, readable, rows, kinds)
    if width > readable and ids:
        width = _shrink_ids(sheet, width, readable, rows, ids)
    return width


def _wrap_column(sheet: Worksheet, column: int) -> None:
    """The text cells of a narrowed column wrap (a title or note alone in its row spills)."""
    from openpyxl.styles import Alignment

    wrap = Alignment(wrap_text=True, vertical="top")
    for (target,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
        if (
            isinstance(target.value, str)
            and not target.alignment.wrap_text
            and not _alone(sheet, target)
        ):
            indent = target.alignment.indent
            target.alignment = (
                Alignment(wrap_text=True, vertical="top", horizontal="left", indent=indent)
                if indent
                else wrap
            )


def _header_word(sheet: Worksheet, column: int, rows: list[int]) -> int:
    return max(
        (
            header_lines.longest_word(str(sheet.cell(row=r, column=column).value or ""))
            for r in rows
        ),
        default=0,
    )


def _narrow_to_words(
    sheet: Worksheet, width: float, readable: float, rows: list[int], kinds: Sequence[str]
) -> float:
    """Text columns (not the first, which names the rows) wrap down to their longest word,
    the widest first, until the sheet prints readably: 「マーケティング / 本部」 on a sheet whose
    rows are several lines tall anyway, rather than ids broken or the print made smaller.
    Then a list narrower than its longest reason (a long topic: 「「業務の進捗や進め方」が
    62%」), that reason broken between its words."""
    from openpyxl.utils import get_column_letter

    def shown(column: int) -> bool:
        return column != 1 and not sheet.column_dimensions[get_column_letter(column)].hidden

    def by_width(kind: str) -> list[int]:
        found = [c for c in _kind_columns(kinds, kind) if shown(c)]
        return sorted(
            found, key=lambda c: -(sheet.column_dimensions[get_column_letter(c)].width or 8.43)
        )

    for column in [*by_width(TEXT), *by_width(LIST)]:
        if width <= readable:
            break
        old = sheet.column_dimensions[get_column_letter(column)].width or 8.43
        longest = _header_word(sheet, column, rows)
        # The rows fit_columns measures (a long list is not read word by word to the end).
        for (target,) in sheet.iter_rows(min_row=2, max_row=401, min_col=column, max_col=column):
            if isinstance(target.value, str) and not _alone(sheet, target):
                longest = max(longest, header_lines.longest_word(target.value))
        least = WRAPPED_WIDTH if kinds[column - 1] == LIST else MIN_COLUMN_WIDTH
        narrowest: float = max(units(longest), least)
        if narrowest >= old:
            continue
        narrowest = max(narrowest, math.ceil(old - (width - readable)))  # no narrower than needed
        sheet.column_dimensions[get_column_letter(column)].width = narrowest
        width -= old - narrowest
        _wrap_column(sheet, column)
    return width


# An id column narrows no further than this: a 社員番号 stays whole, a long 配信ID shrinks.
MIN_ID_WIDTH = 12


def _shrink_ids(
    sheet: Worksheet, width: float, readable: float, rows: list[int], ids: set[int]
) -> float:
    """The last room a too-wide sheet has: its id columns narrow, the widest first, and an
    id longer than its column is shrunk to it (Excel's 縮小して全体を表示), never broken."""
    from openpyxl.utils import get_column_letter

    for column in sorted(
        ids, key=lambda c: -(sheet.column_dimensions[get_column_letter(c)].width or 0)
    ):
        if width <= readable:
            break
        dimension = sheet.column_dimensions[get_column_letter(column)]
        old = dimension.width or 8.43
        floor = max(units(_header_word(sheet, column, rows)), MIN_ID_WIDTH)
        narrowest = max(floor, math.ceil(old - (width - readable)))
        if dimension.hidden or narrowest >= old:
            continue
        dimension.width = narrowest
        width -= old - narrowest
    shrink_long_ids(sheet, ids)
    return width


def shrink_long_ids(sheet: Worksheet, ids: set[int]) -> None:
    """An id longer than its column (a column has at most MAX_COLUMN_WIDTH) is shrunk to
    it, on one line: wrapped, it would be read and copied in two pieces."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    for column in ids:
        room = line_room(sheet.column_dimensions[get_column_letter(column)].width or 8.43)
        for (target,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if isinstance(target.value, str) and display_width(target.value) > room:
                old = target.alignment
                if _alone(sheet, target):
                    continue
                target.alignment = Alignment(
                    horizontal=old.horizontal,
                    vertical=old.vertical,
                    indent=old.indent,
                    wrap_text=False,
                    shrink_to_fit=True,
                )


# A sheet with a chart and at most this many rows prints on one page: its chart is not
# cut across a page break, and the few rows stay readable.
CHART_PAGE_ROWS = 40


def keep_charts_whole(sheet: Worksheet) -> None:
    if sheet._charts and sheet.max_row <= CHART_PAGE_ROWS:
        sheet.page_setup.fitToHeight = 1


def _wrap_long_notes(sheet: Worksheet, width: float) -> None:
    """A note alone in its row that is longer than the sheet is wide would spill past
    the last column and shrink the printed page: it wraps over the sheet's width."""
    import math

    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    if sheet.max_column < 2 or width <= 0:
        return
    last = get_column_letter(sheet.max_column)
    for (target,) in sheet.iter_rows(min_col=1, max_col=1):
        text = target.value
        if not isinstance(text, str) or not _alone(sheet, target):
            continue
        needed = display_width(text) * 1.1
        if needed <= width:
            continue
        sheet.merge_cells(f"A{target.row}:{last}{target.row}")
        target.alignment = Alignment(wrap_text=True, vertical="top")
        # Broken between its parts, as Excel would not: 「基準日：2026- / 11-20」.
        lines = [
            line for part in text.split("\n") for line in header_lines.note_lines(part, width / 1.1)
        ]
        target.value = "\n".join(lines)
        count = sum(math.ceil(max(display_width(line) * 1.1, 1) / width) for line in lines)
        sheet.row_dimensions[target.row].height = row_height(max(count, 1))


def print_setup(
    sheet: Worksheet,
    *,
    title_rows: str | None = "1:1",
    title_columns: str | None = None,
    width: float | None = None,
    one_page: bool = False,
) -> None:
    """A4, orientation by width, one page wide, the titles repeated on every page."""
    if width is None:
        width = sum(
            (sheet.column_dimensions[letter].width or 8.43) for letter in _letters(sheet.max_column)
        )
    _wrap_long_notes(sheet, width)
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "portrait" if width <= PORTRAIT_WIDTH else "landscape"
    setup.fitToWidth = 1
    setup.fitToHeight = 1 if one_page else 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.3  # inches: 7.6 mm, any printer
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.25
    if title_rows:
        sheet.print_title_rows = title_rows
    if title_columns:
        sheet.print_title_cols = title_columns


@dataclass(frozen=True)
class Renderer:
    """How a program lays a sheet out on paper: the points one column-width unit takes
    (``per_unit`` and ``per_column``) and the height of a row no height was given."""

    per_unit: float
    per_column: float
    row: float


# Excel on Windows (Meiryo UI 10 pt: 7-pixel digits, 5 pixels of padding per column) and
# LibreOffice, measured on the sample month's reports; they break pages differently, so a
# section is kept whole for both.
RENDERERS = (Renderer(5.25, 3.75, 15.75), Renderer(6.47, 0.0, 15.0))
# The paper a sheet prints on (A4 less print_setup's margins), in points: width, height.
PRINTABLE = {
    "landscape": (842 - 0.6 * 72, 595 - 1.2 * 72),
    "portrait": (595 - 0.6 * 72, 842 - 1.2 * 72),
}


def section_gaps(
    sheet: Worksheet, starts: list[int], title_rows: int = 2, last: int | None = None
) -> dict[int, int]:
    """Blank rows to add before each section (a title, its table; from one start row to
    the next) so that no section is cut across a page break: a section that would cross
    one, and fits on a page, starts on the next page instead, in Excel and in
    LibreOffice alike. Call after print_setup (it reads widths, heights, orientation).
    ``last``: where the last section ends (a chart below its table reaches past the cells)."""

    from openpyxl.utils import get_column_letter

    widths = [
        sheet.column_dimensions[get_column_letter(i)].width or 8.43
        for i in range(1, sheet.max_column + 1)
        if not sheet.column_dimensions[get_column_letter(i)].hidden
    ]
    page_width, page_height = PRINTABLE[sheet.page_setup.orientation or "portrait"]
    end = max(sheet.max_row, last or 0)
    following = [*starts[1:], end + 1]
    ends = {start: after - 1 for start, after in zip(starts, following, strict=True)}
    pages = [_Page(sheet, r, widths, page_width, page_height, title_rows) for r in RENDERERS]
    gaps: dict[int, int] = {}
    for row in range(1, end + 1):
        if row in ends and row > title_rows + 1 and any(p.cuts(row, ends[row]) for p in pages):
            # The fewest blank rows after which no renderer cuts the section (it then opens
            # a page in those that would have cut it); where the renderers break pages too
            # differently for that, the fewest after which the fewest renderers cut it.
            def cutting(n: int, row: int = row) -> int:
                return sum(p.cuts(row, ends[row], n) for p in pages)

            # (LibreOffice's layout is the measured one: it decides a tie.)
            def measured(n: int, row: int = row) -> bool:
                return pages[-1].cuts(row, ends[row], n)

            blank = min(range(MAX_BLANK_ROWS + 1), key=lambda n: (cutting(n), measured(n), n))
            if blank:
                gaps[row] = blank
                for page in pages:
                    for _ in range(blank):
                        page.add(page.renderer.row)
        for page in pages:
            page.add(page.height(row))
    return gaps


MAX_BLANK_ROWS = 60


class _Page:
    """The page being filled, as one renderer lays the sheet out."""

    def __init__(
        self,
        sheet: Worksheet,
        renderer: Renderer,
        widths: list[float],
        page_width: float,
        page_height: float,
        title_rows: int,
    ) -> None:
        self.sheet, self.renderer = sheet, renderer
        wide = sum(renderer.per_unit * w + renderer.per_column for w in widths)
        scale = min(1.0, page_width / wide) if wide else 1.0
        self.capacity = page_height / scale  # in the sheet's own points
        # The height of the rows above each row (rows 1…n: above[n + 1]), summed once: a
        # section is measured for each count of blank rows tried before it.
        self.above = [0.0, 0.0]
        self.titles = sum(self.height(r) for r in range(1, title_rows + 1))
        self.filled = 0.0

    def height(self, row: int) -> float:
        dimensions = self.sheet.row_dimensions
        set_height = dimensions[row].height if row in dimensions else None
        return float(set_height or self.renderer.row)

    def rows_height(self, first: int, last: int) -> float:
        """The height of rows first…last."""
        while len(self.above) <= last + 1:
            self.above.append(self.above[-1] + self.height(len(self.above) - 1))
        return self.above[last + 1] - self.above[first]

    def add(self, size: float) -> None:
        """A row: on this page, or opening the next one (below the repeated title rows)."""
        self.filled = (
            self.titles + size if self.filled + size > self.capacity else self.filled + size
        )

    def cuts(self, first: int, last: int, blank: int = 0) -> bool:
        """Would rows first…last cross a page break here, after ``blank`` blank rows?
        (Not when they are longer than a page: they are cut wherever they start.)"""
        block = self.rows_height(first, last)
        if self.titles + block > self.capacity:
            return False
        filled = self.filled
        for _ in range(blank):
            size = self.renderer.row
            filled = self.titles + size if filled + size > self.capacity else filled + size
        return filled > self.titles and filled + block > self.capacity


def _letters(count: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(i) for i in range(1, count + 1)]


def header_footer(sheet: Worksheet, options: Print) -> None:
    """基準日 at the top, who may see it at the top right; the file's name at the bottom
    left, ページ x / y at the bottom right. (The name at the top left ran into 基準日 on a
    portrait page: 「…95420b50.xlsx基準日 2026-11-20」.)"""
    as_of = options.as_of.isoformat() if isinstance(options.as_of, dt.date) else options.as_of
    for header, footer in (
        (sheet.oddHeader, sheet.oddFooter),
        (sheet.evenHeader, sheet.evenFooter),
        (sheet.firstHeader, sheet.firstFooter),
    ):
        header.center.text = f"基準日 {as_of}" if as_of else ""
        header.center.size = 9
        header.right.text = options.audience
        header.right.size = 9
        # The file's own name, as Excel (and LibreOffice) knows it when printing (&F): a
        # report mailed as 「1on1実施状況レポート_営業本部_20261120.xlsx」 printed the name
        # it was written under, 「division-report-営業本部長-95420b50.xlsx」, which the
        # reader never received. A code of two characters also keeps within Excel's 255.
        footer.left.text = FILE_NAME_CODE
        footer.left.size = 9
        footer.right.text = "ページ &P / &N"
        footer.right.size = 9
    # At 9 pt on paper: a sheet fitted to the page's width is printed smaller, and its
    # header and footer with it unless told not to.
    sheet.HeaderFooter.scaleWithDoc = False


FILE_NAME_CODE = "&F"


def total_row(sheet: Worksheet, row: int, columns: int) -> None:
    """A totals row: bold with a double line above, so it reads apart from its parts."""
    from openpyxl.styles import Border, Side

    line = Side(style="double", color="404040")

    def bold_with_line_above(target: Any) -> None:
        target.font = font(bold=True)
        old = target.border
        target.border = Border(left=old.left, right=old.right, top=line, bottom=old.bottom)

    made = _TOTAL_LOOKS.setdefault(sheet.parent, {})
    for column in range(1, columns + 1):
        _restyle(sheet.cell(row=row, column=column), made, bold_with_line_above)


# Per workbook (style ids are its own): a cell's style ids before total_row → after.
_TOTAL_LOOKS: weakref.WeakKeyDictionary[Workbook, dict[tuple[int, ...] | None, Any]] = (
    weakref.WeakKeyDictionary()
)


def _restyle(
    target: Any, made: dict[tuple[int, ...] | None, Any], change: Callable[[Any], None]
) -> None:
    """``change`` made to a cell's look, once per look: giving a cell a font or a border
    looks it up among every style of the book (most of the time a table's total row
    took), so a cell that looked as one changed before takes that one's style ids, the
    same ones the lookups would give."""
    before = None if target._style is None else tuple(target._style)  # None: unstyled
    known = made.get(before)
    if known is not None:
        target._style = copy(known)
        return
    change(target)
    made[before] = copy(target._style)


# A sheet of at most this many records, one of them on several lines, gets a light rule
# under each record: without it a record's last line and the next one's first read as one
# (a shortlist pair's six reasons, then the next pair's). A longer list keeps plain rows.
RULED_RECORDS = 2_000


def rule_between_records(sheet: Worksheet, last: int, columns: int) -> None:
    """A thin grey line under each record of rows 2..``last`` where a record takes several
    lines (its row is taller than one line); a total row keeps its double line above."""
    from openpyxl.styles import Border, Side

    if not 2 <= last <= RULED_RECORDS + 1:
        return
    one_line = row_height(1)
    tall = (sheet.row_dimensions[r].height for r in range(2, last + 1))
    if not any(height is not None and height > one_line for height in tall):
        return
    line = Side(style="thin", color="BFBFBF")

    def line_below(target: Any) -> None:
        old = target.border
        target.border = Border(left=old.left, right=old.right, top=old.top, bottom=line)

    made: dict[tuple[int, ...] | None, Any] = {}
    for row in range(2, last + 1):
        for column in range(1, columns + 1):
            _restyle(sheet.cell(row=row, column=column), made, line_below)


def shows_hidden(values: Iterable[Any]) -> bool:
    return any(isinstance(v, str) and v in HIDDEN_MARKS for v in values)


def legend(sheet: Worksheet, row: int, extra: str = "", text: str = LEGEND) -> None:
    """The one line that says what <5, <10 and (秘匿) mean (``text``: with the minimums a
    file was made under, glossary.hidden_legend)."""
    target = sheet.cell(row=row, column=1, value=text + extra)
    target.font = font(italic=True, color="595959", size=9)


TITLE_SIZE = 1200  # a chart title, in hundredths of a point


def chart_title(text: str, width_cm: float) -> str:
    """A chart's title on the lines its width holds, broken between words: LibreOffice
    broke 「営業本部の部 / 署別」 and 「開発本部（製 / 品開発部」 wherever the line ran out.
    A display column (half an em) of 12 pt is 6 pt; LibreOffice ran a title's line to
    about 55 % of the chart's width (48 columns of an 18 cm chart), Excel further."""
    room = width_cm / 2.54 * 72 / (TITLE_SIZE / 100 / 2) * 0.55
    return "\n".join(header_lines.lines(text, room))


def style_chart(
    chart: ChartBase,
    *,
    x_title: str | None = None,
    y_title: str | None = None,
    as_table: bool = False,
) -> None:
    """Lines drawn straight between the data, both axes shown, axis titles with units.
    ``as_table``: a horizontal bar chart listing its bars top to bottom, as the table does
    (Excel draws the first category at the bottom otherwise)."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties

    for series in chart.series:
        if hasattr(series, "smooth"):
            series.smooth = False
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False
    if x_title:
        chart.x_axis.title = x_title
        if as_table:
            _upright(chart.x_axis.title)
    if y_title:
        chart.y_axis.title = y_title
    if as_table:
        chart.x_axis.scaling.orientation = "maxMin"
        # The value axis crosses the categories at their last, now the bottom: its
        # labels stay by its title below the bars (reversing alone moved them to the top).
        chart.y_axis.crosses = "max"
    japanese = CharacterProperties(latin=None, sz=900)
    japanese.ea = _typeface()
    if chart.title is not None and chart.title.tx is not None and chart.title.tx.rich is not None:
        # 12 pt bold: a title with its period (「1on1実施率（部下）2026年8月23日〜11月20日」)
        # stays on one line across the chart instead of breaking inside a date.
        heading = CharacterProperties(latin=None, sz=TITLE_SIZE, b=True)
        heading.ea = _typeface()
        for paragraph in chart.title.tx.rich.p:
            paragraph.pPr = ParagraphProperties(defRPr=heading)
    chart.txPr = RichText(
        p=[Paragraph(pPr=ParagraphProperties(defRPr=japanese), endParaRPr=japanese)]
    )


def _upright(title: Any) -> None:
    """The bars' axis title (on the left, 「部署」) written top to bottom, each character
    upright, as Japanese is set vertically (Excel's 縦書き): turned a quarter, its
    characters lay on their side, small and cramped in print."""
    from openpyxl.chart.text import RichTextProperties

    if title is not None and title.tx is not None and title.tx.rich is not None:
        title.tx.rich.bodyPr = RichTextProperties(vert="eaVert", rot=0)


def _typeface() -> Any:
    from openpyxl.drawing.text import Font as TextFont

    return TextFont(typeface=FONT_NAME)


def save(book: Workbook, path: Path, options: Print) -> Path:
    """Header and footer on every sheet, formula-like text made inert, file properties
    from kops (not from a template), written atomically."""
    for sheet in book.worksheets:
        header_footer(sheet, options)
    protect_workbook(book)
    properties = book.properties
    properties.creator = "kops"
    properties.lastModifiedBy = "kops"
    properties.title = options.title or path.stem
    properties.keywords = options.audience
    with replacing(path, suffix=".xlsx") as temp:
        write_book(book, temp)
    return path


def write_book(book: Workbook, target: Path | BinaryIO) -> None:
    """The workbook written with kops' clock as its times. openpyxl's own save stamps
    "modified" with the computer's clock: a file made on a pinned clock (the demo's
    month, a rerun for a past day) would say it was changed after it was made."""
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    moment = now().astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    book.properties.created = book.properties.modified = moment
    archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(book, archive).save()  # closes the archive
