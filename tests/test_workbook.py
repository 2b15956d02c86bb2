"""Workbooks as printed: a short header is never broken inside a word when the sheet has
the room, and a hidden figure stands at the right of its cell. Read back with openpyxl."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from conftest import SAMPLE, Cli
from kakeai_ops.outputs import header_lines, workbook
from kakeai_ops.outputs.files import write_table
from kakeai_ops.workspace import Workspace
from workbooks import header_labels


def width_needed(text: str) -> float:
    """Excel width units a one-line header takes: two for a Japanese character, one for
    any other, and the cell's padding."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 1.5


def test_short_headers_fit_on_one_line_and_hidden_figures_align_right(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "stuck_point": ["未ログイン", "ペア未成立"],
            "group_label": ["出席した人", "出席しなかった人"],
            "users": [7, 3],
            "in_snapshot": [7, 3],
            "moved_on": [2, "<5"],
        }
    )
    path = write_table(frame, tmp_path / "moved.xlsx")
    sheet = load_workbook(path).worksheets[0]
    header = header_labels(sheet)
    assert header[0] == "スタックポイント"  # 8 characters: one line, not 「スタックポイ/ント」
    for index, label in enumerate(header, start=1):
        if sum(2 if ord(ch) > 0x2E80 else 1 for ch in label) <= workbook.SHORT_LINE:
            width = sheet.column_dimensions[get_column_letter(index)].width
            assert width >= width_needed(label), (label, width)
    hidden = next(c for c in sheet[3] if c.value == "<5")
    assert hidden.alignment.horizontal == "right"


def header(i: int) -> str:
    """A middling header: 「上司の / 01回目の / 実施率」 on three lines, two lines of 14."""
    return f"上司の{i:02d}回目の実施率"


def assert_headers_whole(sheet: Worksheet) -> None:
    """Every header breaks only between words, and each of its lines fits its column."""
    for target in sheet[1]:
        width = sheet.column_dimensions[target.column_letter].width
        lines = str(target.value).split("\n")
        assert header_lines.breaks_between_words(str(target.value)), lines
        room = workbook.line_room(width)
        assert all(workbook.display_width(line.strip()) <= room for line in lines), (lines, width)


def test_a_wide_sheet_keeps_its_headers_tight_to_print_readably(tmp_path: Path) -> None:
    """Many columns with middling headers: roomy headers would print below 8 pt, so they
    take three lines, broken between words, and the sheet stays within the readable width."""
    frame = pd.DataFrame({header(i): [1] for i in range(13)})
    path = write_table(frame, tmp_path / "wide.xlsx")
    sheet = load_workbook(path).worksheets[0]
    total = sum(
        sheet.column_dimensions[get_column_letter(i)].width or 8.43
        for i in range(1, sheet.max_column + 1)
    )
    assert total <= workbook.READABLE_WIDTH
    assert_headers_whole(sheet)
    assert "上司の\n01回目の\n実施率" in [c.value for c in sheet[1]]
    assert sheet.row_dimensions[1].height == 3 * workbook.LINE_HEIGHT + 2


def test_a_sheet_too_wide_for_every_header_gives_room_to_some(tmp_path: Path) -> None:
    """Twelve middling headers: all on two lines would print below 8 pt, all on three
    leaves room unused; the room left goes to as many headers as it takes."""
    frame = pd.DataFrame({header(i): [1] for i in range(12)})
    sheet = load_workbook(write_table(frame, tmp_path / "wide.xlsx")).worksheets[0]
    widths = [
        sheet.column_dimensions[get_column_letter(i)].width for i in range(1, sheet.max_column + 1)
    ]
    tight = 12 * workbook.units(8)  # three lines of 「01回目の」
    assert tight < sum(widths) <= workbook.READABLE_WIDTH
    assert max(widths) == workbook.units(14)  # the ones given room: two lines
    assert_headers_whole(sheet)


