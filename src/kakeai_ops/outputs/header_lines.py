"""Where a header may break: between words, never inside one.

Excel and LibreOffice wrap Japanese text at any character, so a header given a column
too narrow for it reads 「実施率の推/移」 or 「平均スッキ/リ度」. A header that needs more than
one line is written with its line breaks (as Alt+Enter does in Excel), each at a word
boundary found by the Sudachi morphological analyser (already used for survey text),
with the pieces a reader keeps together glued back:

- a particle, auxiliary or suffix goes with the word before it (実施率の / 推移, 選んだ),
  and so does a dependent verb (部下として), but not ほしい (話を / 聞いて / ほしい);
- a one-character noun after a word is its suffix (スッキリ度, 入力率, 90日, 2026年);
- a prefix goes with the word after it (未ログイン);
- katakana written together stay one word (スタックポイント, メールアドレス);
- letters and digits written together stay one word (1on1);
- a closing bracket or a separator (・ / 、) ends the line it is on, an opening bracket
  starts the next (1on1実施率 / （部下・直近90日）).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

_OPENING = "（(「『［[〈《【"
_CLOSING = "）)」』］]〉》】、。，,・/／:：%％？！?!"
_ATTACHED_POS = frozenset({"助詞", "助動詞", "接尾辞"})


def display_width(text: str) -> int:
    """East Asian characters take two columns in Excel."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.B)


# A piece that ends a year or a month in figures (「2026年」, 「〜11月」): the day or month
# after it belongs to it.
_DATE_PART = re.compile(r"[0-9０-９][年月]$")


def _katakana(text: str) -> bool:
    return bool(text) and all("ァ" <= ch <= "ヺ" or ch == "ー" for ch in text)


def _ascii(text: str) -> bool:
    """Letters, digits and signs written together (1on1, --format)."""
    return bool(text) and text.isascii() and not any(ch.isspace() for ch in text)


def _kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch == "々"


@lru_cache(maxsize=4096)
def morphemes(text: str) -> tuple[str, ...]:
    """The text's smallest units as Sudachi finds them, nothing glued (「スタック｜ポイント」):
    where a word too long for its line may break rather than at any character."""
    return tuple(m.surface() for m in _tokenizer().tokenize(text)) if text.strip() else (text,)


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """The pieces of one line of ``text`` that a line break may separate; joined they
    give ``text`` back."""
    if not text.strip():
        return (text,) if text else ()
    pieces: list[str] = []
    glue_next = False  # the piece before asked to go with this one (a prefix, an opening)
    for morpheme in _tokenizer().tokenize(text):
        surface = morpheme.surface()
        pos = morpheme.part_of_speech()
        before = pieces[-1] if pieces else ""
        attaches = (
            bool(before)
            and (
                glue_next
                or pos[0] in _ATTACHED_POS
                or (pos[1] == "非自立可能" and pos[0] == "動詞")  # 部下として, データにいる
                or surface[0] in _CLOSING
                or (len(surface) == 1 and _kanji(surface) and not before.endswith(tuple(_CLOSING)))
                or (_katakana(surface) and _katakana(before[-1]))
                or (_ascii(surface) and _ascii(before[-1]))
                # A date is one word: 「2026年 / 6月」 and 「11月 / 20日」 printed.
                or (surface[:1].isdigit() and _DATE_PART.search(before) is not None)
            )
        )
        if attaches:
            pieces[-1] = before + surface
        else:
            pieces.append(surface)
        glue_next = pos[0] == "接頭辞" or surface[-1] in _OPENING or surface.isspace()
    return tuple(pieces)


def longest_word(text: str) -> int:
    """The display width of the widest piece that no line break may split."""
    return max(
        (display_width(w.strip()) for part in text.split("\n") for w in words(part)), default=0
    )


def lines(text: str, room: float) -> list[str]:
    """``text`` broken into lines of at most ``room`` display columns, at word boundaries
    only (a word wider than ``room`` has a line of its own); breaks already in the text
    are kept."""
    return [line for part in text.split("\n") for line in _filled(words(part), room)]


