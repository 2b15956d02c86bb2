"""The deck as its readers see it: a subtitle never runs under the rule below it, and a
table's short headers and figures are never broken across lines. Sizes are read back
with python-pptx and measured independently (a Japanese character is one em wide)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.util import Emu

from kakeai_ops.outputs.header_lines import breaks_between_words
from kakeai_ops.outputs.review_pptx import Slide, Table, write_deck

LONG_SUBTITLE = (
    "直近30日（2026年10月22日〜11月20日）。事業部別レポートと同じ定義・秘匿ルール"
    "（<5: 5人未満、(秘匿): 差し引きで分かるため非表示）" * 2
)


def inches(length: int) -> float:
    return Emu(length).inches


def shape(slide: Any, name: str) -> Any:
    return next(s for s in slide.shapes if s.name == name)


def points_wide(text: str, size: float) -> float:
    """At least this many points: every character half an em, Japanese ones a whole em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.5 for ch in text)


def test_a_long_subtitle_gets_the_lines_it_needs_above_the_rule(tmp_path: Path) -> None:
    deck = write_deck(
        [Slide("4. 事業部別", subtitle=LONG_SUBTITLE, message="m")], tmp_path / "d.pptx"
    )
    slide = Presentation(str(deck)).slides[0]
    box = shape(slide, "Subtitle")
    size = box.text_frame.paragraphs[0].runs[0].font.size.pt
    assert size >= 10  # still readable on the screen
    usable = (inches(box.width) - 0.2) * 72
    lines = math.ceil(points_wide(LONG_SUBTITLE, size) / usable)
    assert lines >= 2
    assert inches(box.height) >= lines * size * 1.2 / 72
    rule = next(s for s in slide.shapes if s.shape_type == 9 or "Connector" in s.name)
    assert inches(rule.top) >= inches(box.top) + inches(box.height) - 0.01


def test_a_subtitle_that_fits_one_line_keeps_one_line(tmp_path: Path) -> None:
    deck = write_deck([Slide("t", subtitle="短い説明", message="m")], tmp_path / "d.pptx")
    box = shape(Presentation(str(deck)).slides[0], "Subtitle")
    assert box.text_frame.paragraphs[0].runs[0].font.size.pt == 13
    assert inches(box.height) < 0.5


def test_short_headers_and_figures_are_never_broken(tmp_path: Path) -> None:
    """The candidates' table: 順位, スッキリ度, スコア on one line beside a long text column."""
    topics = "スキルや力の向上 3件 / 今後のキャリア 3件 / 人間関係 2件 / 非公開トピック 1件"
    rows = [
        [str(i), "管理本部・経営企画室", "13", "4.4", "0.92", "分散のため繰り上げ（年代）", topics]
        for i in range(1, 6)
    ]
    columns = ["順位", "事業部", "回数", "スッキリ度", "スコア", "備考", "主なトピック"]
    table_spec = Table(columns, rows, widths=[0.5, 2.0, 0.6, 0.9, 0.7, 2.0, 5.6])
    deck = write_deck([Slide("8. 候補", table=table_spec, message="m")], tmp_path / "d.pptx")
    table = next(s.table for s in Presentation(str(deck)).slides[0].shapes if s.has_table)
    for index, name in enumerate(columns):
        size = table.cell(0, index).text_frame.paragraphs[0].runs[0].font.size.pt
        usable = inches(table.columns[index].width) * 72 - 2 * 0.06 * 72  # less the margins
        texts = [name] if len(name) <= 5 else []
        texts += [r[index] for r in rows if r[index].replace(".", "").isdigit()]
        for text in texts:
            assert points_wide(text, size) <= usable, (name, text, usable)
    total = sum(inches(c.width) for c in table.columns)
    assert total <= 13.333 - 1 + 0.01  # still within the slide's margins