def test_a_label_on_several_rows_is_no_total(tmp_path: Path) -> None:
    """全体 beside each group (出席した人, 出席しなかった人) names the group of all stuck
    points: not bold, no rule above; a single 全社 row below its divisions is a total."""
    groups = pd.DataFrame(
        {"stuck_point": ["全体", "全体"], "group_label": ["出席した人", "出席しなかった人"]}
    )
    sheet = load_workbook(write_table(groups, tmp_path / "groups.xlsx")).worksheets[0]
    assert not any(c.font.bold for row in sheet.iter_rows(min_row=2) for c in row)
    divisions = pd.DataFrame(
        {"division": ["営業本部", "開発本部", "全社"], "headcount": [5, 6, 11]}
    )
    sheet = load_workbook(write_table(divisions, tmp_path / "divisions.xlsx")).worksheets[0]
    assert sheet.cell(row=4, column=1).font.bold and not sheet.cell(row=2, column=1).font.bold


def test_the_names_column_is_never_narrowed_for_a_headers_room(tmp_path: Path) -> None:
    """Room for headers is taken from what the sheet has spare, never by pushing the sheet
    so wide that the column of names is wrapped (「管理本部・経営企画室・第一工場」 whole)."""
    name = "管理本部・経営企画室・第一工場"
    frame = pd.DataFrame({"division": [name], **{header(i): [1] for i in range(10)}})
    sheet = load_workbook(write_table(frame, tmp_path / "names.xlsx")).worksheets[0]
    assert sheet.column_dimensions["A"].width >= width_needed(name)
    total = sum(
        sheet.column_dimensions[get_column_letter(i)].width for i in range(1, sheet.max_column + 1)
    )
    assert total <= workbook.READABLE_WIDTH


def test_long_text_columns_wrap_and_leave_the_headers_their_room(tmp_path: Path) -> None:
    """A list with long names (a seminar's title, who is invited): those columns wrap to
    fit A4, so the short headers beside them (シリーズの回) need not break."""
    long = "上司の方向け：データから紐解く！メンバーとの効果的な1on1を行うコツ" * 2
    frame = pd.DataFrame(
        {
            "セミナーID": ["month1"],
            **{f"説明{i}": [long] for i in range(3)},
            **{f"シリーズの回{i}": [1] for i in range(5)},
        }
    )
    sheet = load_workbook(write_table(frame, tmp_path / "list.xlsx")).worksheets[0]
    for index in range(5, 10):
        label = sheet.cell(row=1, column=index).value
        assert sheet.column_dimensions[get_column_letter(index)].width >= width_needed(label)
    total = sum(
        sheet.column_dimensions[get_column_letter(i)].width for i in range(1, sheet.max_column + 1)
    )
    assert total <= workbook.READABLE_WIDTH


def test_a_short_text_column_keeps_its_width_before_headers_get_room(tmp_path: Path) -> None:
    """The review's 期間 (「2026年10月22日〜11月20日」) was wrapped inside a word to give a header
    a line of its own; a text column a little too wide for the wrap keeps its width while
    the sheet prints readably, and the headers break between words instead."""
    period = "2026年10月22日〜11月20日"
    frame = pd.DataFrame(
        {
            "division": ["管理本部・経営企画室"],
            **{header(i): [0.5] for i in range(6)},
            "period": [period],
        }
    )
    sheet = load_workbook(write_table(frame, tmp_path / "period.xlsx")).worksheets[0]
    last = get_column_letter(sheet.max_column)
    assert sheet.column_dimensions[last].width >= workbook.units(workbook.display_width(period))
    assert not sheet[f"{last}2"].alignment.wrap_text
    total = sum(
        sheet.column_dimensions[get_column_letter(i)].width for i in range(1, sheet.max_column + 1)
    )
    assert total <= workbook.READABLE_WIDTH
    assert_headers_whole(sheet)


