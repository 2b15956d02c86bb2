"""Tables on a terminal of any width: a figure, an id or a date is never broken over two
lines, no line is wider than the terminal, and a table too wide to keep its figures
whole is printed one row at a time, every value under its header."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from conftest import Cli
from kakeai_ops.cli.table_fit import pieces, wrap
from kakeai_ops.workspace import Workspace

WIDTHS = [60, 80, 100, 120, 160, 220]

# What a reader must see whole, written here without the code under test: ids, dates,
# times, a count with its unit, a ratio of weeks, a figure with its thousands separator.
WHOLE = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|\d{6}|\d+代|\d+/\d+週|\d+種|\d{1,3}(?:,\d{3})+|\d+%|\d\.\d{1,2}"
)


def _figures(text: str) -> set[str]:
    return set(WHOLE.findall(text))


_shown: dict[tuple[str, int, tuple[str, ...]], str] = {}


def _run(ws: Workspace, width: int, *args: str) -> str:
    """What the command prints at this width, run once per file for each width and command:
    the tests here read the shared sample_ws, which no command of theirs changes."""
    key = (str(ws.root), width, args)
    if key not in _shown:
        result = Cli(ws)(*args, env={"COLUMNS": str(width), "KOPS_LANG": "ja"})
        _shown[key] = str(result.stdout)
    return _shown[key]


def _as_csv(ws: Workspace, *args: str) -> list[dict[str, str]]:
    text = Cli(ws)(*args, "--format", "csv").stdout
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


COMMANDS = [("interview", "shortlist"), ("segment", "--list"), ("status",), ("segment",)]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_figure_is_broken_and_no_line_is_too_wide(
    sample_ws: Workspace, command: tuple[str, ...]
) -> None:
    wide = _run(sample_ws, 400, *command)
    expected = _figures(wide)  # every figure the table holds, each on one line at 400
    assert expected, "the table shows figures"
    for width in WIDTHS:
        shown = _run(sample_ws, width, *command)
        drawn = [line for line in shown.splitlines() if line[:1] in set("┏┃┡│└")]
        assert all(cell_len(line) <= width for line in drawn), width
        missing = expected - _figures(shown)
        assert not missing, (width, sorted(missing)[:5])
        # A figure's pieces are not on lines of their own ("2" over "0代").
        assert "エンジニア・2\n" not in shown


def test_every_pair_of_the_shortlist_is_there_at_every_width(sample_ws: Workspace) -> None:
    pairs = _as_csv(sample_ws, "interview", "shortlist")
    assert pairs
    for width in WIDTHS:
        shown = _run(sample_ws, width, "interview", "shortlist")
        for pair in pairs:
            for key in ("manager_id", "member_id"):
                assert pair[key] in shown, (width, pair[key])
            for part in pair["manager_name"].split() + pair["member_name"].split():
                assert part in shown, (width, part)  # a family or given name whole


def test_too_narrow_a_table_is_read_one_row_at_a_time(sample_ws: Workspace) -> None:
    shown = _run(sample_ws, 60, "status")
    assert "┃" not in shown  # no table drawn
    rows = _as_csv(sample_ws, "status")
    assert rows
    for row in rows:
        assert f"番号: {row['snapshot']}" in shown
        assert f"基準日: {row['as_of']}" in shown
        assert f"ファイル: {row['files']}" in shown
    assert all(cell_len(line) <= 60 for line in shown.splitlines()[1:])


def test_a_table_that_fits_keeps_each_row_on_one_line(sample_ws: Workspace) -> None:
    shown = _run(sample_ws, 160, "segment")
    body = [line for line in shown.splitlines() if line.startswith("│")]
    assert len(body) == 8  # the seven stuck points and 定着, one line each


@given(
    st.text(alphabet="秋谷彩花営業本部/・〜（）、。ーっ 0123456789-:,.%代週abcXYZ\n", max_size=60)
)
def test_pieces_put_together_are_the_text(text: str) -> None:
    assert "".join(pieces(text)) == text
    assert "".join(pieces(text, loose=True)) == text


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("エンジニア・20代", ["20代", "エンジニア"]),
        ("秋谷 彩花（000132）", ["000132", "秋谷", "彩花"]),
        ("2025-11-10〜2026-11-20", ["2025-11-10", "2026-11-20"]),
        ("13/13週", ["13/13週"]),
        ("meetings.xlsx, pairs.csv, users.csv", ["meetings.xlsx", "pairs.csv"]),
        ("1on1実施率（部下・直近90日）", ["1on1実施率", "90日"]),
    ],
)
def test_a_line_breaks_between_pieces(text: str, whole: list[str]) -> None:
    for width in range(max(cell_len(p.strip()) for p in pieces(text)), 30):
        lines = wrap(text, width)
        assert all(cell_len(line) <= width for line in lines)
        for word in whole:
            assert any(word in line for line in lines), (width, lines)
        assert not any(line.startswith(("）", "、", "〜", "・")) for line in lines)


def test_a_long_run_breaks_between_its_phrases() -> None:
    assert pieces("スッキリ度入力率") == ["スッキリ度", "入力率"]
    assert wrap("分散のため繰り上げ（年代）", 10) == ["分散のため", "繰り上げ", "（年代）"]


def _terminal(width: int) -> tuple[Console, io.StringIO]:
    from kakeai_ops.cli.table_fit import FoldedLines

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, soft_wrap=True, force_terminal=False)
    console.push_render_hook(FoldedLines(console))
    return console, buffer


def test_a_long_line_on_a_terminal_breaks_between_pieces() -> None:
    line = (
        "1. 90日で13回（週カバー率 100%）、平均スッキリ度 4.4、平均成長実感 4.0、トピック7種、"
        "最終実施 11/18"
    )
    topics = (
        "   トピック: スキルや力の向上 3件 / 今後のキャリア 3件 / 人間関係 2件 / 非公開トピック 1件"
    )
    figures = _figures(line) | {"13回", "3件", "11/18"}
    for width in (30, 40, 60, 80):
        console, buffer = _terminal(width)
        console.print(line, highlight=False)
        console.print(topics, highlight=False)
        shown = buffer.getvalue()
        lines = shown.splitlines()
        assert all(cell_len(x) <= width for x in lines), width
        assert all(f in shown for f in figures), width
        assert "".join(shown.split()) == "".join((line + topics).split())  # nothing lost
        continued = lines[lines.index(next(x for x in lines if "トピック:" in x)) + 1]
        assert continued.startswith("   ") and not continued.startswith("    ")
        item = lines[1]  # the numbered line's second line starts under its text
        assert item.startswith("   ") and not item.startswith("    "), lines


def test_markup_styles_stay_on_their_words_when_a_line_breaks() -> None:
    text = Text("基準日 2026-11-20（スナップショット 0002 のデータの最終日）")
    text.stylize("bold", 4, 14)
    from kakeai_ops.cli.table_fit import folded

    result = folded(text, 20)
    assert all(cell_len(x) <= 20 for x in result.plain.split("\n"))
    bold = "".join(result.plain[s.start : s.end] for s in result.spans if s.style == "bold")
    assert bold == "2026-11-20"


def test_hostile_cells_print_as_written_when_a_table_is_fitted() -> None:
    """Markup, a control character and a formula-like name in a table narrower than its
    text: folded where it may, shown as written (ESC as ␛), nothing styled or lost."""
    import pandas as pd

    from kakeai_ops.cli.console import frame_table

    names = ["[bold]山田[/bold] 太郎（000101）", '=HYPERLINK("x") \x1b[2J 佐藤', "@SUM(A1) 鈴木"]
    frame = pd.DataFrame({"name": names})
    buffer = io.StringIO()
    console = Console(file=buffer, width=20, soft_wrap=True, force_terminal=False)
    console.print(frame_table(frame))
    shown = buffer.getvalue()
    assert all(cell_len(line) <= 20 for line in shown.splitlines())
    flat = "".join(c for c in shown if not c.isspace() and c not in "│┃─━┏┓┗┛┡┩└┘┳┻╇┴┬┌┐├┤┼:")
    assert "[bold]山田[/bold]" in flat and "000101" in shown
    assert "\x1b" not in shown and "␛" in flat
    assert '=HYPERLINK("x")' in flat and "@SUM(A1)" in flat


# Where a reader may see the stuck points' headers broken: between their words, written
# here without the code under test (a header broken inside a word misreads its column).
HEADER_BREAKS = {
    "未ログイン": [["未ログイン"]],
    "ペア未成立": [["ペア未成立"], ["ペア", "未成立"]],
    "1on1未実施": [["1on1未実施"], ["1on1", "未実施"]],
    "1on1休眠": [["1on1休眠"], ["1on1", "休眠"]],
    "事前準備なし": [
        ["事前準備なし"],
        ["事前準備", "なし"],
        ["事前", "準備なし"],
        ["事前", "準備", "なし"],
    ],
    "スッキリ度未入力": [["スッキリ度未入力"], ["スッキリ度", "未入力"]],
    "繰り返し未設定": [["繰り返し未設定"], ["繰り返し", "未設定"]],
    "定着の割合": [["定着の割合"], ["定着の", "割合"]],
}


def _header_lines(shown: str) -> dict[str, list[str]]:
    """Each column's header of the table drawn last, line by line."""
    lines = shown.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("┏"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("┡"))
    rows = [line.strip("┃").split("┃") for line in lines[start + 1 : end]]
    columns = [[row[i].strip() for row in rows if row[i].strip()] for i in range(len(rows[0]))]
    return {"".join(parts): parts for parts in columns}