def test_a_rows_label_and_a_two_line_header_stay_whole(tmp_path: Path) -> None:
    """The divisions' table: 管理本部・経営企画室 on one line, 1on1実施率 and （直近30日)
    each on their own line, and a header too long for one line in two, broken between
    words: 「部下1人あたり / 月間1on1数」 (left to the renderer, 「部下1人あ / たり月間」)."""
    columns = ["事業部", "人数", "ログイン率", "ペア成立率", "1on1実施率\n（直近30日）", "前回比"]
    columns += ["部下1人あたり月間1on1数", "スッキリ度"]
    names = ["全社", "マーケティング本部", "管理本部・経営企画室", "製造本部"]
    rows = [[n, "252人", "93%", "87%", "86%", "↑ +3pt", "2.4", "4.1"] for n in names]
    table_spec = Table(columns, rows, widths=[2.2, 1, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2])
    deck = write_deck([Slide("4. 事業部", table=table_spec, message="m")], tmp_path / "d.pptx")
    table = next(s.table for s in Presentation(str(deck)).slides[0].shapes if s.has_table)
    for index, name in enumerate(columns):
        size = table.cell(0, index).text_frame.paragraphs[0].runs[0].font.size.pt
        usable = inches(table.columns[index].width) * 72 - 2 * 0.06 * 72
        written = table.cell(0, index).text
        assert written.replace("\n", "") == name.replace("\n", "")
        texts = [*written.split("\n"), *(r[index] for r in rows)]
        for text in texts:
            assert points_wide(text, size) <= usable, (name, text, usable)
    assert table.cell(0, 6).text == "部下1人あたり\n月間1on1数"


def test_a_table_above_its_chart_stays_readable(tmp_path: Path) -> None:
    """The mail slide of a month with five runs: the table takes the room its words need
    and the chart the rest (it was 10 pt beside a chart of one pair of bars)."""
    from kakeai_ops.outputs.review_pptx import Chart

    columns = [
        "配信",
        "送信",
        "書き出しのみ（未送信）",
        "比較群",
        "スタックポイントを抜けた割合の差",
    ]
    note = "差は誤差の範囲（−5.5pt、95%信頼区間 −35.5pt〜+26.5pt、有意差なし） 送付3/13人・比較群4/14人"
    rows = [
        ["セミナーの録画のご案内：1on1をみんなどうやっているの？", "0", "47", "0", note]
        for _ in range(5)
    ]
    chart = Chart("column", "抜けた割合", ["事前準備なし"], [("送付", [0.23]), ("比較群", [0.29])])
    slide_spec = Slide(
        "5. メール施策",
        message="m",
        subtitle="前回のデータ以降の配信",
        table=Table(columns, rows, widths=[2.4, 0.7, 0.9, 0.7, 4.0]),
        chart=chart,
        stacked=True,
        footnote="95%信頼区間（Newcombe法）が0をまたぐ差は誤差の範囲",
    )
    deck = write_deck([slide_spec], tmp_path / "d.pptx")
    table = next(s.table for s in Presentation(str(deck)).slides[0].shapes if s.has_table)
    size = table.cell(1, 0).text_frame.paragraphs[0].runs[0].font.size.pt
    assert size >= 12, size


def test_a_cell_of_several_lines_breaks_as_powerpoint_reads_it(tmp_path: Path) -> None:
    """A line feed inside a run is no line break to PowerPoint: each line of a cell is a
    paragraph. A count said with its reasons stands at the right on every line, as a
    figure does (at the left, 「0」 of the column before and 「3」 read as 「03」)."""
    from pptx.enum.text import PP_ALIGN

    said = "3\nメールアドレスなし 2人\n休職・休業中 1人"
    rows = [
        ["セミナーのご案内", "0", said],
        ["付与のお知らせ", "0", "1\nメールアドレスなし 1人"],
        ["繰り返し未設定", "0", "0"],
    ]
    spec = Table(["配信", "比較群\n（送らない）", "宛先から除いた人数"], rows)
    deck = write_deck([Slide("5. メール", table=spec, message="m")], tmp_path / "d.pptx")
    table = next(s.table for s in Presentation(str(deck)).slides[0].shapes if s.has_table)
    for r in range(len(rows) + 1):
        for c in range(3):
            for paragraph in table.cell(r, c).text_frame.paragraphs:
                assert all("\n" not in run.text for run in paragraph.runs), (r, c)
    header = table.cell(0, 1).text_frame.paragraphs
    assert [p.text for p in header] == ["比較群", "（送らない）"]
    lines = table.cell(1, 2).text_frame.paragraphs
    assert [p.text for p in lines] == said.split("\n")
    for r in (1, 2, 3):
        assert {p.alignment for p in table.cell(r, 2).text_frame.paragraphs} == {PP_ALIGN.RIGHT}
    assert table.cell(1, 0).text_frame.paragraphs[0].alignment != PP_ALIGN.RIGHT