def test_hostile_headers_and_long_text_make_a_file_excel_opens(tmp_path: Path) -> None:
    """Headers can be the tenant's text (a 事業部 per column): a formula stays text, a control
    character is shown as its picture (openpyxl refused the whole file), a header of
    thousands of words is broken quickly, and no row is taller than Excel's 409 pt (a
    taller one makes Excel call the file damaged)."""
    import time

    frame = pd.DataFrame(
        {
            "=cmd|' /C calc'!A0": [1],
            "上司の" * 3000: [2],
            "\u202e逆向き\x1b[2J": [3],
            "回答": ["長い回答" * 30000],
        }
    )
    started = time.monotonic()
    path = write_table(frame, tmp_path / "hostile.xlsx")
    assert time.monotonic() - started < 10
    sheet = load_workbook(path).worksheets[0]
    formula, long, control, _answer = sheet[1]
    assert formula.data_type == "s" and formula.quotePrefix
    assert str(formula.value).replace("\n", "") == "=cmd|' /C calc'!A0"
    assert str(long.value).replace("\n", "") == "上司の" * 3000
    assert control.value == "\u202e逆向き␛[2J"
    heights = [d.height for d in sheet.row_dimensions.values() if d.height is not None]
    assert heights and max(heights) <= workbook.MAX_ROW_HEIGHT


def test_a_total_row_keeps_each_cells_own_look_and_each_books_own_styles(tmp_path: Path) -> None:
    # total_row reuses the style it made for a cell that looked alike: a cell with another
    # border, or a cell of another book, must get its own.
    from openpyxl.styles import Border, Side

    thick, dashed = Side(style="thick"), Side(style="dashed")
    books = [workbook.new_book(), workbook.new_book()]
    for book in books:
        sheet = book.create_sheet("t")
        for row in (1, 2):
            sheet.cell(row=row, column=1, value="全社").border = Border(left=thick)
            sheet.cell(row=row, column=2, value=1).border = Border(right=dashed)
            workbook.total_row(sheet, row, 3)
    books[1]._fonts.add(workbook.font(italic=True))  # another book's styles in other places
    sheet = books[1]["t"]
    sheet.cell(row=3, column=1).border = Border(left=dashed)
    workbook.total_row(sheet, 3, 1)
    for book in books:
        path = tmp_path / f"{id(book)}.xlsx"
        book.save(path)
        sheet = load_workbook(path)["t"]
        for row in (1, 2):
            first, second, third = (sheet.cell(row=row, column=c) for c in (1, 2, 3))
            assert all(c.font.b and c.border.top.style == "double" for c in (first, second, third))
            assert _sides(first) == ("thick", None) and _sides(second) == (None, "dashed")
            assert _sides(third) == (None, None)
    last = load_workbook(tmp_path / f"{id(books[1])}.xlsx")["t"]["A3"]
    assert _sides(last) == ("dashed", None) and last.border.top.style == "double" and last.font.b


def _sides(target: Any) -> tuple[str | None, ...]:
    """The left and right border lines of a cell read back."""
    return tuple(getattr(side, "style", None) for side in (target.border.left, target.border.right))


def _visible_width(sheet: Worksheet) -> float:
    return sum(
        sheet.column_dimensions[get_column_letter(i)].width or 8.43
        for i in range(1, sheet.max_column + 1)
        if not sheet.column_dimensions[get_column_letter(i)].hidden
    )


