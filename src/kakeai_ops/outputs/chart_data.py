"""Chart data whose embedded workbook holds text as text.

A PowerPoint chart keeps its data in a small workbook inside the .pptx, the
one 「データの編集」 opens. python-pptx writes it with XlsxWriter, which makes
any string starting with ``=`` a live formula: a campaign id or a 事業部 named
``=HYPERLINK(…)`` would run when someone edits the chart. Here the workbook
is written with formulas off and then given the same neutralisation as every
other workbook kops writes (text cells, quote prefix).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter

from .neutralise import protect_workbook
from .workbook import write_book


class _TextWorkbookWriter(CategoryWorkbookWriter):
    @contextmanager
    def _open_worksheet(self, xlsx_file: Any) -> Iterator[tuple[Any, Any]]:
        from xlsxwriter import Workbook

        options = {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        }
        workbook = Workbook(xlsx_file, options)
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()

    @property
    def xlsx_blob(self) -> bytes:
        return neutralised_xlsx(super().xlsx_blob)


def neutralised_xlsx(blob: bytes) -> bytes:
    """The workbook with every formula-like text as a quote-prefixed text cell."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(blob))
    protect_workbook(book)
    book.properties.creator = book.properties.lastModifiedBy = "kops"
    out = io.BytesIO()
    write_book(book, out)
    return out.getvalue()


class TextChartData(CategoryChartData):
    """CategoryChartData whose workbook never holds a formula."""

    @property
    def _workbook_writer(self) -> CategoryWorkbookWriter:
        return _TextWorkbookWriter(self)
