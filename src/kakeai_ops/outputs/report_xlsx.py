"""The division report as an Excel workbook: overview with native charts, a sheet
per 事業部. Only what ``reports.DivisionReport`` holds is written: no hidden
sheets, no data outside the visible tables.

Charts never read the tables' cells: Excel plots the text ``(秘匿)`` or ``<5``
as 0, so a hidden division would be drawn as a flat 0 % line or an empty bar.
They read the last sheet, 「グラフの値」, which holds the published numbers
only: a hidden value is a blank (a gap in a line), a row or series with nothing
published is left out, and the sheet under the chart says so in one sentence.
"""

from __future__ import annotations

import math
from copy import copy
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import DataPoint
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from .. import glossary, model
from ..privacy.audiences import SHARED
from ..privacy.audiences import label as audience_label
from ..privacy.audit import check
from . import workbook
from .files import cell

if TYPE_CHECKING:  # the report is built by the workflow above; this only writes it
    from openpyxl.workbook import Workbook

    from ..jobs.division_report import DivisionReport

HEADER_FILL = PatternFill("solid", fgColor="305496")
HEADER_FONT = workbook.font(bold=True, color="FFFFFF")
TITLE_FONT = workbook.font(bold=True, size=14)
BOLD = workbook.font(bold=True)
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

# The overview prints as two tables, one above the other, each one A4 page wide with its
# text at 9 pt or more (fifteen columns side by side print at about 8 pt): taking part
# and holding 1on1s, then preparing and looking back.
OVERVIEW_PARTS: list[tuple[str | None, list[str]]] = [
    (
        None,
        [
            "division",
            "headcount",
            "activation_rate",
            "pair_rate",
            "members",
            "implementation_rate",
            "implementation_rate_trend",
            "held",
            "per_member_month",
            "per_member_month_trend",
        ],
    ),
    (
        "事前準備・スッキリ度・成長実感",
        [
            "division",
            "prepared_share",
            "rated_share",
            "sukkiri_avg",
            "sukkiri_avg_trend",
            "growth_avg",
        ],
    ),
]
# Every figure of the overview, in the order of its two tables.
OVERVIEW_KEYS = [key for _caption, keys in OVERVIEW_PARTS for key in keys if key != "division"]
# (column, Japanese header, number format): the headers are the glossary's figure labels.
OVERVIEW_COLUMNS: list[tuple[str, str, str | None]] = [
    ("division", glossary.column_label("division"), None),
    *((key, glossary.column_label(key), glossary.COLUMNS[key].format) for key in OVERVIEW_KEYS),
]
DEPARTMENT_COLUMNS = [("department", "部署", None), *OVERVIEW_COLUMNS[1:]]
DEPARTMENT_COLUMNS = [c for c in DEPARTMENT_COLUMNS if not c[0].endswith("_trend")]
RIGHT = Alignment(horizontal="right")
MONTHLY_TITLE = f"月別の{glossary.implementation_rate_label()}"
RATE_AXIS = glossary.figure_label("implementation_rate", "%")
PARTIAL_MONTH = f"{glossary.figure_label('implementation_rate')}はその日までの値。グラフは破線"
TOTAL_ROW = "全社"
DIVISION_TOTAL = "事業部計"
PART_TOTAL = "計"
# The overview's line of what protecting small groups cost (<5, <10, (秘匿), merged rows).
LOSS_LEAD = "少人数の集計を守るため: "
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")