def test_headers_break_between_words_at_every_width(sample_ws: Workspace) -> None:
    """「繰/り/返/し/未/設/定」 at 120 columns, 「繰り返し未/設定」 at 140: a header now breaks
    only between its words, as its line in a workbook does, at every width that draws it."""
    drawn = 0
    for width in range(100, 170, 5):
        shown = _run(sample_ws, width, "segment", "--by", "division")
        if shown.count("┏") < 2:
            continue  # the breakdown is printed one row at a time
        drawn += 1
        headers = _header_lines(shown)
        for header, allowed in HEADER_BREAKS.items():
            if header in headers:
                assert headers[header] in allowed, (width, headers[header])
        if width >= 115:  # room for the longest word of every 事業部 name
            assert "│ マーケティング本部" in shown or "│ マーケティング  " in shown, width
    assert drawn >= 10


def test_hostile_headers_break_between_words_and_print_as_written() -> None:
    """A tenant's text as a header (a 事業部 per column): markup, ESC, a right-to-left
    mark, a formula and 2,000 characters, in tables of any width: nothing styled, lost
    or wider than the terminal, and no crash in the word splitter."""
    import pandas as pd

    from kakeai_ops.cli.console import frame_table

    headers = [
        "[red]営業本部[/red]",
        "開発\x1b[2J本部",
        "\u202e製造本部",
        "=cmd|' /C calc'!A0",
        "マーケティング本部" * 220,
    ]
    frame = pd.DataFrame([[1, 2, 3, 4, 5]], columns=headers)
    for width in (30, 60, 90, 120, 400):
        buffer = io.StringIO()
        console = Console(file=buffer, width=width, soft_wrap=True, force_terminal=False)
        console.print(frame_table(frame))
        shown = buffer.getvalue()
        # Drawn lines fit (a row at a time, a line is folded by the terminal's hook).
        drawn = [line for line in shown.splitlines() if line[:1] in set("┏┃┡│└")]
        assert all(cell_len(line) <= width for line in drawn), width
        if drawn:
            said = {h.replace(" ", "") for h in _header_lines(shown)}
        else:
            said = {line.rsplit(":", 1)[0].replace(" ", "") for line in shown.splitlines()}
        for header in ("[red]営業本部[/red]", "=cmd|'/Ccalc'!A0", "マーケティング本部" * 220):
            assert header in said, (width, header[:20])
        assert "開発␛[2J本部" in said, width
        assert "\x1b" not in shown and "␛" in shown, width
        assert "\u202e" not in shown, width


