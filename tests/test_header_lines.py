"""Headers broken between words, never inside one: the word pieces and the lines."""

from __future__ import annotations

import itertools

import pytest

from kakeai_ops.outputs.header_lines import (
    breaks_between_words,
    label_lines,
    lines,
    longest_word,
    phrase_lines,
    words,
)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("実施率の推移", ("実施率の", "推移")),  # was printed 「実施率の推/移」
        ("平均スッキリ度", ("平均", "スッキリ度")),  # was 「平均スッキ/リ度」
        ("スッキリ度入力率", ("スッキリ度", "入力率")),
        ("1on1実施数", ("1on1", "実施数")),  # was 「1on1実施/数」
        ("週カバー率", ("週", "カバー率")),
        ("スタックポイント", ("スタックポイント",)),
        ("未ログイン", ("未ログイン",)),
        ("連続週数（部下として）", ("連続", "週数", "（部下として）")),
        ("話を聞いてほしい", ("話を", "聞いて", "ほしい")),
        # A date is one word: 「2026年 / 6月」 and 「11月 / 20日」 printed.
        ("2026年11月（20日まで）", ("2026年11月", "（20日まで）")),
        ("2026年8月23日〜11月20日", ("2026年8月23日", "〜", "11月20日")),
        # A question or exclamation mark ends its line, never starts one.
        ("どうやっているの？", ("どうやっているの？",)),
        ("やってみよう！", ("やってみよう！",)),
    ],
)
def test_words_keep_what_a_reader_keeps_together(text: str, pieces: tuple[str, ...]) -> None:
    assert words(text) == pieces
    assert "".join(words(text)) == text


def test_lines_break_between_words_and_give_the_header_back() -> None:
    rate = "1on1実施率（部下・直近90日）"
    assert lines(rate, 18) == ["1on1実施率", "（部下・直近90日）"]  # the bracket kept whole
    assert lines(rate, 10) == ["1on1実施率", "（部下・", "直近90日）"]
    assert lines("平均スッキリ度", 16) == ["平均スッキリ度"]
    # A word wider than the room has a line of its own, never cut.
    assert lines("平均スッキリ度", 4) == ["平均", "スッキリ度"]
    assert longest_word("平均スッキリ度") == 10
    # A space between words stays on the line it ends, so the lines give the text back.
    assert "".join(lines("キー（--format json）", 10)) == "キー（--format json）"


def test_a_break_inside_a_word_is_seen() -> None:
    assert breaks_between_words("実施率の\n推移")
    assert not breaks_between_words("実施率の推\n移")
    assert not breaks_between_words("平均スッキ\nリ度")
    assert breaks_between_words("推移")


@pytest.mark.parametrize(
    ("label", "room", "expected"),
    [
        ("管理本部・経営企画室", 18.9, ["管理本部・", "経営企画室"]),  # not 管理本部・経営 / 企画室
        ("その他の部署（2部署）", 16.8, ["その他の部署", "（2部署）"]),
        ("具体的なアドバイスがほしい", 18.9, ["具体的な", "アドバイスがほしい"]),
        ("業務の進捗や進め方", 16.8, ["業務の進捗や", "進め方"]),
        ("2026年11月（20日まで）", 18.9, ["2026年11月", "（20日まで）"]),
        ("第一工場・その他の部署（1部署）", 18.9, ["第一工場・", "その他の部署", "（1部署）"]),
        ("営業本部", 16.8, ["営業本部"]),
    ],
)
def test_a_row_label_breaks_where_a_name_breaks(
    label: str, room: float, expected: list[str]
) -> None:
    assert label_lines(label, room) == expected


def test_the_width_for_a_header_is_the_narrowest_that_takes_its_lines() -> None:
    # width_for is remembered per text and count: each answer must be its own text's.
    from kakeai_ops.outputs.header_lines import display_width, width_for

    texts = ["1on1実施率（部下・直近90日）", "平均スッキリ度", "実施率の推移", "事前準備率"]
    for _ in range(2):  # asked again, as a book's sheets ask: the same answers
        for text in texts:
            for count in (1, 2, 3):
                width = width_for(text, count)
                assert len(lines(text, width)) <= count
                assert width == longest_word(text) or len(lines(text, width - 1)) > count
                assert width <= display_width(text)
    assert len({width_for(t, 2) for t in texts}) > 1