def test_hostile_long_ids_are_never_broken_and_the_sheet_stays_readable(tmp_path: Path) -> None:
    """Ids far longer than a page allows (a campaign id of 90 characters, a run id that is a
    Japanese sentence) beside long text: each id stays on one line, shrunk to its column,
    never wrapped; the sheet still prints at 8 pt or more."""
    long_ids = ["x" * 90, "キャンペーン" * 10, "no_prep.member-2026-10"]
    frame = pd.DataFrame(
        {
            "run_id": long_ids,
            "campaign_id": [f"c-{n}-" + "9" * 40 for n in range(3)],
            "title": ["事前準備なし・部下向け（2026年10月）" * 3] * 3,
            "note": ["対象がスタックポイントではないため効果測定なし、" * 4] * 3,
            "division": ["マーケティング本部・経営企画室"] * 3,
            "written": [13, 65, 77],
        }
    )
    sheet = load_workbook(write_table(frame, tmp_path / "ids.xlsx")).worksheets[0]
    assert _visible_width(sheet) <= workbook.READABLE_WIDTH
    for column in (1, 2):
        width = sheet.column_dimensions[get_column_letter(column)].width or 8.43
        assert width >= workbook.MIN_ID_WIDTH
        for (target,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            shown = workbook.display_width(target.value)
            assert not target.alignment.wrap_text and "\n" not in target.value, target.value
            assert shown <= workbook.line_room(width) or target.alignment.shrink_to_fit
    assert sheet["A4"].value == "no_prep.member-2026-10"


def test_a_list_of_reasons_breaks_only_between_reasons(tmp_path: Path) -> None:
    """A 選んだ理由 far wider than the page: its column holds its longest reason, every line
    ends with a whole reason, and the sheet still prints at 8 pt or more."""
    reason = "、".join(
        ["90日で13回", "週カバー率 100%", "平均スッキリ度 4.4", "「今後のキャリア」が23%"] * 3
    )
    frame = pd.DataFrame(
        {
            "manager_id": ["000132", "000248"],
            "manager_name": ["秋谷 彩花", "上口 恵"],
            "division": ["マーケティング本部", "営業本部"],
            "department": ["営業企画部", "調達部"],
            "held": [13, 7],
            "reason": [reason, reason],
            "note": ["対象がスタックポイントではないため効果測定なし" * 3] * 2,
        }
    )
    sheet = load_workbook(write_table(frame, tmp_path / "reasons.xlsx")).worksheets[0]
    assert _visible_width(sheet) <= workbook.READABLE_WIDTH
    column = header_labels(sheet).index("選んだ理由") + 1
    width = sheet.column_dimensions[get_column_letter(column)].width or 8.43
    for (target,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
        lines = target.value.split("\n")
        assert len(lines) > 1 and "".join(lines) == reason
        assert all(line.endswith("、") for line in lines[:-1]), lines
        assert all(workbook.display_width(x) <= workbook.line_room(width) for x in lines)


def test_a_reason_wider_than_the_page_allows_breaks_between_its_words(tmp_path: Path) -> None:
    """A long topic (「「具体的なアドバイスがほしい」が62%」) on a sheet with no room for it:
    the sheet still prints at 8 pt or more, the other reasons break between reasons, and
    the long one starts a line and breaks between its words, never inside one."""
    topic = "「具体的なアドバイスがほしい・業務の進捗や進め方」が62%"
    reason = f"90日で13回、週カバー率 100%、平均スッキリ度 4.4、{topic}"
    frame = pd.DataFrame(
        {
            "manager_id": ["000132"],
            "manager_name": ["秋谷 彩花"],
            "member_id": ["000133"],
            "member_name": ["藤井 悠真"],
            "division": ["マーケティング本部"],
            "department": ["営業企画部"],
            "held": [13],
            "sukkiri_avg": [4.4],
            "score": [0.58],
            "reason": [reason],
            "last_held_at": [pd.Timestamp("2026-11-18")],
        }
    )
    sheet = load_workbook(write_table(frame, tmp_path / "topic.xlsx")).worksheets[0]
    assert _visible_width(sheet) <= workbook.READABLE_WIDTH
    column = header_labels(sheet).index("選んだ理由") + 1
    width = sheet.column_dimensions[get_column_letter(column)].width or 8.43
    lines = sheet.cell(row=2, column=column).value.split("\n")
    assert "".join(lines) == reason and len(lines) > 2, lines
    start = next(n for n, line in enumerate(lines) if line.startswith("「具体的な"))
    assert all(line.endswith("、") for line in lines[:start]), lines
    assert header_lines.breaks_between_words("\n".join(lines)), lines
    assert all(workbook.display_width(x) <= workbook.line_room(width) for x in lines), lines


def test_cells_are_measured_with_their_own_format_indent_and_wrapping() -> None:
    # _measured_cells reads a cell's number format and alignment once per style id: each
    # cell must still be measured with its own (a stale look would size another column).
    from openpyxl.styles import Alignment

    book = workbook.new_book()
    sheet = book.create_sheet("t")
    looks = [
        (0.25, workbook.PERCENT, Alignment()),
        (1234567, workbook.COUNT, Alignment(indent=3)),
        (0.25, workbook.ONE_DECIMAL, Alignment(wrap_text=True)),
        ("名前の長い部署", "General", Alignment(indent=1, wrap_text=True)),
        (2.5, "General", Alignment()),
    ]
    for row in range(1, 4):
        for column, (value, number_format, alignment) in enumerate(looks, start=1):
            target = sheet.cell(row=row, column=(column + row) % len(looks) + 1, value=value)
            target.number_format = number_format
            target.alignment = alignment
    expected = []
    for (row, column), target in sorted(sheet._cells.items()):
        text = workbook.cell_text(target.value, target.number_format)
        longest = workbook.display_width(text) + 2 * int(target.alignment.indent or 0)
        wraps = row == 1 or bool(target.alignment.wrap_text)
        label = text if row == 1 and isinstance(target.value, str) else None
        expected.append((row, column, longest, wraps, label))
    assert workbook._measured_cells(sheet, {1}, 400) == expected
    assert len({(c[2], c[3]) for c in expected}) > 3


def _ruled(sheet: Worksheet) -> list[bool]:
    """Per record row: whether every cell of it has the thin grey rule at its foot."""
    return [
        all(
            c.border.bottom is not None
            and c.border.bottom.style == "thin"
            and str(c.border.bottom.color.rgb).endswith("BFBFBF")
            for c in row
        )
        for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row, max_col=sheet.max_column)
        if any(c.value is not None for c in row)
    ]


def test_records_on_several_lines_are_ruled_apart_and_one_line_lists_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shortlist's records run over several lines (選んだ理由, one reason a line): printed,
    one pair's last reason and the next pair's first read as one list unless a line parts
    them. A list whose records are one line each keeps plain rows, and so does a list too
    long to print (its rows are read on screen, filtered)."""
    reason = "、".join(["90日で13回", "週カバー率 100%", "平均スッキリ度 4.4", "トピック7種"] * 3)
    pairs = pd.DataFrame(
        {
            "manager_id": ["000132", "000248", "000270"],
            "manager_name": ["秋谷 彩花", "上口 恵", "山本 さくら"],
            "held": [13, 7, 13],
            "reason": [reason] * 3,
        }
    )
    sheet = load_workbook(write_table(pairs, tmp_path / "pairs.xlsx")).worksheets[0]
    assert max(sheet.row_dimensions[r].height or 0 for r in (2, 3, 4)) > workbook.row_height(1)
    assert _ruled(sheet) == [True, True, True]
    plain = pairs.assign(reason="90日で13回")
    sheet = load_workbook(write_table(plain, tmp_path / "plain.xlsx")).worksheets[0]
    assert _ruled(sheet) == [False, False, False]
    monkeypatch.setattr(workbook, "RULED_RECORDS", 2)  # (2,000: a list this long is slow)
    sheet = load_workbook(write_table(pairs, tmp_path / "many.xlsx")).worksheets[0]
    assert not any(_ruled(sheet))


def test_a_note_wider_than_the_sheet_breaks_between_its_parts() -> None:
    """A heading or a note alone in its row spans the sheet and wraps; Excel would break it
    anywhere (「基準日：2026- / 11-20」). It is written on lines between its parts, each
    line given its room, and the characters are kept in order."""
    from openpyxl import Workbook

    note = (
        "対象：開発本部（製品開発部・品質保証部）　期間：2026年8月23日〜"
        "11月20日（前期間 2026年5月25日〜8月22日 と比較）　基準日：2026-11-20"
    )
    sheet = Workbook().active
    for column, header in enumerate(["部署", "人数", "1on1実施率", "推移"], start=1):
        sheet.cell(row=1, column=column, value=header)
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.cell(row=2, column=1, value="品質保証部")
    sheet.cell(row=4, column=1, value=note)
    workbook.print_setup(sheet, width=48)
    shown = sheet["A4"].value
    assert shown.replace("\n", "") == note
    lines = shown.split("\n")
    assert len(lines) >= 3 and "基準日：2026-11-20" in lines[-1]
    assert all(
        line.endswith(("　", "、")) or nxt.startswith("（")
        for line, nxt in itertools.pairwise(lines)
    )
    assert sheet.row_dimensions[4].height >= workbook.row_height(len(lines))
    assert "A4:D4" in {str(r) for r in sheet.merged_cells.ranges}


@pytest.mark.parametrize(
    "name, title",
    [
        ("開発本部'", "開発本部"),  # Excel refuses, LibreOffice cannot open the file
        ("'営業'", "営業"),
        ("a/b:c[d]*e?f\\g", "a_b_c_d__e_f_g"),
        ("x" * 40, "x" * 31),
        ("'" * 3, "sheet"),
        ("ab'" + "c" * 40, "ab'" + "c" * 28),
    ],
)
def test_a_sheet_name_is_one_excel_and_libreoffice_accept(name: str, title: str) -> None:
    made = workbook.sheet_title(name, set())
    assert made == title
    assert len(made) <= 31 and not made.startswith("'") and not made.endswith("'")


def test_sheet_names_differing_only_in_case_are_two_sheets() -> None:
    """Excel compares sheet names case folded: 「Sales」 and 「sales」 would be one."""
    used: set[str] = set()
    names = [workbook.sheet_title(n, used) for n in ("Sales", "sales", "SALES")]
    assert names == ["Sales", "sales_2", "SALES_3"]


def test_a_division_named_with_a_closing_apostrophe_gets_a_sheet_that_opens(
    tmp_path: Path, ws: Workspace
) -> None:
    """A 事業部 exported as 「開発本部'」 named its sheet so; LibreOffice refused the file."""

    exports = tmp_path / "exports"
    exports.mkdir()
    for source in (SAMPLE / "2026-11").iterdir():
        data = source.read_bytes()
        if source.name == "users.csv":
            data = data.replace("開発本部".encode("cp932"), "開発本部'".encode("cp932"))
        (exports / source.name).write_bytes(data)
    cli = Cli(ws)
    cli("ingest", *map(str, sorted(exports.iterdir())))
    out = tmp_path / "r.xlsx"
    cli("report", "divisions", "--out", str(out))
    names = load_workbook(out).sheetnames
    assert "開発本部" in names
    assert not [n for n in names if n.startswith("'") or n.endswith("'")]


@pytest.mark.parametrize("stem", ["r" * 240, "a&" * 120, "a&&b" * 70])
def test_a_long_file_name_keeps_the_print_header_within_excels_255(
    tmp_path: Path, stem: str
) -> None:
    """A 240-character file name made a header of 280: Excel takes 255 (codes included)
    and repairs the workbook. The header asks for the file's name (&F) whatever its length."""
    folder = tmp_path / "d"
    folder.mkdir()
    name = stem[: 250 - len(".xlsx")] + ".xlsx"
    path = folder / name
    write_table(pd.DataFrame({"user_id": ["000120"], "name": ["池田 優子"]}), path)
    sheet = load_workbook(path).worksheets[0]
    for footer in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
        assert len(str(footer)) <= 255
        assert footer.left.text == "&F"  # the file's own name, however long, when printed


def test_a_long_chart_title_is_broken_between_words_where_libreoffice_would_wrap() -> None:
    """LibreOffice wrapped 「…営業本部の部 / 署別」 at about 55 % of an 18 cm chart's width:
    a title longer than that is written on lines broken between words."""
    from kakeai_ops.outputs.header_lines import breaks_between_words

    title = "1on1実施率（部下） 2026年8月23日〜11月20日・開発本部（製品開発部・品質保証部）の部署別"
    broken = workbook.chart_title(title, 18)
    lines = broken.split("\n")
    assert len(lines) == 2 and "".join(lines) == title
    assert breaks_between_words(broken)
    assert all(workbook.display_width(line) <= 48 for line in lines)
    assert workbook.chart_title("月別の1on1実施率（部下）", 18) == "月別の1on1実施率（部下）"


def test_the_bars_axis_title_is_set_vertically_upright() -> None:
    """A horizontal bar chart's category title (「部署」, on the left) is East Asian
    vertical text (each character upright), not Latin text turned on its side."""
    from openpyxl.chart import BarChart

    chart = BarChart()
    chart.type = "bar"
    workbook.style_chart(chart, x_title="部署", y_title="1on1実施率（%）", as_table=True)
    assert chart.x_axis.title.tx.rich.bodyPr.vert == "eaVert"
    assert chart.y_axis.title.tx.rich.bodyPr.vert != "eaVert"