def test_a_long_header_word_breaks_between_its_parts(sample_ws: Workspace) -> None:
    """「スタックポイ/ント」 at 120 columns: a word longer than a header's line breaks between
    its parts (「スタック/ポイント」), as a reader splits it, not at its last characters."""
    word = "スタックポイント"
    seen = 0
    for width in (100, 110, 120, 130, 150, 180):  # the list folds its headers up to 180
        shown = _run(sample_ws, width, "segment", "--list")
        if "┏" not in shown:
            continue
        for header, lines in _header_lines(shown).items():
            at = header.find(word)
            if at < 0:
                continue
            seen += 1
            ends, total = set(), 0
            for line in lines[:-1]:
                total += len(line)
                ends.add(total)
            inside = {e - at for e in ends if at < e < at + len(word)}
            assert inside <= {len("スタック")}, (width, lines)
    assert seen


@pytest.mark.parametrize(
    "header", ["比較群（送らない）", "書き出し数（未送信）", "人数（比較群を含む）"]
)
@pytest.mark.parametrize("width", range(6, 13))
def test_a_bracket_is_never_alone_on_a_line(header: str, width: int) -> None:
    """`kops mail status` at 160 columns headed a column 「比較群 / （送らない / ）」: a closing
    bracket starts no line and an opening one ends none (禁則), whatever the width."""
    lines = wrap(header, width, header=True)
    assert "".join(lines) == header
    assert not any(line.startswith(("）", ")")) for line in lines), lines
    assert not any(line.endswith(("（", "(")) for line in lines), lines
    assert all(cell_len(line) <= width for line in lines), lines
