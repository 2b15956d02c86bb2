"""Every workbook of the sample month, read back as Excel would print it: A4, fitted to
one page wide, titles repeated, header and footer, number formats, Japanese headers."""

from __future__ import annotations

import functools
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kakeai_ops import glossary
from kakeai_ops.model import is_id
from kakeai_ops.outputs import header_lines, workbook
from test_glossary import second_spellings
from workbooks import column_keys, header_labels, label, report_tables

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")


# The workbooks of `kops demo`, run once for the session (conftest.demo_run).
@pytest.fixture(scope="module")
def month(demo_run: tuple[Path, Any]) -> Path:
    return demo_run[0]


@functools.cache
def _book(path: Path) -> Workbook:
    """A workbook of the demo month, read once for the file: its tests only read them."""
    return load_workbook(path)


def _workbooks(root: Path) -> list[Path]:
    found = sorted((root / "out").rglob("*.xlsx"))
    assert len(found) >= 8, found  # lists, the report (and one per advisor), the figures
    return found


def _header_row(sheet: Worksheet) -> int:
    """The first row whose cells are filled like a table header (several in a row)."""
    for row in sheet.iter_rows(min_row=1, max_row=6):
        if sum(c.value is not None for c in row) >= 2:
            return row[0].row
    return 1


def test_every_sheet_prints_on_a4_one_page_wide(month: Path) -> None:
    for path in _workbooks(month):
        book = _book(path)
        assert book._named_styles["Normal"].font.name == workbook.FONT_NAME, path.name
        assert book.properties.creator == "kops" and book.properties.lastModifiedBy == "kops"
        for sheet in book.worksheets:
            where = f"{path.name}:{sheet.title}"
            setup = sheet.page_setup
            assert setup.paperSize == 9, where
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, where
            # One page wide, as long as needed; a short sheet with a chart on one page, so
            # the chart is not cut across a page break.
            whole = sheet._charts and sheet.max_row <= workbook.CHART_PAGE_ROWS
            expected_fit = (1, 1) if whole and "division-report" not in path.name else (1, 0)
            assert (setup.fitToWidth, setup.fitToHeight) == expected_fit, where
            visible = sum(
                sheet.column_dimensions[get_column_letter(i)].width or 8.43
                for i in range(1, sheet.max_column + 1)
                if not sheet.column_dimensions[get_column_letter(i)].hidden
            )
            narrow = visible <= workbook.PORTRAIT_WIDTH and not sheet._charts
            expected = "portrait" if narrow else "landscape"
            assert setup.orientation == expected, (where, visible)
            # Fitted to an A4 width, 10 pt text stays at 8 pt or more.
            assert visible <= workbook.READABLE_WIDTH or sheet.print_area, (where, visible)
            assert sheet.print_title_rows, where
            header, footer = sheet.oddHeader, sheet.oddFooter
            assert footer.left.text == "&F", where  # its name as printed, renamed or not
            assert header.right.text in (
                workbook.SECRETARIAT,
                workbook.SHAREABLE,
                workbook.SHAREABLE_IN_SCOPE,
            ), where
            assert footer.right.text == "ページ &P / &N", where
            # Nothing beside 基準日 to run into it (the name did on a portrait page).
            assert not header.left.text and not footer.center.text, where
            # Printed at 9 pt whatever the sheet is scaled to (it was 8 pt, and scaled).
            parts = (footer.left, header.center, header.right, footer.right)
            assert all(part.size == 9 for part in parts), where
            assert sheet.HeaderFooter.scaleWithDoc is False, where
            assert sheet.freeze_panes, where
            # The rows repeated on every page reach the first table's headers (数値の定義
            # printed its second page with no header row).
            if sheet.title == "数値の定義":
                header_row = next(c.row for c in sheet["A"] if c.value == "数値")
                assert sheet.print_title_rows.endswith(f"${header_row}"), where


def test_headers_are_japanese_and_keys_are_listed(month: Path) -> None:
    for path in _workbooks(month):
        book = _book(path)
        for sheet in book.worksheets:
            row = _header_row(sheet)
            labels = [c.value for c in sheet[row] if c.value is not None]
            english = [v for v in labels if not JAPANESE.search(str(v))]
            assert not english, f"{path.name}:{sheet.title}: {english}"
        if "division-report" in path.name:
            continue  # a laid-out report, not a list: no keys to give
        notes = book[glossary.COLUMN_NOTES_SHEET]
        keys = {r[-1] for r in notes.iter_rows(min_row=2, values_only=True)}
        assert keys and all(re.fullmatch(r"[a-z0-9_]+", str(k)) for k in keys), path.name


