"""A table that fits the terminal it is printed on, breaking lines where a Japanese
reader would.

Rich folds a cell too wide for its column at any character: at 120 columns
「エンジニア・20代」 came out as 「エンジニア・2」 over 「0代」, an id as 「（0」 over
「00132）」, a date as 「2026-1」 over 「0-20」: each line then says something untrue.
Here a cell breaks only between pieces: at a space, after a separator (〜 ・ / 、
）), before an opening bracket, and inside a long run of kana and kanji; a number or
an id with what is attached to it (「20代」「13/13週」「2026-10-20」「000132」) and a
short word (a name, 「エンジニア」) stay whole. The columns get the room they need
for their widest piece and share the rest; a table that cannot keep its pieces whole
at this width is printed one row at a time, each figure under its header, instead.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.table import Table
from rich.text import Text

# Kept together: letters, digits and what joins them in numbers, dates, times, ids,
# file names and addresses, with a unit written right after a number (「20代」「3件」).
_ATOM = re.compile(
    r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ_.,:@%％+\-#'&=?!/]+"
    r"(?:[代週種回人件日月年時分秒名組歳点位円]|pt)?"
)
# A line may break after these (they end what they follow) …
_BREAK_AFTER = set("〜~／/・、，,）)」』】〕]；;：。")
# … must not start with these (禁則: small kana, the long vowel mark) …
_NO_LINE_START = set("ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々？！?!")
# … and may break before these.
_OPENING = set("（(「『【〔[")
# A run of kana and kanji this long is cut into its phrases (BudouX: 「スッキリ度｜入力率」,
# 「分散の｜ため｜繰り上げ」); a shorter one (a name, 「エンジニア」) stays whole.
LONG_RUN = 7
# A header is read once per column: a word of it longer than this many cells is broken
# between its parts (「スタック/ポイント」) rather than widen its column further.
HEADER_CELLS = 10
# Breaking words, a column still shows this many cells a line (four kanji), or the
# table is printed one row at a time.
READABLE = 8


def pieces(text: str, loose: bool = False) -> list[str]:
    """The text cut where a line may break; joined, the pieces are the text. ``loose``:
    a long run of kana and kanji may break between any two characters (禁則 kept), not
    only between its phrases; numbers, ids, dates and short words still stay whole."""
    out: list[str] = []
    current = ""

    def cut() -> None:
        nonlocal current
        if current:
            out.append(current)
        current = ""

    position = 0
    while position < len(text):
        char = text[position]
        atom = _ATOM.match(text, position)
        if atom is not None:
            current += atom.group()
            position = atom.end()
            if atom.group()[-1] in _BREAK_AFTER:
                cut()
            continue
        if char.isspace():
            current += char
            cut()
        elif char in _OPENING:
            cut()
            current += char
        elif char in _BREAK_AFTER:
            current += char
            cut()
        elif char in _NO_LINE_START:
            current += char
        else:
            end = position
            while end < len(text) and _in_run(text[end]) and not _ATOM.match(text, end):
                end += 1
            run = text[position:end]
            if len(run) < LONG_RUN:
                current += run  # a name, a short word: whole even when loose
            else:
                phrases = list(run) if loose else _phrases(run)
                current += phrases[0]
                for phrase in phrases[1:]:
                    if phrase[0] in _NO_LINE_START:
                        current += phrase
                        continue
                    cut()
                    current += phrase
            position = end
            continue
        position += 1
    cut()
    return out


def _in_run(char: str) -> bool:
    return not (char.isspace() or char in _OPENING or char in _BREAK_AFTER)


_parser: Any = None


def _phrases(run: str) -> list[str]:
    """A long run of kana and kanji in the phrases a reader sees in it."""
    global _parser
    if _parser is None:
        import budoux

        _parser = budoux.load_default_japanese_parser()
    return [p for p in _parser.parse(run) if p] or [run]


@lru_cache(maxsize=8192)  # a list repeats its 事業部 and stuck points on every row
def _longest(text: str, loose: bool = False) -> int:
    widths = [
        cell_len(piece.rstrip()) for line in text.split("\n") for piece in pieces(line, loose)
    ]
    return max(widths, default=0)


def header_words(line: str) -> tuple[str, ...]:
    """A header's line in its words (「繰り返し｜未設定」, 「定着の｜割合」), as a workbook's
    headers break: a header is read once per column, and a word broken in it
    (「繰り返し未/設定」, 「定着の割/合」) misreads the whole column."""
    from ..outputs.header_lines import words

    return words(line)


@lru_cache(maxsize=1024)
def _longest_word(header: str) -> int:
    return max(
        (cell_len(w.strip()) for line in header.split("\n") for w in header_words(line)),
        default=0,
    )


@lru_cache(maxsize=1024)
def _two_lines(header: str) -> int:
    """The width that holds each line of a header in two lines at most, broken between
    words (「事前準備/なし」 rather than 「事前/準備/なし」)."""
    most = 2 * len(header.split("\n"))
    low = _longest_word(header)
    high = max(low, max(cell_len(line) for line in header.split("\n")))
    while low < high:  # fewer lines the wider: the narrowest width that is two lines
        middle = (low + high) // 2
        if len(wrap(header, middle, header=True)) > most:
            low = middle + 1
        else:
            high = middle
    return low


def wrap(text: str, width: int, loose: bool = False, header: bool = False) -> list[str]:
    """The text in lines of at most ``width`` cells, broken between pieces (a header:
    between its words). ``loose`` or a header: a piece wider than the line is broken
    between its words (「マーケティング/本部」), a word between its parts, and only a part
    wider still is folded."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        parts = header_words(paragraph) if header else pieces(paragraph)
        lines.append(_fill(parts, width, lines, SPLITS if loose or header else ()).rstrip())
    return lines