@pytest.mark.parametrize(
    ("title", "room"),
    [
        # A mail's 名称 on sheet 5 of the review workbook: printed 「付 / 与のお知らせ」,
        # 「上司向 / け」 and a line that started with 「：」 or 「？」 when left to wrap.
        ("経営層との1on1権：付与のお知らせ", 15.0),
        ("繰り返し未設定・上司向け（2026年11月）", 15.0),
        ("セミナーのご案内：1on1をみんなどうやっているの？", 15.0),
        ("まだ測定できません（送信後のデータがまだありません）", 15.0),
    ],
)
def test_a_phrase_text_breaks_between_words_and_no_line_starts_with_a_mark(
    title: str, room: float
) -> None:
    broken = phrase_lines(title, room)
    assert len(broken) > 1 and "".join(broken) == title
    assert breaks_between_words("\n".join(broken))
    assert not any(line[0] in "：:？?！!、。・）" for line in broken[1:])


HEADING = (
    "対象：開発本部（製品開発部・品質保証部）　期間：2026年8月23日〜"
    "11月20日（前期間 2026年5月25日〜8月22日 と比較）　基準日：2026-11-20"
)


@pytest.mark.parametrize("room", [40, 60, 80, 100])
def test_a_note_breaks_between_its_parts_never_inside_a_date(room: int) -> None:
    """A report's heading line wrapped by Excel read 「基準日：2026- / 11-20」 and 「2026年5月25 /
    日」: it is written on lines that end after a part (the wide space), a clause (、, 。) or
    before a bracket, each within the room where its pieces allow."""
    from kakeai_ops.outputs.header_lines import display_width, note_lines

    shown = note_lines(HEADING, room)
    assert "".join(shown) == HEADING  # every character kept, in order
    assert len(shown) > 1
    for line, after in itertools.pairwise(shown):
        assert line.endswith(("　", "、", "。", "・")) or after.startswith("（"), (line, after)
    for date in ("2026-11-20", "2026年5月25日", "2026年8月23日"):
        assert any(date in line for line in shown), (date, shown)
    for line in shown:  # a space ending a line is unseen
        assert display_width(line.rstrip()) <= room or len(words(line.strip())) == 1, line


@pytest.mark.parametrize("room", [50, 60, 80])
def test_a_name_quoted_in_a_note_stays_on_one_line(room: int) -> None:
    """The merge note read 「人事部・その他の部署 / （2部署）」: broken before the bracket inside
    the quoted row name. A quoted name that fits a line is never broken."""
    from kakeai_ops.outputs.header_lines import note_lines

    name = "「人事部・その他の部署（2部署）」"
    note = (
        "管理本部・経営企画室：5人未満の部署（部署未設定、経営企画室）は人事部と合わせて"
        f"{name}として表示しています。"
    )
    shown = note_lines(note, room)
    assert "".join(shown) == note and len(shown) > 1
    assert any(name in line for line in shown), shown


def test_a_note_that_fits_is_one_line() -> None:
    from kakeai_ops.outputs.header_lines import note_lines

    assert note_lines("基準日：2026-11-20", 40) == ["基準日：2026-11-20"]


def test_a_cell_broken_between_words_keeps_each_figure_with_its_words() -> None:
    """Where item breaks alone take a line more than the renderer's wrapping, a slide's
    cell breaks between words, a count with its topic and 「95%」 with 「信頼区間」."""
    from kakeai_ops.outputs.header_lines import (
        breaks_between_words,
        cell_word_lines,
        display_width,
    )

    text = "スキルや力の向上 3件 / 業績目標の進捗 3件 / 業務の進捗や進め方 2件"
    for room in (24, 30, 40, 50):
        broken = cell_word_lines(text, room)
        assert "".join(broken) == text
        assert all(display_width(line.rstrip()) <= room for line in broken)
        assert breaks_between_words("\n".join(broken))
        assert not any(line.lstrip()[:1].isdigit() for line in broken[1:])  # 「3件」 kept
    said = "差は誤差の範囲（−5.5pt、95%信頼区間 −35.5pt〜+26.5pt、有意差なし）"
    assert not any(line.endswith("95%") for line in cell_word_lines(said, 30))