def test_figures_have_number_formats_and_ids_stay_text(month: Path) -> None:
    segment = _book(month / "out" / "segment.xlsx")
    users = segment["一覧"]
    header = header_labels(users)
    assert users.cell(row=2, column=header.index("社員番号") + 1).number_format == "@"
    assert (
        users.cell(
            row=2, column=header.index(glossary.column_label("prep_share")) + 1
        ).number_format
        == "0%"
    )
    assert users.cell(row=2, column=header.index("1on1実施数（累計）") + 1).number_format == "#,##0"
    last_login = users.cell(row=2, column=header.index("最終ログイン日") + 1)
    assert last_login.is_date and last_login.number_format == "yyyy-mm-dd"
    summary = segment["集計"]
    assert summary.cell(row=2, column=len(summary[1])).number_format == "0%"
    roles = {c.value for c in users[f"{get_column_letter(header.index('役割') + 1)}"][1:]}
    assert roles <= {"上司", "部下", "両方", "なし"}
    report = _book(month / "out" / "division-report.xlsx")["概要"]
    shares = [c for c in report[5] if c.number_format == "0%"]
    assert shares and report["A5"].value == "全社" and report["A5"].font.b


def test_no_header_breaks_inside_a_word(month: Path) -> None:
    """Every header of every workbook of the month (a list's first row, each table of a
    report) is written on lines broken between words, each line within its column: Excel
    and LibreOffice would otherwise break 「実施率の推/移」 or 「1on1実施/数」."""
    checked = 0
    for path in _workbooks(month):
        for sheet in _book(path).worksheets:
            for row in sheet.iter_rows():
                first = row[0]
                if first.fill is None or first.fill.fgColor.rgb not in ("00305496", "FF305496"):
                    continue  # not a header row
                for target in row:
                    if not isinstance(target.value, str):
                        continue
                    width = sheet.column_dimensions[target.column_letter].width or 8.43
                    room = workbook.line_room(width)
                    lines = target.value.split("\n")
                    where = (path.name, sheet.title, target.coordinate, lines, width)
                    assert header_lines.breaks_between_words(target.value), where
                    assert all(workbook.display_width(x.strip()) <= room for x in lines), where
                    assert header_lines.longest_word(target.value) <= room, where
                    checked += 1
    assert checked > 200


def test_the_division_report_prints_at_nine_points(month: Path) -> None:
    """Fitted to an A4 width, every sheet of the division report (the company's and each
    advisor's) prints its 10 pt text at 9 pt or more, in Excel's layout and LibreOffice's:
    the 概要's fifteen figures are two tables, one above the other."""
    reports = [p for p in _workbooks(month) if "division-report" in p.name]
    assert len(reports) >= 3
    for path in reports:
        for sheet in _book(path).worksheets:
            widths = [
                sheet.column_dimensions[get_column_letter(i)].width or 8.43
                for i in range(1, sheet.max_column + 1)
                if not sheet.column_dimensions[get_column_letter(i)].hidden
            ]
            page = workbook.PRINTABLE[sheet.page_setup.orientation][0]
            for renderer in workbook.RENDERERS:
                wide = sum(renderer.per_unit * w + renderer.per_column for w in widths)
                printed = 10 * min(1.0, page / wide)
                assert printed >= 9, (path.name, sheet.title, renderer, round(printed, 2))
    overview = _book(month / "out" / "division-report.xlsx")["概要"]
    tables = [h for h, _ in report_tables(overview, "事業部") if not any("年" in x for x in h)]
    assert len(tables) == 2 and "1on1実施数" in tables[0] and "平均スッキリ度" in tables[1]


def test_legend_wherever_something_is_hidden(month: Path) -> None:
    for path in _workbooks(month):
        for sheet in _book(path).worksheets:
            values = [c.value for row in sheet.iter_rows() for c in row]
            if any(v in workbook.HIDDEN_MARKS for v in values):
                assert any(
                    isinstance(v, str) and v.startswith(workbook.LEGEND[:20]) for v in values
                ), f"{path.name}:{sheet.title}"


def test_charts_are_straight_shown_and_titled(month: Path) -> None:
    with zipfile.ZipFile(month / "out" / "division-report.xlsx") as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if "charts/chart" in n]
    assert len(charts) >= 3
    for xml in charts:
        xml = re.sub(r"<(/?)c:", r"<\1", xml)  # with or without the namespace prefix
        assert '<smooth val="1"' not in xml
        assert xml.count('<delete val="0"') >= 2  # both axes shown
        assert xml.count("<title>") >= 3  # the chart and its two axes
        if "<barChart>" in xml:
            assert '<orientation val="maxMin"' in xml  # bars in the order of the table
    plain = [re.sub(r"<(/?)c:", r"<\1", xml) for xml in charts]
    assert any("<lineChart>" in xml and '<smooth val="0"' in xml for xml in plain)