def cell_word_lines(text: str, room: float) -> list[str]:
    """As ``lines``, a figure kept with the words beside it (「業績目標の進捗 3件」 and
    「95%信頼区間」, never 「業績目標の進捗 / 3件」 nor 「95% / 信頼区間」): for a table cell
    that item breaks alone would make a line longer than the renderer's own wrapping."""
    result: list[str] = []
    for part in text.split("\n"):
        pieces: list[str] = []
        for piece in words(part):
            after_figure = bool(pieces) and pieces[-1][-1:] in "0123456789%" and piece[:1] != " "
            if pieces and (piece.strip()[:1].isdigit() or after_figure):
                pieces[-1] += piece
            else:
                pieces.append(piece)
        result.extend(_filled(tuple(pieces), room))
    return result


def _filled(pieces: tuple[str, ...], room: float) -> list[str]:
    """One line of text, as its ``pieces``, in lines of at most ``room`` display columns."""
    result: list[str] = []
    line, used = "", 0  # the line so far, and its width without leading spaces
    for piece in _groups(pieces, room):
        if line.strip() and used + display_width(piece.rstrip()) > room:
            # A space between the words stays at the end of the line (unseen), so the
            # lines joined give the header back.
            body = piece.lstrip()
            result.append(line + piece[: len(piece) - len(body)])
            line, used = body, display_width(body)
        elif line.strip():
            line += piece
            used += display_width(piece)
        else:  # only spaces so far: the line starts with this piece
            line += piece
            used = display_width(line.lstrip())
    result.append(line)
    return result


# Where a name breaks first: after 「・」 (管理本部・ / 経営企画室), before an opening bracket
# (その他の部署 / （2部署）).
_NAME_BREAKS = re.compile(r"(?<=・)|(?=[（(])")
# …and a sentence kops writes of phrases: after 「、」, a space or a slash too.
_PHRASE_BREAKS = re.compile(r"(?<=[・、，,／ ])|(?=[（(])")


def label_lines(text: str, room: float) -> list[str]:
    """A row's label (a 部署, a topic, a month) in lines of at most ``room`` display
    columns: first where a name breaks (``_NAME_BREAKS``), then between words (具体的な /
    アドバイスがほしい), so never 「管理本部・経営 / 企画室」 as filling words would."""
    return _broken(text, room, _NAME_BREAKS)


def phrase_lines(text: str, room: float) -> list[str]:
    """A text of phrases (「90日で13回（週カバー率 100%）、平均スッキリ度 4.4、…」, 「未ログイン・
    ペア未成立・…」) in lines of at most ``room``: between its phrases first, then between
    words; never 「平均ス / ッキリ度」 nor a line that starts with 「・」."""
    return [line.rstrip(" ") for line in _broken(text, room, _PHRASE_BREAKS)]


# …and a table cell of a slide, where a plain space joins a word to its count (「今後の
# キャリア 3件」): after 「、」「・」 or a spaced slash between items (「… 3件 / 人間関係 2件」).
_CELL_BREAKS = re.compile(r"(?<= / )|(?<=[・、，,／])|(?=[（(])")


def cell_lines(text: str, room: float) -> list[str]:
    """A slide's table cell in lines of at most ``room``: between its items and phrases
    first, then between words, so never 「効果測定な / し」 nor 「付 / 与のお知らせ」. A space
    where a line ends stays on it (unseen), so the lines joined give the text back."""
    return _broken(text, room, _CELL_BREAKS)


# …and a note under a table or a sheet's heading: after a sentence, a clause or the wide
# space between its parts (「対象：…　期間：…　基準日：2026-11-20」), so never 「2026- / 11-20」.
_NOTE_BREAKS = re.compile(r"(?<=[。、・　])|(?=[（(])")


