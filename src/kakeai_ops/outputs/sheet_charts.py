"""Native Excel charts drawn from a sheet's own table (the workbook writer styles them).

A chart names its columns by key, as the table's frame has them; it is drawn below
the table, so a sheet still prints one A4 page wide. Only columns of counts are
charted: a hidden figure (``<5``) would be drawn as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import workbook

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True)
class SheetChart:
    sheet: str  # the sheet's name as given to write_table (before translation)
    title: str
    categories: str  # column key of the labels
    values: tuple[str, ...]  # column keys of the series (counts)
    kind: str = "bar"  # "bar": horizontal, listed top to bottom as the table; "column"
    x_title: str | None = None
    y_title: str | None = None


def add_chart(sheet: Worksheet, spec: SheetChart, keys: list[str], rows: int) -> None:
    """Draw ``spec`` from the sheet's header row and its ``rows`` data rows."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    if rows == 0:
        return
    missing = [k for k in (spec.categories, *spec.values) if k not in keys]
    if missing:
        raise ValueError(f"chart {spec.title!r}: no column {', '.join(missing)} on {sheet.title}")
    chart = BarChart()
    chart.type = "bar" if spec.kind == "bar" else "col"
    chart.title = workbook.chart_title(spec.title, 16.0)  # its width, set below
    for key in spec.values:
        column = keys.index(key) + 1
        chart.add_data(
            Reference(sheet, min_col=column, min_row=1, max_row=rows + 1), titles_from_data=True
        )
    column = keys.index(spec.categories) + 1
    chart.set_categories(Reference(sheet, min_col=column, min_row=2, max_row=rows + 1))
    chart.legend = chart.legend if len(spec.values) > 1 else None
    chart.height = max(7.5, 1.1 * rows * len(spec.values) + 4) if spec.kind == "bar" else 7.5
    chart.width = 16.0
    chart.x_axis.tickLblSkip = 1  # every category labelled, however many
    workbook.style_chart(
        chart, x_title=spec.x_title, y_title=spec.y_title, as_table=spec.kind == "bar"
    )
    sheet.add_chart(chart, f"{get_column_letter(1)}{rows + 5}")
    # As every sheet with a chart in kops' workbooks: printed landscape, table and chart
    # on one A4 page wide.
    sheet.page_setup.orientation = "landscape"