def test_long_japanese_in_a_cell_breaks_between_its_phrases(tmp_path: Path) -> None:
    """Left to PowerPoint, Japanese breaks at any character (「効果測定な / し」,
    「付 / 与のお知らせ」): a cell longer than its column is written a line per paragraph,
    broken between words and items, where that takes no more lines than PowerPoint's own
    wrapping would. Figures and text without Japanese are left as they are."""

    note = "対象がスタックポイントではないため効果測定なし"
    topics = "スキルや力の向上 3件 / 今後のキャリア 3件 / 人間関係 2件 / 非公開トピック 1件"
    english = "no holdout, no snapshot after the run, groups too small to show a difference"
    rows = [
        ["経営層との1on1権：付与のお知らせ", "77", note],
        ["セミナーのご案内：1on1をみんなどうやっているの？", "65", topics],
        ["繰り返し未設定", "9", english],
    ]
    spec = Table(["配信", "書き出し数", "効果"], rows, widths=[1.2, 0.6, 1.6])
    deck = write_deck([Slide("5. メール", table=spec, message="m")], tmp_path / "d.pptx")
    table = next(s.table for s in Presentation(str(deck)).slides[0].shapes if s.has_table)
    broken = 0
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            lines = [p.text for p in table.cell(r, c).text_frame.paragraphs]
            assert "".join(lines) == text, (r, c)  # every character kept, in order
            if len(lines) > 1:
                broken += 1
                assert breaks_between_words("\n".join(lines)), lines
                assert not any(line.startswith(("：", "？", "、", "）")) for line in lines[1:])
    assert broken >= 2  # the slide's narrow columns: at least the note and a title
    # A figure and a text without Japanese stay one paragraph, wrapped by PowerPoint.
    assert len(table.cell(1, 1).text_frame.paragraphs) == 1
    assert len(table.cell(3, 2).text_frame.paragraphs) == 1
    # The topics break after an item's 「 / 」, never between a topic and its count.
    topic_lines = [p.text for p in table.cell(2, 2).text_frame.paragraphs]
    assert all(line.rstrip().endswith(("件", "/")) for line in topic_lines), topic_lines


def cell_lines_of(table: Any, row: int, column: int) -> list[str]:
    return [p.text for p in table.cell(row, column).text_frame.paragraphs]


def test_where_the_slide_has_room_a_cell_takes_a_line_more_rather_than_break_a_word(
    tmp_path: Path,
) -> None:
    """The candidates' 備考 beside a wide topics column: left to PowerPoint, 「分散のため繰り上
    / げ（年代）」 and 「… 3件 / 人 / 間関係 2件」. With the slide's room it is written between
    words on a line more; the table is still whole on the slide, at one type size."""

    note = "分散のため繰り上げ（年代）"
    topics = "スキルや力の向上 3件 / 今後のキャリア 3件 / 人間関係 2件 / 非公開トピック 1件"
    rows = [[str(i), "営業本部", "13", "0.92", note, topics] for i in range(1, 4)]
    columns = ["順位", "事業部", "回数", "スコア", "備考", "主なトピック"]
    spec = Table(columns, rows, widths=[0.5, 2.4, 0.8, 0.8, 1.2, 4.4])
    deck = write_deck([Slide("8. 候補", table=spec, message="m")], tmp_path / "d.pptx")
    shape_ = next(s for s in Presentation(str(deck)).slides[0].shapes if s.has_table)
    table = shape_.table
    assert len(table.rows) == len(rows) + 1  # every row shown, no 「…ほか」 line
    assert inches(shape_.top + sum(r.height for r in table.rows)) <= 7.5 - 0.5
    sizes = {
        run.font.size.pt
        for r in range(len(rows) + 1)
        for c in range(len(columns))
        for p in table.cell(r, c).text_frame.paragraphs
        for run in p.runs
    }
    assert len(sizes) == 1
    for r in range(1, len(rows) + 1):
        for c in (4, 5):
            lines = cell_lines_of(table, r, c)
            assert "".join(lines) == rows[r - 1][c]  # every character kept, in order
            size = table.cell(r, c).text_frame.paragraphs[0].runs[0].font.size.pt
            usable = inches(table.columns[c].width) * 72 - 2 * 0.06 * 72
            if points_wide(rows[r - 1][c], size) > usable:  # PowerPoint would wrap it
                assert len(lines) > 1, (r, c)
                assert breaks_between_words("\n".join(lines)), lines
                assert not any(line.startswith(("）", "げ", "/")) for line in lines[1:])