def _morphemes(word: str) -> Iterable[str]:
    """A word too long for its line in its smallest units (「スタック｜ポイント」)."""
    from ..outputs.header_lines import morphemes

    return morphemes(word)


# How a part too wide for its line is broken, before it is folded at any character: into
# its words, then a word into its smallest units.
SPLITS: tuple[Callable[[str], Iterable[str]], ...] = (header_words, _morphemes)


def _fill(
    parts: Iterable[str],
    width: int,
    lines: list[str],
    splits: tuple[Callable[[str], Iterable[str]], ...] = (),
) -> str:
    """As many parts a line as fit; a part wider than the line is broken by the first of
    ``splits`` that cuts it, or, wider still, folded (禁則 kept). Full lines go to
    ``lines``; the last, partial, is returned."""
    line = ""
    for part in parts:
        if cell_len((line + part).rstrip()) <= width:
            line += part
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = part.lstrip()
        for index, split in enumerate(splits):
            if cell_len(line.rstrip()) <= width:
                break
            pieces = _bracketed(tuple(split(line)))
            if len(pieces) > 1:
                line = _fill(pieces, width, lines, splits[index + 1 :])
                break
        while cell_len(line.rstrip()) > width:  # fold what cannot fit at all
            cut = _fold_at(line, width)
            lines.append(line[:cut])
            line = line[cut:]
    return line


_CLOSING = set("）)」』】〕]")


def _bracketed(parts: tuple[str, ...]) -> tuple[str, ...]:
    """Parts with a bracket alone (「（」「送ら」「ない」「）」) joined to the part it belongs
    to (「（送ら」「ない）」): a closing bracket never starts a line, an opening one never
    ends one (「比較群 / （送らない / ）」 read as a stray mark)."""
    joined: list[str] = []
    opening = ""
    for part in parts:
        if part and all(char in _OPENING for char in part):
            opening += part
            continue
        part, opening = opening + part, ""
        if joined and part and all(char in _CLOSING for char in part.rstrip()):
            joined[-1] += part
        else:
            joined.append(part)
    if opening:
        if joined:
            joined[-1] += opening
        else:
            joined.append(opening)
    return tuple(joined)


def _fold_at(text: str, width: int) -> int:
    """Where to fold a piece wider than the line: as many characters as fit, fewer if
    the next line would start with a mark that may not start one (禁則)."""
    used, index = 0, len(text)
    for position, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            index = max(position, 1)
            break
    while 1 < index < len(text) and (text[index] in _NO_LINE_START or text[index] in _BREAK_AFTER):
        index -= 1
    return index


