"""outputs.files: one atomic write for every file kops writes, and shares as people read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kakeai_ops.outputs.files import percent, replacing, write_atomically


def test_write_atomically_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary left


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(target, suffix=".xlsx") as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_percent() -> None:
    assert percent(0.125) == "12.5%"
    assert percent(None) == "-" and percent(float("nan")) == "-"


def test_a_difference_of_shares_is_written_in_points(tmp_path: Path) -> None:
    """差（pt） holds points in the workbook (−5.5 shown −5.5pt, never −5.5%) and in the CSV
    (−5.5), recounted here from the shares."""
    import csv as csv_module

    import openpyxl
    import pandas as pd

    from kakeai_ops.outputs.files import write_table

    mailed, holdout = 12 / 91, 17 / 91
    frame = pd.DataFrame(
        {"run_id": ["r1", "r2"], "difference": [mailed - holdout, 0.0], "ci95_low": [-0.12, None]}
    )
    book = write_table(frame, tmp_path / "effect.xlsx")
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("差（pt）") + 1)
    assert cell.value == pytest.approx((mailed - holdout) * 100)
    assert cell.number_format == '+0.0"pt";-0.0"pt";"±0.0pt"'
    assert sheet.cell(row=3, column=header.index("差（pt）") + 1).value == 0
    low = next(c for c in sheet[2] if sheet.cell(row=1, column=c.column).value.startswith("95%"))
    assert low.value == pytest.approx(-12.0)
    table = write_table(frame, tmp_path / "effect.csv")
    rows = list(csv_module.DictReader(table.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0]["差（pt）"] == f"{round((mailed - holdout) * 100, 1)}"
    assert rows[0]["95%信頼区間（下限）"] == "-12.0"


def test_a_moment_at_midnight_keeps_its_time_and_a_day_does_not(tmp_path: Path) -> None:
    """A send recorded at 00:00 is a moment (更新日時 2026-12-07 00:00), not a day: the
    workbook keeps hh:mm even when every moment of the column falls on midnight; a column
    of days (no ``_at`` key) still shows the day alone."""
    import pandas as pd
    from openpyxl import load_workbook

    from kakeai_ops.outputs.files import write_table

    midnight = pd.to_datetime(["2026-12-07 00:00", "2026-12-08 00:00"])
    frame = pd.DataFrame({"updated_at": midnight, "day": midnight})
    path = write_table(frame, tmp_path / "status.xlsx")
    sheet = load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[1]] == ["更新日時", "day"]
    moment, day = sheet[2]
    assert moment.is_date and moment.number_format == "yyyy-mm-dd hh:mm"
    assert moment.value.hour == 0 and moment.value.minute == 0
    assert day.is_date and day.number_format == "yyyy-mm-dd"


def test_a_count_said_with_its_reasons_stands_at_the_right_line_by_line(tmp_path: Path) -> None:
    """「14」 then 「0」 in the next column read as 140 when the second stood at the left; a
    count said with its reasons (「3」 over each reason) stands at the right, each line
    whole in its column, the row tall enough for every line."""
    import pandas as pd
    from openpyxl import load_workbook

    from kakeai_ops.outputs.files import write_table
    from kakeai_ops.outputs.workbook import display_width

    said = "3\nメールアドレスなし 2人\n休職・休業中 1人"
    frame = pd.DataFrame({"holdout": [14, 0], "left_out": [0, said]}, dtype=object)
    frame["holdout"] = frame["holdout"].astype(int)
    path = write_table(frame, tmp_path / "runs.xlsx")
    sheet = load_workbook(path).worksheets[0]
    assert [str(c.value).replace("\n", "") for c in sheet[1]] == [
        "比較群（送らない）",
        "宛先から除いた人数",
    ]
    zero, reasons = sheet["B2"], sheet["B3"]
    assert zero.value == 0 and reasons.value == said
    assert reasons.alignment.horizontal == "right" and reasons.alignment.wrap_text
    width = sheet.column_dimensions["B"].width
    assert width >= max(display_width(line) for line in said.split("\n"))
    assert sheet.row_dimensions[3].height >= 3 * 14


def test_a_unit_beside_figures_of_several_kinds_starts_a_character_in(tmp_path: Path) -> None:
    """Rows of several kinds in one 値 column (a name, a count, an average): the 単位
    beside it starts a character in, or 「4.0」 and 「1〜5」 read as 「4.01〜5」; the figures
    keep standing at the right."""
    import pandas as pd
    from openpyxl import load_workbook

    from kakeai_ops.outputs.files import write_table

    frame = pd.DataFrame(
        {
            "label": ["セミナー名", "招待数", "満足度の平均"],
            "value": ["1on1をみんなどうやっているの？", 65, 4.0],
            "unit": [None, "人", "1〜5"],
            "figure_kind": [None, "count", "score"],
        }
    )
    sheet = load_workbook(write_table(frame, tmp_path / "figures.xlsx")).worksheets[0]
    header = [str(c.value).replace("\n", "") for c in sheet[1]]
    unit, value = header.index("単位") + 1, header.index("値") + 1
    for row in (3, 4):
        assert sheet.cell(row=row, column=unit).alignment.indent == 1, row
        assert sheet.cell(row=row, column=value).alignment.indent == 0
    assert sheet.cell(row=4, column=value).number_format == "0.0"


def test_phrases_too_long_for_their_column_break_between_them(tmp_path: Path) -> None:
    """案内する人 in a column narrowed to print on A4: Excel broke it at any character
    (「…スッキ / リ度未入力」, a line starting with 「・」); it is written with its line breaks
    between the stuck points (and words), every line within the column, the row as tall as
    its lines. The CSV keeps it on one line."""
    import pandas as pd
    from openpyxl import load_workbook

    from kakeai_ops.outputs.files import write_table
    from kakeai_ops.outputs.workbook import display_width

    invites = "未ログイン・ペア未成立・1on1未実施・スッキリ度未入力・事前準備なし"
    wide = {f"pad{i}": ["x" * 30] for i in range(4)}  # the sheet too wide: 案内する人 narrowed
    frame = pd.DataFrame({"seminar": ["month1"], "invites": [invites], **wide})
    sheet = load_workbook(write_table(frame, tmp_path / "seminars.xlsx")).worksheets[0]
    header = [str(c.value).replace("\n", "") for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("案内する人") + 1)
    lines = str(cell.value).split("\n")
    assert "".join(lines) == invites and len(lines) > 1
    width = sheet.column_dimensions[cell.column_letter].width
    assert all(display_width(line) <= (width - 1.5) / 1.1 for line in lines), (width, lines)
    assert not any(line.startswith("・") for line in lines), lines
    for word in ("未ログイン", "ペア未成立", "1on1未実施", "スッキリ度", "事前準備なし"):
        assert any(word in line for line in lines), (word, lines)
    assert sheet.row_dimensions[2].height >= 14 * len(lines)
    csv_text = write_table(frame, tmp_path / "seminars.csv").read_text(encoding="utf-8-sig")
    assert invites in csv_text


def test_a_day_in_a_csv_is_written_as_its_cell_shows_it(tmp_path: Path) -> None:
    """最終ログイン日 held 「2026-11-20 15:09」 in the CSV where the workbook shows the day."""
    import pandas as pd

    from kakeai_ops.outputs.files import write_table

    logins = pd.to_datetime(["2026-11-20 15:09", None])
    path = write_table(pd.DataFrame({"last_login_at": logins}), tmp_path / "list.csv")
    # A row of one blank field is written "" (a bare line end would be no row at all).
    assert path.read_text(encoding="utf-8-sig").splitlines() == [
        "最終ログイン日",
        "2026-11-20",
        '""',
    ]


def test_a_hidden_count_among_figures_of_several_kinds_stands_at_the_right(
    tmp_path: Path,
) -> None:
    """A seminar sheet's 値 holds counts, shares and text: a chosen theme's 「<5」 stood at the
    left of its cell, under the 7 and 6 of the rows above, as if it were a label."""
    import pandas as pd
    from openpyxl import load_workbook

    from kakeai_ops.outputs.files import write_table

    frame = pd.DataFrame(
        {
            "label": ["セミナー名", "知りたいテーマ：メモ", "知りたいテーマ：データ"],
            "value": ["1on1をみんなどうやっているの？", 7, "<5"],
            "figure_kind": [None, "count", "count"],
        }
    )
    sheet = load_workbook(write_table(frame, tmp_path / "s.xlsx")).worksheets[0]
    column = [c.value for c in sheet[1]].index("値") + 1
    title, count, hidden = (sheet.cell(row=r, column=column) for r in (2, 3, 4))
    assert hidden.value == "<5" and hidden.alignment.horizontal == "right"
    assert count.value == 7 and title.alignment.horizontal != "right"


def test_the_column_notes_say_what_a_column_holds_where_its_header_does_not(
    tmp_path: Path,
) -> None:
    """The 列の説明 sheet paired each header with its JSON key and said nothing of what
    it meant: a reader asked what 休眠判定期間内の1on1数 and 期間の開始月 were. A figure's
    column says its definition (the glossary's, as 数値の定義 does), another column what it
    holds where its header does not say, a column its header says nothing more."""
    import pandas as pd
    from openpyxl import load_workbook

    from kakeai_ops import glossary
    from kakeai_ops.outputs.files import write_table

    frame = pd.DataFrame(
        {"user_id": ["000101"], "held_in_lapse_window": [0], "prep_share": [0.5], "name": ["a"]}
    )
    target = tmp_path / "list.xlsx"
    write_table(frame, target, text_columns=["user_id"])
    notes = load_workbook(target)[glossary.COLUMN_NOTES_SHEET]
    rows = list(notes.iter_rows(values_only=True))
    assert rows[0][:3] == ("シート", "列", "意味")
    meaning = {row[3]: row[2] for row in rows[1:]}
    assert meaning["held_in_lapse_window"] == glossary.COLUMN_MEANINGS["held_in_lapse_window"]
    figure = glossary.FIGURES["prep_share"]
    assert meaning["prep_share"] == f"{figure.counts}（分母: {figure.out_of}）"
    assert meaning["name"] is None  # 氏名 says what it is
    # Every meaning is of a column the glossary heads, and none of a figure (defined once).
    assert set(glossary.COLUMN_MEANINGS) <= set(glossary.COLUMNS)
    assert not set(glossary.COLUMN_MEANINGS) & set(glossary.FIGURES)