def note_lines(text: str, room: float) -> list[str]:
    """A note in lines of at most ``room`` display columns, broken between its sentences,
    clauses and parts first, then between words; the lines joined give the text back."""
    return _broken(text, room, _NOTE_BREAKS, around_quotes=True)


# …and a list of reasons (選んだ理由): after 「、」 only, between two reasons.
_LIST_BREAKS = re.compile(r"(?<=、)")


def items(text: str) -> list[str]:
    """The reasons of a list kops writes (「90日で13回、週カバー率 100%、…」), each with
    its 「、」."""
    return [item for item in _LIST_BREAKS.split(text) if item]


def list_lines(text: str, room: float) -> list[str]:
    """A list of reasons in lines of at most ``room``, broken between two reasons only; a
    reason wider than a line (a long topic) has lines of its own, broken between words."""
    return _broken(text, room, _LIST_BREAKS)


def _broken(
    text: str, room: float, breaks: re.Pattern[str], around_quotes: bool = False
) -> list[str]:
    if display_width(text) <= room:
        return [text]
    result: list[str] = []
    line = ""
    for segment in _quotes_whole((s for s in breaks.split(text) if s), around_quotes):
        if line and display_width(line + segment) > room:
            result.append(line)
            line = ""
        if not line and display_width(segment) > room:
            *whole, line = lines(segment, room)
            result.extend(whole)
        else:
            line += segment
    if line:
        result.append(line)
    return result


def _quotes_whole(segments: Iterable[str], around: bool = False) -> list[str]:
    """The segments, those inside a 「…」 joined into one: a name quoted in a note
    (「人事部・その他の部署（2部署）」) is read as one, never broken before its bracket.
    ``around``: a line may also break just before and after the quote (a note; a list
    breaks between its items only)."""
    joined: list[str] = []
    depth = 0
    pieces = (
        (p for segment in segments for p in re.split(r"(?=「)|(?<=」)", segment) if p)
        if around
        else segments
    )
    for segment in pieces:
        if depth > 0 and joined:
            joined[-1] += segment
        else:
            joined.append(segment)
        depth = max(depth + segment.count("「") - segment.count("」"), 0)
    return joined


def breaks_between_words(shown: str) -> bool:
    """Whether a header written on several lines breaks only where ``lines`` may."""
    text = shown.replace("\n", "")
    ends, position = set(), 0
    for piece in words(text):
        position += len(piece)
        ends.add(position)
        ends.add(position - (len(piece) - len(piece.rstrip())))
    position = 0
    for line in shown.split("\n")[:-1]:
        position += len(line)
        if position not in ends and position - (len(line) - len(line.rstrip())) not in ends:
            return False
    return True


def _groups(pieces: tuple[str, ...], room: float) -> list[str]:
    """The pieces, a bracketed phrase that fits in ``room`` as one (「1on1実施率 /
    （部下・直近90日）」 rather than 「1on1実施率（部下・ / 直近90日）」)."""
    result: list[str] = []
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        end = index
        if piece.lstrip()[:1] in _OPENING:
            while end + 1 < len(pieces) and not pieces[end].rstrip().endswith(
                tuple(")）」』]］〉》】")
            ):
                end += 1
        group = "".join(pieces[index : end + 1])
        if end > index and display_width(group.strip()) <= room:
            result.append(group)
            index = end + 1
        else:
            result.append(piece)
            index += 1
    return result


# A sheet asks it of each header twice (roomy and tight) and a book's sheets share their
# headers: each text and count is worked out once.
@lru_cache(maxsize=4096)
def width_for(text: str, count: int) -> int:
    """The narrowest display width at which ``text`` takes at most ``count`` lines."""
    low = longest_word(text)
    high = max((display_width(part) for part in text.split("\n")), default=0)
    if low >= high:
        return high
    # Fewer lines the wider the room: the narrowest that takes ``count``, by halving.
    while low < high:
        middle = (low + high) // 2
        if len(lines(text, middle)) <= count:
            high = middle
        else:
            low = middle + 1
    return low