class Looks:
    """Gives cells their look, once per look and workbook.

    openpyxl hashes a style object every time a cell is given one (two thirds of
    the time spent filling a report's cells); cells that look alike take a copy of
    the first one's style ids instead. The file is the same: each style is added
    to the workbook at the same first cell as before.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[Any, ...], Any] = {}

    def give(self, target: SheetCell, look: tuple[Any, ...], **styles: Any) -> None:
        known = self._known.get(look)
        if known is not None:
            target._style = copy(known)
            return
        for name, style in styles.items():
            setattr(target, name, style)
        self._known[look] = copy(target._style)

    def bordered(
        self, target: SheetCell, number_format: str | None = None, right: bool = False
    ) -> None:
        """A table cell: thin border, a number format, right-aligned labels."""
        styles: dict[str, Any] = {"border": BORDER}
        if number_format:
            styles["number_format"] = number_format
        if right:
            styles["alignment"] = RIGHT
        self.give(target, ("cell", number_format, right), **styles)


CHART_VALUES = "グラフの値"
MONTH_CM = 3.4  # the width a month takes in the monthly chart
HIDDEN_NOTE_COLOR = "595959"


VALUE_HEADER = Alignment(horizontal="right")


class ChartValues:
    """The sheet the charts read: published numbers only, blanks where hidden."""

    def __init__(self, book: Workbook) -> None:
        self.sheet = book.create_sheet(CHART_VALUES)
        self.sheet["A1"] = (
            "グラフはこのシートの公開値だけを描きます。非表示の値（人数が少ないため非表示の値・"
            "(秘匿)）は描かず、0 としては描きません。"
        )
        self.sheet["A1"].font = workbook.font(italic=True, color=HIDDEN_NOTE_COLOR)
        self.row = 3

    def block(self, title: str, header: list[str], rows: list[list[Any]]) -> tuple[int, int]:
        """Writes a titled block; returns the rows of its header and its last data row."""
        self.sheet.cell(row=self.row, column=1, value=title).font = BOLD
        top = self.row + 1
        for column, label in enumerate(header, start=1):
            target = self.sheet.cell(row=top, column=column, value=label)
            if column > 1:  # over its numbers, which stand at the right: 「85%」 of one
                target.alignment = VALUE_HEADER  # 事業部 read under the next one's name
        for offset, values in enumerate(rows, start=1):
            for column, value in enumerate(values, start=1):
                self.sheet.cell(row=top + offset, column=column, value=value)
        self.row = top + len(rows) + 2
        return top, top + len(rows)


def published_number(value: Any) -> float | None:
    """A value a chart may draw: a published number; a label or a blank is None."""
    if value is None or isinstance(value, str | bool):
        return None
    number = float(value)
    return None if number != number else number


def _note(sheet: Worksheet, row: int, text: str, column: int = 1) -> None:
    sheet.cell(row=row, column=column, value=text).font = workbook.font(
        italic=True, color=HIDDEN_NOTE_COLOR
    )


def write_report(report: DivisionReport, path: Path, audience: str = SHARED) -> Path:
    """The workbook of one report: rows of its scope only, in its tables and charts."""
    check(report.cells)  # nothing leaves kops unaudited, whoever built the report
    book = workbook.new_book()
    looks = Looks()
    # kops' own sheets keep their names: a 事業部 named 「数値の定義」 is 「数値の定義_2」.
    used = {"概要".casefold(), CHART_VALUES.casefold(), DEFINITIONS.casefold()}
    overview_rows = report.overview
    shown_rows = report.captioned(overview_rows)  # 「開発本部（製品開発部・品質保証部）」
    overview = book.create_sheet("概要")
    values = ChartValues(book)
    values.sheet["A2"] = period_line(report)
    starts, _last = _overview_sheet(overview, values, report, shown_rows, looks)
    # Each section (the rate chart, the monthly rates, the topics) starts a page of its
    # own, by a page break Excel and LibreOffice both keep: blank rows sized to a page
    # as kops reckons it left the topics' headers at the foot of one page and their rows
    # on the next, headless, where the printer's page was shorter.
    for row in starts:
        overview.row_breaks.append(Break(id=row - 1))
    # Each view is read off the cells once, not once per sheet.
    departments, topics = report.department_rows(), report.mix_rows("topics")
    responses, matrix = report.mix_rows("responses"), report.matrix
    overview_records = model.records(overview_rows)
    for division in report.divisions:
        title = workbook.sheet_title(report.caption(division), used)
        parts = DivisionParts(
            _with_total(
                departments[division], overview_records, division, _total(report, division)
            ),
            topics[division],
            responses[division],
            matrix[division],
        )
        sheet = book.create_sheet(title)
        starts = _division_sheet(sheet, report, division, parts, looks)
        # A section that would be cut across a page break starts on the next page: the
        # sheet is written again with blank rows before it.
        gaps = workbook.section_gaps(sheet, starts)
        if gaps:
            at = book.index(sheet)
            book.remove(sheet)
            sheet = book.create_sheet(title, at)
            blanks = [gaps.get(row, 0) for row in starts]
            _division_sheet(sheet, report, division, parts, looks, blanks)
    _definitions_sheet(book.create_sheet(DEFINITIONS), report, looks)
    book.move_sheet(values.sheet, offset=len(book.sheetnames) - 1 - book.index(values.sheet))
    _finish(values.sheet, 4)
    # 事業部 and 部署 names are the tenant's text: the writer keeps them from being formulas.
    label = audience_label(audience)
    if audience == SHARED and report.scope_label != TOTAL_ROW:
        # An advisor's file: shared with them, for their scope. Its mail asks not to pass
        # it on beyond that; a bare 「共有可」 on every printed page said the opposite.
        label = workbook.SHAREABLE_IN_SCOPE
    options = workbook.Print(
        as_of=report.as_of, audience=label, title=f"{report.title}（{report.scope_label}）"
    )
    return workbook.save(book, path, options)


def _overview_sheet(
    overview: Worksheet,
    values: ChartValues,
    report: DivisionReport,
    overview_rows: pd.DataFrame,
    looks: Looks,
) -> tuple[list[int], int]:
    """The 概要 sheet; returns the row each section after its tables starts at (the rate
    chart, the monthly rates, the topics) and the last row."""
    row = _heading(overview, report, "概要")
    columns = {c[0]: c for c in with_basis(OVERVIEW_COLUMNS, report.period.basis)}
    for caption, keys in OVERVIEW_PARTS:
        if caption is not None:
            row += 1
            overview.cell(row=row, column=1, value=caption).font = BOLD
            row += 1
        row = _table(overview, overview_rows, [columns[k] for k in keys], row, looks)
    _legend(overview, row + 1, report.legend)
    # What was merged or hidden to protect small groups, said where it shows, and what
    # that cost this file (the information loss).
    said = [*report.notes, f"{LOSS_LEAD}{report.loss_text(people=False)}"]
    for offset, text in enumerate(said, start=2):
        _note(overview, row + offset, text)
    # The rate chart (and the note above it) is a section too: below two tables it may
    # reach a page's end.
    starts = [row + 3 + len(said)]
    chart_row = starts[-1] + 1
    if len(overview_rows):
        _rate_chart(overview, values, overview_rows, chart_row, report)
    starts.append(chart_row + 18)
    row = _monthly(
        overview,
        values,
        report.captioned(report.monthly),
        starts[-1],
        looks,
        report.month_captions,
        report.partial_month,
    )
    starts.append(row + 2)
    last_row = _topic_totals(overview, values, report.topic_totals, starts[-1], looks)
    _finish(overview, 4)
    # Charts are not cells: without a print area the last one would be cut off.
    last_column = get_column_letter(max(overview.max_column, 10))
    overview.print_area = f"A1:{last_column}{last_row}"
    return starts, last_row


@dataclass(frozen=True)
class DivisionParts:
    """What a 事業部's sheet shows: its 部署 (with 事業部計), topics, responses, matrix."""

    departments: list[dict[str, Any]]  # records
    topics: list[dict[str, Any]]  # records: value, count, share
    responses: list[dict[str, Any]]
    matrix: pd.DataFrame


