"""Hidden is never drawn as zero: the report's charts read published numbers only."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from conftest import REPORT_90D, RunSample
from factories import organisation
from kakeai_ops.config import Settings
from kakeai_ops.jobs.division_report import build_report
from kakeai_ops.outputs import header_lines, workbook
from kakeai_ops.outputs.report_xlsx import CHART_VALUES, write_report
from workbooks import label, report_tables

AS_OF = dt.date(2026, 11, 20)
REFERENCE = re.compile(r"<(?:c:)?f>(.*?)</(?:c:)?f>")


def chart_references(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        return [ref for n in names for ref in REFERENCE.findall(archive.read(n).decode("utf-8"))]


def referenced_values(path: Path) -> dict[str, list[object]]:
    """Each chart reference → the values of the cells it reads."""
    book = load_workbook(path)
    out = {}
    for ref in chart_references(path):
        sheet, cells = ref.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
        low_col, low_row, high_col, high_row = range_boundaries(cells.replace("$", ""))
        rows = book[sheet].iter_rows(
            min_row=low_row, max_row=high_row, min_col=low_col, max_col=high_col
        )
        out[ref] = [c.value for row in rows for c in row]
    return out


def test_charts_read_published_numbers_never_labels(sample_run: RunSample) -> None:
    target = sample_run(*REPORT_90D).out / "r.xlsx"
    refs = referenced_values(target)
    assert len(refs) >= 6  # three charts: categories and values each
    for ref, values in refs.items():
        assert ref.startswith(f"'{CHART_VALUES}'!"), ref  # never the tables with their labels
        assert not any(isinstance(v, str) and v.startswith(("<", "(")) for v in values), ref
    book = load_workbook(target)
    assert book.sheetnames[-1] == CHART_VALUES
    overview = book["概要"]
    table = {}
    for r in overview.iter_rows(min_row=5):
        if r[0].value is None:
            break  # the end of the overview table
        table[label(r[0].value)] = r  # a name too wide for its column is on two lines
    hidden = {name for name, row in table.items() if isinstance(row[5].value, str)}
    shown = {name: row[5].value for name, row in table.items() if name not in hidden}
    # The rate chart: one bar per division with a published rate, each with that rate.
    rate_values = book[CHART_VALUES]
    bars = {}
    for ref, values in refs.items():
        if len(values) == len(shown) and set(values) == set(shown):
            value_ref = ref.replace("$A$", "$B$")
            bars = dict(zip(values, refs[value_ref], strict=True))
    assert bars == shown
    assert not hidden & set(bars)
    assert rate_values["A1"].value.startswith("グラフはこのシートの公開値だけ")


def test_a_hidden_series_is_left_out_with_a_note_and_blanks_are_gaps(tmp_path: Path) -> None:
    # B has 5 people but 4 members: its implementation rate is hidden every month.
    report = build_report(
        organisation({"A": {"a1": 12, "a2": 10}, "B": {"b": 5}}), Settings(), AS_OF, "30d"
    )
    target = write_report(report, tmp_path / "report.xlsx")
    refs = referenced_values(target)
    for ref, values in refs.items():
        assert ref.startswith(f"'{CHART_VALUES}'!"), ref
        assert not any(isinstance(v, str) and v.startswith(("<", "(")) for v in values), ref
    monthly = report.monthly
    hidden = [
        d
        for d, rates in monthly.groupby("division")["rate"]
        if all(isinstance(r, str) for r in rates)
    ]
    assert "B" in hidden
    rows = list(load_workbook(target)["概要"].iter_rows(values_only=True))
    notes = [c for r in rows for c in r if isinstance(c, str) and "グラフに描いていません" in c]
    with zipfile.ZipFile(target) as archive:
        xml = "".join(
            archive.read(n).decode("utf-8")
            for n in archive.namelist()
            if n.startswith("xl/charts/chart")
        )
    assert re.search(r"<(c:)?dispBlanksAs val=\"gap\"/>", xml)  # a blank month is a gap
    for name in hidden:  # a series with nothing published is not drawn at all
        assert any(name in note for note in notes)
        series_names = [v for ref, vs in refs.items() for v in vs if isinstance(v, str)]
        assert name not in series_names


def test_the_chart_values_read_as_the_tables_do(sample_run: RunSample) -> None:
    """A rate on 「グラフの値」 shows as the report's tables show it (88%), never 0.88: the
    monthly block was written without a format."""
    book = load_workbook(sample_run(*REPORT_90D).out / "r.xlsx")
    title, rates = "", 0
    for row in book[CHART_VALUES].iter_rows(min_row=2):
        first = row[0]
        if first.value is not None and first.font.bold:
            title = str(first.value)
        for cell in row[1:]:
            if "実施率" in title and isinstance(cell.value, float):
                rates += 1
                assert cell.number_format.endswith("%"), (title, cell.coordinate)
    assert rates >= 6  # the divisions' rates and every month's


def test_a_value_columns_name_stands_over_its_numbers(sample_run: RunSample) -> None:
    """On 「グラフの値」 the numbers stand at the right of their column: a name at the left
    put 管理本部・経営企画室's 「85%」 right under 製造本部. Every name over numbers stands at
    the right too; the first column's (事業部, 月, トピック) at the left, over its labels."""
    book = load_workbook(sample_run(*REPORT_90D).out / "r.xlsx")
    sheet = book[CHART_VALUES]
    checked = 0
    for row in sheet.iter_rows(min_row=3):
        first = row[0]
        if first.value is None or first.font.bold:
            continue
        below = sheet.cell(row=first.row + 1, column=2).value
        if isinstance(row[1].value, str) and isinstance(below, int | float):  # a header row
            assert first.alignment.horizontal in (None, "general", "left")
            for cell in row[1:]:
                if cell.value is not None:
                    assert cell.alignment.horizontal == "right", cell.coordinate
                    checked += 1
    assert checked >= 3  # the rate, the months' 事業部, the topics' count