def test_without_room_the_table_keeps_its_rows_and_size(tmp_path: Path) -> None:
    """A slide full of long rows: a line more for a cell is taken only while the table
    still fits; the rows shown and the type size are those the plain wrapping gives."""
    text = "対象がスタックポイントではないため効果測定なし、スキルや力の向上 3件 / 今後の"
    text += "キャリア 3件 / 人間関係 2件 / 非公開トピック 1件"
    for count in (6, 7):  # rows that fit, every one of them broken between words or not
        rows = [[f"セミナーのご案内 {i}", "65", text] for i in range(count)]
        spec = Table(["配信", "書き出し数", "効果"], rows, widths=[1.2, 0.6, 1.6])
        deck = write_deck([Slide("5. メール", table=spec, message="m")], tmp_path / "d.pptx")
        shape_ = next(s for s in Presentation(str(deck)).slides[0].shapes if s.has_table)
        assert len(shape_.table.rows) == count + 1  # every row, no 「…ほか」 line
        assert inches(shape_.top + sum(r.height for r in shape_.table.rows)) <= 7.5 - 0.5
        for r in range(1, count + 1):
            lines = cell_lines_of(shape_.table, r, 2)
            assert "".join(lines) == text
            assert len(lines) == 1 or breaks_between_words("\n".join(lines)), lines


CANDIDATES = [
    [
        "1",
        "営業本部",
        "13",
        "4.4",
        "0.92",
        "",
        "スキルや力の向上 3件 / 今後のキャリア 3件 / 人間関係 2件 / 非公開トピック 1件",
    ],
    [
        "2",
        "マーケティング本部",
        "13",
        "4.4",
        "0.91",
        "分散のため繰り上げ（年代）",
        "会社や部署の方針 4件 / 人間関係 3件 / 業務の進捗や進め方 3件 / 非公開トピック 1件",
    ],
    [
        "3",
        "製造本部",
        "13",
        "4.0",
        "0.88",
        "分散のため繰り上げ（年代）",
        "スキルや力の向上 3件 / 業務の進捗や進め方 2件 / 業績目標の進捗 2件 / 非公開トピック 1件",
    ],
    [
        "4",
        "管理本部",
        "13",
        "4.3",
        "0.92",
        "",
        "業務の進捗や進め方 3件 / 今後のキャリア 2件 / スキルや力の向上 1件 / 非公開トピック 4件",
    ],
    [
        "5",
        "開発本部",
        "13",
        "4.5",
        "0.89",
        "分散のため繰り上げ（事業部）",
        "スキルや力の向上 3件 / 業績目標の進捗 3件 / 業務の進捗や進め方 2件",
    ],
]


def test_a_cell_with_no_room_for_a_line_more_still_breaks_between_words(
    tmp_path: Path,
) -> None:
    """The demo's slide 8 (its five candidates as the deck lays them out): the last row
    has no room for its topics on a line more, and left to PowerPoint they broke 「業 /
    務の進捗」. In the lines PowerPoint takes anyway, kops breaks them between words, a
    count kept with its topic."""
    columns = [
        "順位",
        "事業部",
        "1on1実施数\n（直近90日）",
        "平均スッキリ度",
        "スコア",
        "備考",
        "主なトピック",
    ]
    spec = Table(columns, CANDIDATES, widths=[0.5, 2.4, 1.0, 1.0, 0.6, 1.9, 5.6])
    slide = Slide("8. 好事例インタビュー候補", table=spec, message="m", subtitle="s", footnote="f")
    deck = write_deck([slide], tmp_path / "d.pptx")
    table = next(s.table for s in Presentation(str(deck)).slides[0].shapes if s.has_table)
    for r, row in enumerate(CANDIDATES, start=1):
        lines = cell_lines_of(table, r, 6)
        assert "".join(lines) == row[6]
        assert len(lines) > 1 and breaks_between_words("\n".join(lines)), lines
        assert not any(line.lstrip()[:1].isdigit() for line in lines[1:]), lines