def _division_sheet(
    sheet: Worksheet,
    report: DivisionReport,
    division: str,
    parts: DivisionParts,
    looks: Looks,
    blanks: list[int] | None = None,
) -> list[int]:
    """The 事業部's sheet, ``blanks[i]`` blank rows before its i-th section (topics,
    responses, matrix); returns the row each section starts at."""
    extra = blanks or [0, 0, 0]
    row = _heading(sheet, report, report.caption(division), report.caption(division))
    row = _table(
        sheet,
        parts.departments,
        with_basis(DEPARTMENT_COLUMNS, report.period.basis),
        row,
        looks,
        total=_total(report, division),
    )
    for text in (n for n in report.notes if n.startswith(f"{division}：")):
        row += 1  # a blank row first: the table ends where its rows end
        _note(sheet, row, text)
    starts = [row + 2 + extra[0]]
    row = _mix(sheet, parts.topics, "トピック", starts[-1], looks)
    starts.append(row + 2 + extra[1])
    row = _mix(sheet, parts.responses, "対応", starts[-1], looks)
    starts.append(row + 2 + extra[2])
    row = _matrix(sheet, parts.matrix, report, starts[-1], looks)
    # The cells written so far (going over the rows would first make every empty one,
    # which _finish below makes anyway).
    if workbook.shows_hidden(c.value for c in sheet._cells.values()):
        workbook.legend(sheet, row + 1, text=report.legend)
    _finish(sheet, 4)
    return starts


DEFINITIONS = glossary.DEFINITIONS_SHEET


# What a hidden mark stands for where the figure is not a count of people.
def hidden_people(report: DivisionReport) -> str:
    """What a 「<5」 counts, with the minimums the report was made under: people, in a
    column of 1on1s too (the sentence read as if those columns counted people)."""
    general, sensitive = report.min_group, report.min_group_sensitive
    marks = f"<{general}" if general == sensitive else f"<{general} / <{sensitive}"
    return (
        f"{marks} は、その値の背後にいる人が{general}人（心身の状態を含む集計は{sensitive}人）"
        "未満のときの表示です。1on1実施数やトピック・対応ごとの1on1実施数の列の"
        f"「<{general}」も、1on1が{general}回未満ではなく、その1on1をした人が"
        f"{general}人未満という意味です。"
    )


TODAYS_ORGANISATION = (
    "1on1 は部下の基準日時点の事業部・部署に数えます。前期間や過去の月も今の組織で数え直すため、"
    "組織が変わると以前のレポートとは値が変わります。前期間や過去の月の1on1実施率と部下1人あたり"
    "月間1on1数は、その期間の終わりまでにペアが承認されていたか、部下として1on1をしていた部下で"
    "割ります。その後にペアになった人を、1on1のない部下に数えないためです。"
)