def test_csv_for_people_has_japanese_headers(month: Path) -> None:
    for path in sorted((month / "out").rglob("*.csv")):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), path.name
        header = raw.decode("utf-8-sig").splitlines()[0].split(",")
        assert all(JAPANESE.search(h) for h in header), (path.name, header)


def test_headers_use_one_spelling_per_term(month: Path) -> None:
    for path in _workbooks(month):
        book = _book(path)
        headers = " ".join(
            str(c.value)
            for sheet in book.worksheets
            for c in sheet[_header_row(sheet)]
            if c.value is not None
        )
        assert not second_spellings(headers + " " + " ".join(book.sheetnames)), path.name


def _slide_text(slide: Any) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(c.text for row in shape.table.rows for c in row.cells)
        if shape.has_chart:
            plot = shape.chart.plots[0]
            parts.extend(str(c) for c in plot.categories)
            parts.extend(str(s.name) for s in plot.series)
    return "\n".join(parts)


def test_the_deck_has_a_cover_page_numbers_and_no_commands_or_ids(month: Path) -> None:
    from pptx import Presentation

    deck = Presentation(str(month / "out" / "review-2026-11.pptx"))
    slides = list(deck.slides)
    cover = _slide_text(slides[0])
    assert slides[0].shapes.title.text_frame.text == "1on1 定例会"  # documents.meeting
    assert "基準日 2026年11月20日" in cover and "社外秘" in cover
    for number, slide in enumerate(slides, start=1):
        text = _slide_text(slide)
        assert "kops " not in text and "--" not in text, (number, text)
        assert not re.search(r"(?<![\d.])0\d{3,5}(?![\d])", text), (number, text)  # ids
        assert "スナップショット" not in text, number
        assert not re.search(r"[a-z_]+\.[a-z_]+-", text), (number, text)  # run ids
        assert slide.shapes.title is not None and slide.shapes.title.text_frame.text
        if number > 1:
            page = next(s for s in slide.shapes if s.name == "Page number")
            assert page.text_frame.text == f"{number} / {len(slides)}"
            assert "社外秘" in text
    assert "kops " in slides[-1].notes_slide.notes_text_frame.text  # commands: in the notes
    properties = deck.core_properties
    assert properties.author == properties.last_modified_by == "KAKEAI事務局"
    # The meeting's name once (「1on1 定例会 1on1 定例会レビュー」 said it twice).
    assert properties.title == "1on1 定例会レビュー（基準日 2026年11月20日）"
    assert properties.revision == 1


def test_rows_of_mixed_figures_take_their_own_format(month: Path) -> None:
    """The review's summary holds counts, rates and averages in one column: each row's
    numbers are formatted as what they are (0.93 shows 93%, a change of a rate +1%)."""
    sheet = _book(month / "out" / "review-2026-11.xlsx")["1_サマリー"]
    header = header_labels(sheet)
    now, change = header.index("今回") + 1, header.index("差") + 1
    formats = {
        label(row[0].value): (row[now - 1].number_format, row[change - 1].number_format)
        for row in sheet.iter_rows(min_row=2)
        if row[0].value
    }
    assert formats["人数"] == ("#,##0", '+#,##0;-#,##0;"±0"')
    assert formats["ログイン率"] == ("0%", '+0"pt";-0"pt";"±0pt"')
    # A change of a rate is held in points (+1pt), the shares' difference × 100.
    before = header.index("前回")
    login = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "ログイン率")
    points = (login[now - 1].value - login[before].value) * 100
    assert login[change - 1].value == pytest.approx(points, abs=1e-6)
    # An average of the period's 1on1s: its label says the period (glossary.figure_label).
    assert formats[glossary.figure_label("sukkiri_avg", "直近30日")][0] == "0.0"