def test_a_column_with_room_to_spare_gives_it_to_the_wrapping_ones(tmp_path: Path) -> None:
    """A wide 事業部 beside a narrow text column: the room past 事業部's longest name goes
    to the text, so 「77通（未送信）」 stays on one line."""
    rows = [["経営層との 1on1 権", "78人", "77通（未送信）"]]
    spec = Table(["キャンペーン", "付与済み", "付与のお知らせ"], rows, widths=[6.0, 1.0, 1.0])
    deck = write_deck([Slide("7. キャンペーン", table=spec, message="m")], tmp_path / "d.pptx")
    table = next(s.table for s in Presentation(str(deck)).slides[0].shapes if s.has_table)
    widths = [inches(c.width) for c in table.columns]
    assert abs(sum(widths) - (13.333 - 1)) < 0.02  # the slide's width, shared out
    size = table.cell(1, 2).text_frame.paragraphs[0].runs[0].font.size.pt
    usable = widths[2] * 72 - 2 * 0.06 * 72
    assert points_wide(rows[0][2], size) <= usable
    assert cell_lines_of(table, 1, 2) == [rows[0][2]]
    # The giving column still holds its longest line.
    assert points_wide(rows[0][0], size) <= widths[0] * 72 - 2 * 0.06 * 72


def test_a_title_too_long_for_a_line_breaks_after_its_sentence(tmp_path: Path) -> None:
    """「…出席しなかった / 人 10/47人」: a title the renderer wrapped where its line ended.
    One too long for a line is two, broken after 「。」, each within the slide's width at
    its size; the rule and what follows are below both lines. A short one stays whole."""
    long = (
        "招待65人のうち出席17人（ほかに招待外の参加6人）。"
        "次の段階に進んだのは出席した人4/17人、出席しなかった人10/47人"
    )
    deck = write_deck(
        [Slide("6. セミナー", message=long, bullets=["b"]), Slide("1. 短い", message="短い題")],
        tmp_path / "d.pptx",
    )
    first, second = Presentation(str(deck)).slides
    title = first.shapes.title
    lines = [p.text for p in title.text_frame.paragraphs]
    cut = long.index("。") + 1
    assert lines == [long[:cut], long[cut:]]
    size = title.text_frame.paragraphs[0].runs[0].font.size.pt
    assert size <= 20
    room = inches(title.width) * 72
    assert all(points_wide(line, size) <= room for line in lines)
    # Everything else starts below the two lines as Meiryo draws them (1.5 em a line).
    bottom = inches(title.top) + 2 * size * 1.5 / 72
    others = [s for s in first.shapes if s.shape_id != title.shape_id and s.name != "Topic"]
    assert others and all(inches(s.top) >= bottom for s in others if inches(s.top) < 7)
    assert [p.text for p in second.shapes.title.text_frame.paragraphs] == ["短い題"]


def test_a_tiles_long_label_stays_on_one_line_above_its_figure(tmp_path: Path) -> None:
    """「部下1人あたり月間1on1数（直近30日）」 wrapped in its tile, broke 「直 / 近30日」 and ran
    into the figure below. A long label is set smaller (never under 12 pt) to fit its line;
    a short one keeps 15 pt."""
    from kakeai_ops.outputs.review_pptx import Tile

    long = "部下1人あたり月間1on1数（直近30日）"
    tiles = [Tile("人数", "252", "↓ -2"), Tile(long, "2.4", "→ ±0.0")]
    deck = write_deck([Slide("1. サマリー", tiles=tiles, message="m")], tmp_path / "d.pptx")
    slide = Presentation(str(deck)).slides[0]
    labels = {s.text_frame.text: s for s in slide.shapes if s.has_text_frame and s.text_frame.text}
    for text, size in (("人数", 15), (long, None)):
        box = labels[text]
        points = box.text_frame.paragraphs[0].runs[0].font.size.pt
        assert points == size if size else 12 <= points < 15
        assert points_wide(text, points) <= (inches(box.width) - 0.2) * 72