def matrix_people(report: DivisionReport) -> str:
    """Why a topic × 対応 cell is hidden, with the report's minimums."""
    return (
        "トピック×対応の表は上司の方の得意・不得意を読む表のため、部下と上司のどちらかが"
        f"{report.min_group}人（心身の状態は{report.min_group_sensitive}人）未満の組み合わせを"
        "非表示にしています。色は平均スッキリ度の高さ（赤 0・黄 3・緑 5）だけを表し、"
        "その値の背後の1on1の数は表しません。"
    )


# The definitions' columns, in Excel's width units: together the width an A4 page prints
# at 9 pt (workbook.REPORT_WIDTH), the longest definition on two or three lines.
DEFINITION_WIDTHS = (22, 38, 25, 28, 24)


def _definitions_sheet(sheet: Worksheet, report: DivisionReport, looks: Looks) -> None:
    """Each figure of the report, as the glossary defines it (the one definition every
    output shares), said for this report's period and as-of day; what the hidden marks
    stand for below. Each text is broken between its phrases to fit its column."""
    from . import header_lines

    row = _heading(sheet, report, DEFINITIONS)
    _header(sheet, row, glossary.DEFINITION_HEADERS, looks)
    rows = glossary.definition_rows(glossary.REPORT_FIGURES, report.period.caption, report.as_of)
    for offset, values in enumerate(rows, start=1):
        lines = 1
        for column, (value, width) in enumerate(zip(values, DEFINITION_WIDTHS, strict=True), 1):
            broken = header_lines.phrase_lines(value, width * 1.05)
            lines = max(lines, len(broken))
            target = sheet.cell(row=row + offset, column=column, value="\n".join(broken))
            looks.give(target, ("definition",), border=BORDER, alignment=TOP_WRAPPED)
        sheet.row_dimensions[row + offset].height = workbook.row_height(lines)
    for column, width in enumerate(DEFINITION_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    below = row + len(rows) + 2
    for offset, text in enumerate(
        (TODAYS_ORGANISATION, report.legend, hidden_people(report), matrix_people(report))
    ):
        _note(sheet, below + offset, text)
    sheet.freeze_panes = f"A{row + 1}"
    workbook.print_setup(sheet, title_rows=f"1:{row}", width=sum(DEFINITION_WIDTHS))


TOP_WRAPPED = Alignment(vertical="top", wrap_text=True)


def _heading(sheet: Worksheet, report: DivisionReport, name: str, unit: str | None = None) -> int:
    sheet["A1"] = f"{report.title}：{name}"
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = period_line(report, unit)
    return 4


def period_line(report: DivisionReport, unit: str | None = None) -> str:
    """What every sheet says it covers: 「期間：2026年11月（20日まで）（前期間 … と比較）」;
    a 事業部's sheet names it (「対象：全社のうちマーケティング本部」: 「対象：全社」 above one
    事業部's figures read as the company's)."""
    scope = report.scope_label
    if unit is not None and unit != scope:
        scope = f"「{scope}」のうち{unit}" if "、" in scope else f"{scope}のうち{unit}"
    return (
        f"対象：{scope}　期間：{report.period.caption}"
        f"（前期間 {report.previous.caption} と比較）　基準日：{report.as_of}"
    )


def _header(sheet: Worksheet, row: int, labels: list[str], looks: Looks) -> None:
    for column, label in enumerate(labels, start=1):
        target = sheet.cell(row=row, column=column, value=label)
        looks.give(
            target,
            ("header",),
            fill=HEADER_FILL,
            font=HEADER_FONT,
            alignment=HEADER_ALIGNMENT,
            border=BORDER,
        )


def _table(
    sheet: Worksheet,
    frame: pd.DataFrame | list[dict[str, Any]],
    columns: list[tuple[str, str, str | None]],
    row: int,
    looks: Looks,
    total: str = TOTAL_ROW,
) -> int:
    """A table (a frame, or its records); its row named ``total`` (全社, 事業部計) is set
    apart as the total."""
    _header(sheet, row, [label for _, label, _ in columns], looks)
    records = frame if isinstance(frame, list) else model.records(frame)
    for offset, record in enumerate(records, start=1):
        is_total = record.get(key_of(columns)) == total
        for column, (key, _, number_format) in enumerate(columns, start=1):
            value = _value(record.get(key))
            target = sheet.cell(row=row + offset, column=column, value=value)
            text = isinstance(value, str)
            looks.bordered(
                target,
                number_format=None if text else number_format,
                # Labels in place of a number, and trends (「↓ -2pt」), line up with the numbers.
                right=text and (value.startswith(("<", "(")) or key.endswith("_trend")),
            )
        if is_total:
            workbook.total_row(sheet, row + offset, len(columns))
    return row + len(frame) + 1


def _with_total(
    departments: list[dict[str, Any]], overview: list[dict[str, Any]], division: str, label: str
) -> list[dict[str, Any]]:
    """The division's 部署 (records) and below them its own row of the overview (records)
    as 事業部計: the same published figures, so the sheet adds nothing the overview does
    not already show."""
    own = [record for record in overview if record.get("division") == division]
    total = [
        {**{k: v for k, v in record.items() if k != "department"}, "department": label}
        for record in own
    ]
    return [*departments, *total]


def _total(report: DivisionReport, division: str) -> str:
    """事業部計, or 計 under a scope's part of a 事業部 (not the whole 事業部's total)."""
    return PART_TOTAL if division in report.captions else DIVISION_TOTAL


def with_basis(
    columns: list[tuple[str, str, str | None]], basis: str
) -> list[tuple[str, str, str | None]]:
    """The rate's header names whom it counts and its period (「1on1実施率（部下・直近90日）」),
    as the deck's label does: one figure, one definition, one label."""
    return [
        (
            key,
            glossary.implementation_rate_label(basis) if key == "implementation_rate" else label,
            fmt,
        )
        for key, label, fmt in columns
    ]


def key_of(columns: list[tuple[str, str, str | None]]) -> str:
    return columns[0][0]


def _value(value: Any) -> Any:
    shown = cell(value)
    return None if shown == "" else shown


def _legend(sheet: Worksheet, row: int, text: str) -> None:
    workbook.legend(
        sheet,
        row,
        text=text,
        extra="↑↓→ と差：前期間との比較（割合は pt の差。前期間はそのときペアのあった部下で"
        f"数えます）。各数値の定義は「{DEFINITIONS}」シートに。",
    )


def _rate_chart(
    sheet: Worksheet, values: ChartValues, rows: pd.DataFrame, anchor: int, report: DivisionReport
) -> None:
    """The implementation rate per 事業部, drawn for the rows that publish it; the title
    says the period (「2026年11月（20日まで）」 when the data stops inside it). Where that
    is a single bar (an advisor of one 事業部), its 部署 are drawn instead: a report holds
    rows of its scope only, so there is nothing outside it to compare with. An advisor of
    one 部署 has its bar under 部署, by the 部署's name."""
    shown, left_out = _rates(model.records(rows), "division")
    what = "事業部"
    if len(shown) == 1 and len(report.divisions) == 1:
        division = report.divisions[0]
        by_department = _rates(report.department_rows().get(division, []), "department")
        part = report.caption(division) != division  # a scope of some of its 部署
        if len(by_department[0]) > 1 or (part and by_department[0]):
            shown, left_out = by_department
            what = "部署"
    if left_out:
        names = "、".join(str(name) for name, _ in left_out)
        _note(sheet, anchor - 1, f"グラフには非表示の値を描いていません（{names}）。")
    if not shown:
        return
    label = glossary.implementation_rate_label()
    title = f"{label}{report.period.caption}"
    if what == "部署":
        title += f"・{report.caption(division)}の部署別"
    top, last = values.block(title, [what, label], shown)
    for row in range(top + 1, last + 1):  # the labels on the bars take the cells' format
        values.sheet.cell(row=row, column=2).number_format = "0%"
    _bar_chart(sheet, values.sheet, title, top + 1, last, f"A{anchor}", what, len(shown) == 1)


def _rates(records: list[dict[str, Any]], name: str) -> tuple[list[list[Any]], list[list[Any]]]:
    """[name, rate] of the rows that publish their rate, and of those that hide it."""
    shown: list[list[Any]] = []
    left_out: list[list[Any]] = []
    for record in records:
        number = published_number(record.get("implementation_rate"))
        (left_out if number is None else shown).append([_value(record.get(name)), number])
    return shown, left_out


def _bar_chart(
    sheet: Worksheet,
    data: Worksheet,
    title: str,
    first: int,
    last: int,
    anchor: str,
    what: str = "事業部",
    labelled: bool = False,
) -> None:
    """A horizontal bar per row (``what``: 事業部 or 部署); with ``labelled`` the value
    is said on the bar, as the table has it (a lone bar's length alone says little)."""
    chart = BarChart()
    chart.type = "bar"
    chart.height, chart.width = 8, 18
    chart.title = workbook.chart_title(title, chart.width)
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.legend = None
    chart.add_data(Reference(data, min_col=2, min_row=first, max_row=last), titles_from_data=False)
    chart.set_categories(Reference(data, min_col=1, min_row=first, max_row=last))
    if labelled:
        chart.dataLabels = DataLabelList(
            showVal=True,
            showSerName=False,
            showCatName=False,
            showLegendKey=False,
            showPercent=False,
        )
    workbook.style_chart(chart, x_title=what, y_title=RATE_AXIS, as_table=True)
    sheet.add_chart(chart, anchor)


def _monthly(
    sheet: Worksheet,
    values: ChartValues,
    monthly: pd.DataFrame,
    row: int,
    looks: Looks,
    captions: dict[str, str],
    partial_month: str | None,
) -> int:
    """The monthly rates: a table and a line chart. The month the data stops in is
    labelled with its last day (「2026年11月（20日まで）」), its rate is over the days
    covered, and the chart draws the line into it dashed: a month in progress is not a
    fall."""
    sheet.cell(row=row, column=1, value=MONTHLY_TITLE).font = BOLD
    if monthly.empty:
        return row + 1
    pivot = monthly.pivot(index="month", columns="division", values="rate")
    divisions = list(pivot.columns)
    shown_month = {str(m): captions.get(str(m), str(m)) for m in pivot.index}
    partial = [i for i, m in enumerate(pivot.index) if str(m) == partial_month]
    # 事業部 down and months across, as the overview above has its 事業部 down: the names
    # share the first column, and a month heads a column narrower than a 事業部 would.
    _header(sheet, row + 1, ["事業部", *(shown_month[str(m)] for m in pivot.index)], looks)
    for offset, division in enumerate(divisions, start=1):
        looks.bordered(sheet.cell(row=row + 1 + offset, column=1, value=division))
        for column, month in enumerate(pivot.index, start=2):
            value = _value(pivot.at[month, division])
            target = sheet.cell(row=row + 1 + offset, column=column, value=value)
            looks.bordered(
                target,
                number_format=None if isinstance(value, str) else "0%",
                right=isinstance(value, str),
            )
    end = row + 2 + len(divisions)
    # A series with no published month is left out; one with some gets gaps.
    drawn = [d for d in divisions if any(published_number(v) is not None for v in pivot[d])]
    gaps = [d for d in drawn if any(published_number(v) is None for v in pivot[d])]
    left_out = [d for d in divisions if d not in drawn]
    notes = []
    if left_out:
        notes.append(f"{'、'.join(map(str, left_out))}は非表示のため、グラフに描いていません。")
    if gaps:
        notes.append(f"{'、'.join(map(str, gaps))}の線が途切れた月は非表示の値です。")
    if partial:
        month = shown_month[str(pivot.index[partial[-1]])]
        notes.append(f"{month}は途中までのデータです（{PARTIAL_MONTH}）。")
    for offset, text in enumerate(notes):
        _note(sheet, end + offset, text)
    if not drawn:
        return end + len(notes) + 1
    rows = [
        [shown_month[str(month)], *(published_number(pivot.at[month, d]) for d in drawn)]
        for month in pivot.index
    ]
    top, last = values.block(MONTHLY_TITLE, ["月", *map(str, drawn)], rows)
    for row_number in range(top + 1, last + 1):  # as the table shows them: 90%, not 0.9
        for column in range(2, 2 + len(drawn)):
            values.sheet.cell(row=row_number, column=column).number_format = "0%"
    chart = _monthly_lines(values, rows, len(drawn), top, last, partial)
    chart.set_categories(Reference(values.sheet, min_col=1, min_row=top + 1, max_row=last))
    # About 3.4 cm a month, so 「2026年10月」 stays on one line under its point (at 18 cm
    # six months broke it into 「2026年10 / 月」), within the width of a landscape page.
    chart.height, chart.width = 8, min(26.0, max(18.0, MONTH_CM * len(rows) + 4))
    workbook.style_chart(chart, x_title="月", y_title=RATE_AXIS)
    # Below its table, not beside it: the overview stays one table wide, so it prints at
    # a readable size on A4.
    below = end + len(notes) + 1
    sheet.add_chart(chart, f"A{below}")
    return below + 17


def _monthly_lines(
    values: ChartValues, rows: list[list[Any]], lines: int, top: int, last: int, partial: list[int]
) -> LineChart:
    """The monthly rates' lines over the block of 「グラフの値」 at ``top``..``last``."""
    chart = LineChart()
    chart.title = MONTHLY_TITLE
    chart.y_axis.number_format = "0%"
    # Lines compare months, not lengths: the axis starts at the 10% step below the lowest
    # rate drawn, so five lines between 65% and 91% are not squeezed into the top third.
    shown = [v for row in rows for v in row[1:] if isinstance(v, int | float)]
    chart.y_axis.scaling.min = line_axis_floor(shown)
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorUnit = 0.1
    chart.display_blanks = "gap"  # a hidden month is a gap, never a fall to 0
    data = Reference(values.sheet, min_col=2, max_col=1 + lines, min_row=top, max_row=last)
    chart.add_data(data, titles_from_data=True)
    for series, colour in zip(chart.series, cycle(LINE_COLOURS), strict=False):
        # Colours told apart by everyone (Okabe–Ito), not the theme's blue and teal.
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 28575  # 2.25 pt
        for index in partial:  # the segment into a month in progress: dashed
            # The point's line whole (colour, width, dash): a dash alone was drawn solid,
            # and 11月（20日まで） read as a fall.
            point = DataPoint(idx=index)
            point.graphicalProperties.line.solidFill = colour
            point.graphicalProperties.line.width = 28575
            point.graphicalProperties.line.dashStyle = "dash"
            series.dPt.append(point)
    return chart


# Okabe–Ito's colours (without the yellow, faint on white): lines told apart with any
# colour vision, and in grey print by their lightness.
LINE_COLOURS = ("0072B2", "D55E00", "009E73", "CC79A7", "E69F00", "56B4E9", "000000")


def line_axis_floor(rates: list[float]) -> float:
    """The value axis' start for lines of rates: the 10% step at or below the lowest rate
    less a step's margin (65% → 50%), never below 0."""
    if not rates:
        return 0.0
    return max(0.0, math.floor(round((min(rates) - 0.1) * 10, 9)) / 10)


def _topic_totals(
    sheet: Worksheet, values: ChartValues, totals: pd.DataFrame, row: int, looks: Looks
) -> int:
    sheet.cell(row=row, column=1, value="トピックの内訳（対象範囲全体）").font = BOLD
    end = _mix_rows(sheet, totals, "トピック", row + 1, looks)
    shown: list[list[Any]] = []
    left_out: list[list[Any]] = []
    for record in totals.to_dict("records"):
        if record["value"] == glossary.MIX_TOTAL:
            continue  # the table's sum: no bar beside its parts
        number = published_number(record["count"])
        (left_out if number is None else shown).append([str(record["value"]), number])
    if left_out:
        names = "、".join(name for name, _ in left_out)
        _note(sheet, end + 1, f"グラフには非表示のトピックを描いていません（{names}）。")
        end += 2
    if shown:
        top, last = values.block(
            "トピックの内訳", ["トピック", glossary.column_label("held")], shown
        )
        chart = BarChart()
        chart.type = "bar"
        chart.title = "トピックの内訳"
        chart.legend = None
        chart.add_data(
            Reference(values.sheet, min_col=2, min_row=top + 1, max_row=last),
            titles_from_data=False,
        )
        chart.set_categories(Reference(values.sheet, min_col=1, min_row=top + 1, max_row=last))
        chart.height, chart.width = 8, 18
        workbook.style_chart(
            chart, x_title="トピック", y_title=glossary.figure_label("held", "回"), as_table=True
        )
        # Below its table, as the monthly chart is: beside it, an 18 cm chart ran past the
        # printed width of a sheet whose columns fit A4 at 9 pt.
        sheet.add_chart(chart, f"A{end + 1}")
        return end + 18
    return end


def _mix(sheet: Worksheet, frame: list[dict[str, Any]], label: str, row: int, looks: Looks) -> int:
    sheet.cell(row=row, column=1, value=f"{label}の内訳").font = BOLD
    return _mix_rows(sheet, frame, label, row + 1, looks)


def _mix_rows(
    sheet: Worksheet,
    frame: pd.DataFrame | list[dict[str, Any]],
    label: str,
    row: int,
    looks: Looks,
) -> int:
    """The mix's rows (a frame, or its records: value, count, share)."""
    _header(sheet, row, [label, glossary.column_label("held"), "割合"], looks)
    records = frame if isinstance(frame, list) else model.records(frame)
    for offset, record in enumerate(records, start=1):
        values = [str(record["value"]), _value(record["count"]), _value(record["share"])]
        for column, value in enumerate(values, start=1):
            target = sheet.cell(row=row + offset, column=column, value=value)
            share = column == 3 and not isinstance(value, str)
            count = column == 2 and not isinstance(value, str)
            # (秘匿) in place of a count stands where the count would, on the right.
            hidden = column > 1 and isinstance(value, str)
            # A count as 1on1実施数 is everywhere else (1,502, not General's 1502).
            number_format = "0%" if share else glossary.COUNT if count else None
            looks.bordered(target, number_format=number_format, right=hidden)
    # The shares are of the 1on1s with a topic (or 対応), not of every 1on1 held: 380 of
    # 1,502 read as 25% beside the table's 29%. The count without one is not given: with
    # it and 1on1実施数, the 計 of the other table would follow.
    _note(
        sheet,
        row + len(frame) + 1,
        f"割合は、{label}を選んだ1on1（{glossary.MIX_TOTAL}）に占める割合です"
        f"（{label}のない1on1は含みません）。"
        # Whole percents: 27+14+6+8+16+13+6+12 = 102% beside a 計 of 100% read as an error.
        "整数に四捨五入しているため、足しても100%にならないことがあります。",
    )
    return row + len(frame) + 2


def _matrix(
    sheet: Worksheet, frame: pd.DataFrame, report: DivisionReport, row: int, looks: Looks
) -> int:
    sheet.cell(
        row=row, column=1, value="トピック×対応ごとの平均スッキリ度（上司の方の得意・不得意）"
    ).font = BOLD
    responses = report.responses_vocabulary
    _header(sheet, row + 1, ["トピック＼対応", *responses], looks)
    lookup = {(r["topic"], r["response"]): r["sukkiri_avg"] for r in frame.to_dict("records")}
    for offset, topic in enumerate(report.topics_vocabulary, start=1):
        looks.bordered(sheet.cell(row=row + 1 + offset, column=1, value=topic))
        for column, response in enumerate(responses, start=2):
            value = _value(lookup.get((topic, response)))
            target = sheet.cell(row=row + 1 + offset, column=column, value=value)
            text = isinstance(value, str)
            looks.bordered(
                target, number_format="0.0" if value is not None and not text else None, right=text
            )
    first = f"B{row + 2}"
    last = f"{get_column_letter(1 + len(responses))}{row + 1 + len(report.topics_vocabulary)}"
    sheet.conditional_formatting.add(
        f"{first}:{last}",
        ColorScaleRule(
            start_type="num",
            start_value=0,
            start_color="F8696B",
            mid_type="num",
            mid_value=3,
            mid_color="FFEB84",
            end_type="num",
            end_value=5,
            end_color="63BE7B",
        ),
    )
    end = row + 2 + len(report.topics_vocabulary)
    _note(sheet, end, matrix_people(report))
    return end + 1


def _tall_labels(sheet: Worksheet, first_row: int) -> None:
    """A row label wider than its narrowed column (「2026年11月（20日まで）」) is written on
    the lines it needs, broken where a reader breaks it (「管理本部・ / 経営企画室」,
    「具体的な / アドバイスがほしい」): Excel and LibreOffice would break it at any character
    (「具体的なアドバイスがほ / しい」). Its row gets their height: a row without one shows
    one line and cuts off the rest."""
    from . import header_lines

    # Meiryo UI at 10 pt: a width unit is a digit's 7 pixels, a Japanese character 13.
    usable = (sheet.column_dimensions["A"].width or 8.43) * 1.05
    for (target,) in sheet.iter_rows(min_row=first_row, min_col=1, max_col=1):
        beside = sheet.cell(row=target.row, column=2).value
        if not isinstance(target.value, str) or beside is None or beside == "":
            continue  # a title or a note alone in its row spills to the right
        shown = header_lines.label_lines(target.value, usable)
        if len(shown) == 1:
            continue
        if sheet.title != CHART_VALUES:  # the charts' categories keep the names as they are
            target.value = "\n".join(shown)
        old = target.alignment
        target.alignment = Alignment(
            horizontal=old.horizontal, vertical=old.vertical, wrap_text=True, indent=old.indent
        )
        height = workbook.row_height(len(shown))
        current = sheet.row_dimensions[target.row].height
        if current is None or current < height:
            sheet.row_dimensions[target.row].height = height


NARROWEST_NAMES = 12  # a names column narrower than this breaks 「製造本部」 too


def _header_rows(sheet: Worksheet) -> list[int]:
    """The rows that head a table (filled as _header fills them)."""
    # Among the cells written in the first column (one not written has no fill; going
    # down the column would first make every empty one, which fit_columns makes anyway),
    # each fill (its id in the book) looked at once.
    heads: dict[int, bool] = {}  # fill id → whether it is the header's
    rows = []
    for (row, column), target in sheet._cells.items():
        if column != 1:
            continue
        fill_id = 0 if target._style is None else target._style.fillId  # None: the default
        if fill_id not in heads:
            fill = target.fill
            heads[fill_id] = fill is not None and fill.fgColor.rgb in ("00305496", "FF305496")
        if heads[fill_id]:
            rows.append(row)
    return sorted(rows)


def _finish(sheet: Worksheet, header_row: int) -> None:
    """Widths for Japanese text, the report's title lines and the names column on every
    printed page, A4 fitted to the width (never shrunk to one page: the text stays
    readable and the overview runs onto a second page instead)."""
    headers = _header_rows(sheet)
    readable = workbook.REPORT_WIDTH
    width = workbook.fit_columns(sheet, header_rows=headers, readable=readable)
    if width > readable:
        width = workbook.wrap_wide(sheet, width, readable, headers)
        names = sheet.column_dimensions["A"]
        over = width - readable
        if over > 0 and (names.width or 0) - over >= NARROWEST_NAMES:
            # Still too wide to print at 9 pt: the names take another line rather than
            # every figure printing smaller.
            names.width = (names.width or 0) - over
            width -= over
        _tall_labels(sheet, header_row + 1)
    workbook.break_headers(sheet, headers)
    # The title lines and the names stay in view, not the first table's headers: the
    # tables below have headers of their own (scrolled to the topics, 1on1実施数 stood
    # under 「人数」 and 割合 under 「ログイン率」).
    sheet.freeze_panes = f"B{header_row}"
    if sheet._charts:  # charts are not columns: the print area reaches past the cells
        width = max(width, 100)
    workbook.print_setup(sheet, title_rows="1:2", title_columns="A:A", width=width)