def test_every_month_and_every_label_reads_whole(sample_run: RunSample) -> None:
    """The monthly chart gives each month about 3.4 cm, so 「2026年10月」 is not broken under
    its point; a month's label wider than its column (「2026年11月（20日まで）」) gets a
    second line rather than be cut off at the column's edge."""
    target = sample_run(*REPORT_90D).out / "r.xlsx"
    book = load_workbook(target)
    overview = book["概要"]
    # The monthly table has its months across, each header broken only between words
    # (「2026年11月 / （20日まで）」), in a column as wide as its longest line.
    [(header, _rows)] = [
        t for t in report_tables(overview, "事業部") if any("年" in h for h in t[0][1:])
    ]
    months = header[1:]
    assert all(re.fullmatch(r"\d{4}年\d{1,2}月(（\d+日まで）)?", m) for m in months), months
    assert len(months) >= 3
    header_row = next(r for r in overview.iter_rows() if label(r[1].value or "") == months[0])
    for cell in header_row[1 : 1 + len(months)]:
        lines = str(cell.value).split("\n")
        room = workbook.line_room(overview.column_dimensions[cell.column_letter].width)
        assert all(workbook.display_width(line.strip()) <= room for line in lines), lines
        assert header_lines.breaks_between_words(str(cell.value)), lines
    with zipfile.ZipFile(target) as archive:
        drawing = archive.read("xl/drawings/drawing1.xml").decode("utf-8")
    widths_cm = [int(cx) / 360000 for cx in re.findall(r'<(?:xdr:)?ext cx="(\d+)"', drawing)]
    assert max(widths_cm) >= 3.3 * len(months), widths_cm
    width = overview.column_dimensions["A"].width
    for (cell,) in overview.iter_rows(min_col=1, max_col=1):
        text = cell.value
        beside = overview.cell(row=cell.row, column=2).value
        if not isinstance(text, str) or beside is None:
            continue
        wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
        if wide > width * 1.05:  # more than a line of the column in Meiryo UI 10 pt
            height = overview.row_dimensions[cell.row].height
            assert height is not None and height >= 2 * 14, (text, width, height)


def test_the_monthly_lines_use_the_height_and_colours_anyone_tells_apart(
    sample_run: RunSample,
) -> None:
    """Five lines between 65% and 91% were squeezed into the top third of a 0–100% axis,
    in the theme's blue and teal: the axis starts at the 10% step a step below the lowest
    rate drawn (recounted from the chart's own values), and each line has its own colour."""
    from kakeai_ops.outputs.report_xlsx import LINE_COLOURS, line_axis_floor

    assert [line_axis_floor(r) for r in ([0.65, 0.91], [0.7], [0.05], [0.2], [])] == [
        0.5,
        0.6,
        0.0,
        0.1,
        0.0,
    ]
    target = sample_run(*REPORT_90D).out / "r.xlsx"
    with zipfile.ZipFile(target) as archive:
        charts = [
            archive.read(n).decode("utf-8")
            for n in archive.namelist()
            if n.startswith("xl/charts/chart")
        ]
    (line,) = [xml for xml in charts if "lineChart" in xml]
    refs = referenced_values(target)
    rates = [
        v
        for ref, vs in refs.items()
        for v in vs
        if isinstance(v, float) and ref in re.findall(r"<(?:c:)?f>([^<]+)</(?:c:)?f>", line)
    ]
    assert rates and min(rates) > 0.5  # the sample's monthly rates
    low = re.search(r"<(?:c:)?min val=\"([0-9.]+)\"", line)
    assert low is not None and float(low.group(1)) == line_axis_floor(rates) > 0
    # Each series' own line (its dashed segment into a month in progress repeats it).
    own = re.sub(r"<(?:c:)?dPt>.*?</(?:c:)?dPt>", "", line, flags=re.S)
    colours = re.findall(
        r"<(?:a:)?ln[^>]*>\s*<(?:a:)?solidFill>\s*<(?:a:)?srgbClr val=\"(\w+)\"", own
    )
    series = len(re.findall(r"<(?:c:)?ser>", line))
    assert series >= 5 and colours[:series] == list(LINE_COLOURS[:series])