def test_hostile_names_in_a_workbook_stay_text(tmp_path: Path) -> None:
    """A file name with '&' (Excel's header code) prints as written (the header asks for
    the file's own name, &F, not the text of it); a formula-like header or value, or one
    from an unknown key, stays text everywhere, 列の説明 too."""
    import pandas as pd

    from kakeai_ops.outputs.files import write_table

    frame = pd.DataFrame(
        {"user_id": ["000120"], "=SUM(A1:A9)": ["@cmd"], "role": ["manager"], "share": [0.5]}
    )
    path = write_table(frame, tmp_path / "R&D一覧.xlsx", sheet="users")
    book = load_workbook(path)
    sheet = book["一覧"]
    assert sheet.oddFooter.left.text == "&F"  # shows R&D一覧.xlsx, or the name it has now
    assert header_labels(sheet) == ["社員番号", "=SUM(A1:A9)", "役割", "割合"]
    assert sheet["B1"].data_type == "s" and sheet["B2"].data_type == "s"
    assert [c.value for c in sheet[2]] == ["000120", "@cmd", "上司", 0.5]
    notes = book["列の説明"]
    listed = [tuple(r) for r in notes.iter_rows(min_row=2, values_only=True)]
    assert ("一覧", "役割", None, "role") in listed
    assert all(c.data_type == "s" for row in notes.iter_rows() for c in row if c.value)


def _id_columns(book: Workbook, sheet: Worksheet) -> list[int]:
    """The columns of ids on a list's sheet (run, campaign, seminar, people), by the keys
    its 「列の説明」 sheet gives."""
    keys = column_keys(book)
    return [
        target.column
        for target in sheet[1]
        if target.value is not None
        and is_id(keys.get((sheet.title, label(target.value)), ""))
        and not sheet.column_dimensions[get_column_letter(target.column)].hidden
    ]


def test_no_id_breaks_inside_itself(month: Path) -> None:
    """An id (配信ID no_prep.member-2026-10, a 社員番号) is read and copied as one piece:
    its cell never wraps, and its column is as wide as the id, or the cell shrinks the
    id to the column's width; and the sheet still prints at 8 pt or more."""
    checked = 0
    for path in _workbooks(month):
        book = _book(path)
        if glossary.COLUMN_NOTES_SHEET not in book.sheetnames:
            continue
        for sheet in book.worksheets:
            for column in _id_columns(book, sheet):
                width = sheet.column_dimensions[get_column_letter(column)].width or 8.43
                for (target,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                    if target.value is None:
                        break  # the table's end: a legend below it is no id
                    if not isinstance(target.value, str) or not target.value:
                        continue
                    where = (path.name, sheet.title, target.coordinate, target.value, width)
                    assert not target.alignment.wrap_text and "\n" not in target.value, where
                    fits = workbook.display_width(target.value) <= workbook.line_room(width)
                    assert fits or target.alignment.shrink_to_fit, where
                    checked += 1
    assert checked > 500
    mail = _book(month / "out" / "review-2026-11.xlsx")["5_メール施策"]
    runs = [c.value for (c,) in mail.iter_rows(min_row=2, max_col=1) if c.value]
    assert "no_prep.member-2026-10" in runs and "campaign.awarded-exec-1on1-2026h2" in runs


def test_the_shortlist_reasons_fold_beside_the_figures_they_repeat(month: Path) -> None:
    """The shortlist's 選んだ理由 repeats the figures beside it (90日で13回、週カバー率…):
    folded, it leaves the sheet the room to show 職種, 年代 and the topics, why a pair was
    chosen; opened with [+], each cell holds the whole list of reasons."""
    book = _book(month / "out" / "interview-shortlist.xlsx")
    sheet = book[glossary.SHEETS["shortlist"]]
    column = header_labels(sheet).index(glossary.column_label("reason")) + 1
    assert sheet.column_dimensions[get_column_letter(column)].hidden
    cells = [c for (c,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column) if c.value]
    assert len(cells) >= 3
    for target in cells:
        reasons = str(target.value).replace("\n", "").split("、")
        assert any(r.startswith("週カバー率 ") for r in reasons), target.value
    shown = [
        label
        for label, (cell,) in zip(header_labels(sheet), sheet.iter_cols(max_row=1), strict=True)
        if not sheet.column_dimensions[cell.column_letter].hidden
    ]
    for key in ("member_job_type", "member_age_band", "top_topics", "spread_note"):
        assert glossary.column_label(key) in shown, key


def test_the_summary_sheets_labels_break_between_words(month: Path) -> None:
    """Sheet 1's 項目 column wrapped 「1on1実施率（部下・直 / 近30日）」 where Excel ran out of
    room. A label longer than its column is written on lines that end between words."""
    from kakeai_ops.outputs.header_lines import breaks_between_words

    sheet = _book(month / "out" / "review-2026-11.xlsx")["1_サマリー"]
    labels = [c.value for (c,) in sheet.iter_rows(min_row=2, max_col=1) if c.value]
    broken = [text for text in labels if "\n" in text]
    assert broken  # the sample's labels are longer than the column
    for text in broken:
        assert breaks_between_words(text), text
        assert not any(line.startswith(("）", "・")) for line in text.split("\n")), text