class FittedTable(Table):
    """A Rich table whose cells break between pieces, or, too narrow for that, one row at a
    time. Cells must be text (str or Text); a cell's styles apply to its whole text."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        cells = [[_plain(c) for c in column._cells] for column in self.columns]
        if any(c is None for column in cells for c in column) or not self.columns:
            yield from Table.__rich_console__(self, console, options)
            return
        texts: list[list[str]] = [[c for c in column if c is not None] for column in cells]
        headers = [_plain(column.header) or "" for column in self.columns]
        room = options.max_width - self._extra_width
        room -= sum(self._get_padding_width(i) for i in range(len(self.columns)))
        natural = [
            max([cell_len(line) for t in [h, *column] for line in t.split("\n")] or [0])
            for h, column in zip(headers, texts, strict=True)
        ]
        if sum(natural) <= room:
            yield from Table.__rich_console__(self, console, options)
            return
        # Words whole if the width allows, else only figures whole (a word may break
        # where Japanese text may), else one row at a time.
        for loose in (False, True):
            least = [
                max(
                    min(_longest_word(h), HEADER_CELLS),
                    *(_longest(t, loose) for t in set(column)),
                    1,
                )
                for h, column in zip(headers, texts, strict=True)
            ]
            if sum(least) <= room:
                break
        else:
            yield from self._records(console, options, headers, texts)
            return
        headed = [_longest_word(h) for h in headers]
        # Loose, the room goes first to keeping the cells' words whole, as far as it lasts.
        words = [max((_longest(t) for t in set(column)), default=1) for column in texts]
        # Before whole phrases, whole words: 「マーケティング/本部」, never 「マーケティ/ング本部」.
        whole = [
            max((min(_longest_word(t), _longest(t)) for t in set(column)), default=1)
            for column in texts
        ]
        paired = [_two_lines(h) for h in headers]
        goals = [whole, words, headed, paired, natural] if loose else [headed, paired, natural]
        widths = _share(least, goals, natural, room)
        if loose and any(w < min(g, READABLE) for w, g in zip(widths, words, strict=True)):
            # A column of one or two characters a line is read down, not across.
            yield from self._records(console, options, headers, texts)
            return
        fitted = copy.copy(self)
        fitted.columns = [
            replace(
                column,
                header=_rewrapped(column.header, headers[i], widths[i], loose, header=True),
                _cells=[
                    _rewrapped(cell, text, widths[i], loose)
                    for cell, text in zip(column._cells, texts[i], strict=True)
                ],
                width=widths[i],
                min_width=None,
                max_width=None,
                no_wrap=True,
                overflow="fold",
            )
            for i, column in enumerate(self.columns)
        ]
        yield from Table.__rich_console__(fitted, console, options)

    def _records(
        self,
        console: Console,
        options: ConsoleOptions,
        headers: list[str],
        texts: list[list[str]],
    ) -> Iterator[Any]:
        """Each row as lines of 「header: value」, rows apart."""
        width = max(options.max_width, 20)
        if self.title:
            yield _as_text(self.title)
        names = [" ".join(h.split()) for h in headers]
        for row in range(self.row_count):
            yield Text("─" * min(width, 40), style="dim")
            for name, column in zip(names, texts, strict=True):
                if not column[row].strip():
                    continue  # an empty cell: nothing to read under its header
                label = f"{name}: " if name else ""
                indent = min(cell_len(label), width // 2)
                lines = wrap(column[row], max(width - indent, 8)) or [""]
                yield Text(label + lines[0])
                for more in lines[1:]:
                    yield Text(" " * indent + more)
        if self.caption:
            yield _as_text(self.caption)


def _share(least: list[int], goals: list[list[int]], natural: list[int], room: int) -> list[int]:
    """Widths from each column's least: the room left goes toward each goal in turn (words
    whole, headers whole, every line whole): first whole to the columns that need least
    to reach it (「なし」 whole before a long 部署 name is), then, one cell at a time, to
    the column furthest from it."""
    widths = list(least)
    spare = room - sum(widths)
    for goal in goals:
        target = [min(g, n) for g, n in zip(goal, natural, strict=True)]
        for i in sorted(range(len(widths)), key=lambda i: (target[i] - widths[i], i)):
            short = target[i] - widths[i]
            if 0 < short <= spare:
                widths[i] += short
                spare -= short
        while spare > 0:
            wanting = [i for i, w in enumerate(widths) if w < target[i]]
            if not wanting:
                break
            neediest = max(wanting, key=lambda i: (target[i] - widths[i]) / target[i])
            widths[neediest] += 1
            spare -= 1
    return widths


def _plain(cell: Any) -> str | None:
    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, str):
        return Text.from_markup(cell).plain
    return None


def _as_text(value: Any) -> Any:
    return value if not isinstance(value, str) else Text.from_markup(value)


def _rewrapped(cell: Any, text: str, width: int, loose: bool, header: bool = False) -> Text:
    style = cell.style if isinstance(cell, Text) else ""
    justify = cell.justify if isinstance(cell, Text) else None
    return Text("\n".join(wrap(text, width, loose, header)), style=style, justify=justify)


# A numbered or bulleted item: its continuation lines start under its text.
_ITEM = re.compile(r" *(?:\d+\.|[-・•]) +")


def folded(text: Text, width: int) -> Text:
    """Text whose lines are longer than the terminal, broken where Japanese text may
    (a continuation line starts where its first line's text does, after 「1. 」 in a
    numbered item): the terminal would
    otherwise break them at any character, 「4.」 at the end of one line and 「4」 on
    the next."""
    lines: list[Text] = []
    for line in text.split("\n"):
        plain = line.plain
        if cell_len(plain) <= width:
            lines.append(line)
            continue
        marker = _ITEM.match(plain)  # 「1. 」「・」: the text after it is the item's
        indent = len(marker.group()) if marker else len(plain) - len(plain.lstrip(" "))
        offsets: list[int] = []
        used, position, start = 0, 0, 0
        for piece in pieces(plain):
            if position > start and used + cell_len(piece.rstrip()) > width:
                offsets.append(position)
                start, used = position, indent
            used += cell_len(piece)
            position += len(piece)
        for number, part in enumerate(line.divide(offsets)):
            part.rstrip()
            lines.append(Text(" " * indent) + part if number else part)
    return Text("\n").join(lines)


class FoldedLines(RenderHook):
    """On a terminal, every line of text printed is broken where Japanese text may."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        width = self.console.width
        return [
            folded(r, width)
            if isinstance(r, Text) and any(cell_len(x) > width for x in r.plain.split("\n"))
            else r
            for r in renderables
        ]
