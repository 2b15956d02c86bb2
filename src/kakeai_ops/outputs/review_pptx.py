"""A 16:9 PowerPoint deck from plain slide descriptions (python-pptx).

A cover (the meeting, the 基準日, the classification), then one slide per topic: the
topic in small type above a title that says what the figures say (in the slide's
title placeholder, so PowerPoint's outline and accessibility check see it), the
classification and ページ x / y at the foot, commands and ids in the speaker notes.
Charts are native PowerPoint charts (their data lives in the file and stays editable).
Japanese text gets an east-asian typeface on every run, so PowerPoint on Windows picks Meiryo
and LibreOffice a CJK font instead of drawing boxes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..clock import now
from ..errors import KopsError
from ..i18n import _
from .atomic import replacing

FONT = "Meiryo"
WIDTH_IN, HEIGHT_IN = 13.333, 7.5
MARGIN = 0.5
NAVY = "1F3864"
GREY = "595959"
# Nothing on a slide is smaller than this: it is read from across a meeting room. A table
# that does not fit at it shows its first rows and says how many more the workbook has.
MIN_FONT = 12
MIN_TABLE_FONT = MIN_FONT
# A chart given less height than this draws bars and labels no one can read: it is left
# out (the table above it carries the same figures in words).
MIN_CHART_HEIGHT = 1.6
BULLET_SIZE = 15
STACKED_TABLE = 0.6  # of the space, for a table above its chart
MAX_TABLE_FONT = 18
# A cell that reads as a figure (86%, 1,234人, ▲ +3pt, <5) is right-aligned.
FIGURE = re.compile(r"^[▲▼→±+\-−]?\s*[<(]?[+\-]?[\d,.]+\s*(%|pt|人|件|組|回|日)?\)?$|^[<－-]\S*$")
# A count said with its reasons (「1（メールアドレスなし）」, 「3」 over 「メールアドレスなし 2人」)
# stands at the right too: at the left, 「0」 of the column before and 「3」 read as 「03」.
COUNT_WITH_REASON = re.compile(r"^[\d,]+（[^）]+）$")
REASON_COUNT = re.compile(r"^\S.*\s[\d,]+人$")


def reads_as_figure(text: str) -> bool:
    """Whether a cell stands at the right, as a figure does."""
    first, *rest = [line.strip() for line in text.strip().split("\n")] or [""]
    if not rest:
        return bool(FIGURE.match(first) or COUNT_WITH_REASON.match(first))
    return bool(FIGURE.match(first)) and all(REASON_COUNT.match(line) for line in rest)


@dataclass
class Chart:
    kind: str  # "column" (vertical bars), "bar" (horizontal bars), "line" or "stacked" (100%)
    title: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    number_format: str = "0"  # Excel format of the values, e.g. '0%'
    value_title: str = ""  # the value axis' title with its unit, e.g. 割合（%）
    category_title: str = ""


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative column widths


@dataclass
class Tile:
    """A headline figure: label, value, and its change with an arrow and words."""

    label: str
    value: str
    change: str


@dataclass
class Slide:
    title: str  # the topic, in small type above the message (e.g. "5. メール施策")
    subtitle: str = ""
    tiles: list[Tile] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    table: Table | None = None
    chart: Chart | None = None
    footnote: str = ""
    stacked: bool = False  # the table across the top and the chart below it, not side by side
    message: str = ""  # the slide's title: what its figures say, in one sentence
    notes: str = ""  # speaker notes: the commands and ids behind the slide
    cover: bool = False  # the cover: ``title`` is the meeting, ``subtitle`` its lines


@dataclass(frozen=True)
class DeckInfo:
    """The deck's file properties and what its cover and feet say."""

    title: str
    author: str
    classification: str = "社外秘"
    subject: str = ""


def write_deck(slides: list[Slide], path: Path, info: DeckInfo | None = None) -> Path:
    """Write the deck atomically (a temporary file renamed into place)."""
    from pptx import Presentation
    from pptx.util import Inches

    if path.suffix.lower() != ".pptx":
        raise KopsError(
            _("{path}: the deck must be a .pptx file").format(path=path),
            hint=_("e.g. --out review.pptx"),
        )
    if path.parent and not path.parent.exists():
        raise KopsError(
            _("{path}: no such directory").format(path=path.parent), hint=_("create it first")
        )
    deck = Presentation()
    deck.slide_width = Inches(WIDTH_IN)
    deck.slide_height = Inches(HEIGHT_IN)
    info = info or DeckInfo(title=path.stem, author="kops")
    total = len(slides)
    for number, spec in enumerate(slides, start=1):
        if spec.cover:
            _cover(deck.slides.add_slide(deck.slide_layouts[0]), spec, info)
            continue
        slide = deck.slides.add_slide(deck.slide_layouts[5])  # "Title Only"
        _slide(slide, spec)
        _foot(slide, info.classification, number, total)
        if spec.notes:
            slide.notes_slide.notes_text_frame.text = spec.notes
    _properties(deck, info)
    with replacing(path, suffix=".pptx") as temp:
        deck.save(str(temp))
    return path


def _properties(deck: Any, info: DeckInfo) -> None:
    """File properties from kops.yaml, not python-pptx's template (its author, 2013)."""
    moment = now().replace(tzinfo=None, microsecond=0)
    core = deck.core_properties
    core.title = info.title
    core.author = info.author
    core.last_modified_by = info.author
    core.subject = info.subject
    core.category = info.classification
    core.keywords = info.classification
    core.content_status = info.classification
    core.comments = ""
    core.created = core.modified = core.last_printed = moment
    core.revision = 1
    core.language = "ja-JP"


def _cover(slide: Any, spec: Slide, info: DeckInfo) -> None:
    """The meeting in the title placeholder, the month, 基準日 and organiser below it,
    the classification in a box at the top right."""
    from pptx.util import Inches, Pt

    title = slide.shapes.title
    title.left, title.top = Inches(MARGIN + 0.5), Inches(1.9)
    title.width, title.height = Inches(WIDTH_IN - 2 * MARGIN - 1), Inches(1.4)
    _fill(title.text_frame, spec.title, 40, bold=True, color=NAVY)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top = Inches(MARGIN + 0.5), Inches(3.6)
    subtitle.width, subtitle.height = Inches(WIDTH_IN - 2 * MARGIN - 1), Inches(2.4)
    _fill(subtitle.text_frame, spec.subtitle, 20, color=GREY)
    red = "C00000"
    # As wide as its text (「社外秘・共有可」): 16 pt is about 0.24 in a character.
    width = max(1.6, 0.24 * len(info.classification) + 0.4)
    box = _text(
        slide,
        info.classification,
        WIDTH_IN - MARGIN - width,
        0.4,
        width,
        0.5,
        size=16,
        bold=True,
        color=red,
        align="center",
    )
    box.name = "Classification"
    box.line.color.rgb = _rgb(red)
    box.line.width = Pt(1.5)
    if spec.notes:
        slide.notes_slide.notes_text_frame.text = spec.notes


def _fill(frame: Any, text: str, size: float, bold: bool = False, color: str | None = None) -> None:
    frame.clear()
    frame.word_wrap = True
    for index, part in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = part
        _font(run, size, bold, color)


def _foot(slide: Any, classification: str, number: int, total: int) -> None:
    """The classification at the bottom left and ページ x / y at the bottom right."""
    from pptx.enum.text import PP_ALIGN

    foot = HEIGHT_IN - 0.42
    marking = _text(slide, classification, MARGIN, foot, 2.4, 0.32, size=MIN_FONT, color="C00000")
    marking.name = "Classification"
    page = _text(
        slide, f"{number} / {total}", WIDTH_IN - MARGIN - 1.5, foot, 1.5, 0.32, size=MIN_FONT
    )
    page.name = "Page number"
    page.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


def _ems(text: str) -> float:
    """How wide a line draws, in ems: Japanese characters one em, digits and Latin about
    0.6 (Meiryo's are wide; a narrower guess wraps figures in PowerPoint), and a little
    space where Japanese meets Latin (「直近 30 日」: renderers space them apart)."""
    import itertools
    import unicodedata

    wide = [unicodedata.east_asian_width(ch) in "WFA" for ch in text]
    changes = sum(1 for a, b in itertools.pairwise(wide) if a != b)
    return sum(1.0 if w else 0.6 for w in wide) + 0.25 * changes


TITLE_SIZES = (26, 24, 22, 20, 18)
TITLE_ROOM = (WIDTH_IN - 2 * MARGIN) * 72 * 0.9  # points a title line holds


def _title_size(text: str) -> float:
    """As large as fits each of its lines in the slide's width (Japanese characters one
    em); a title of two lines no larger than fits two in its box."""
    lines = text.split("\n")
    ems = max(_ems(line) for line in lines) * 1.05
    # Two lines stay in the title's box (0.75 in, above the rule): at most 20 pt.
    for size in TITLE_SIZES if len(lines) == 1 else TITLE_SIZES[-2:]:
        if ems * size <= TITLE_ROOM:
            return size
    return 16


def _title_lines(text: str) -> str:
    """A title too long for one line at the smallest title size, in two lines broken after
    the 「。」 or 「、」 that balances them best: left to the renderer it broke where the
    line ended (「…出席しなかった / 人 10/47人」). A title that fits stays as written."""
    smallest = TITLE_SIZES[-1]
    if "\n" in text or _ems(text) * 1.05 * smallest <= TITLE_ROOM:
        return text
    ends = [i + 1 for i, ch in enumerate(text[:-1]) if ch in "。、"]
    fitting = [
        i for i in ends if max(_ems(text[:i]), _ems(text[i:])) * 1.05 * smallest <= TITLE_ROOM
    ]
    if not fitting:
        return text
    # 「。」 before 「、」, then the most even lines.
    best = min(fitting, key=lambda i: (text[i - 1] != "。", abs(_ems(text[:i]) - _ems(text[i:]))))
    return f"{text[:best]}\n{text[best:]}"


SUBTITLE_SIZES = (13, MIN_FONT)


def _subtitle_layout(text: str, width: float) -> tuple[float, float]:
    """The subtitle's size and height: one line at the largest size it fits, else two or
    more lines at the smallest, the box as tall as its lines so the rule below it never
    cuts through text."""

    usable = (width - 0.2) * 72 * 0.95  # points, less the text box's insets
    for size in SUBTITLE_SIZES:
        if _ems(text) * size <= usable:
            return size, 0.4
    size = SUBTITLE_SIZES[-1]
    lines = sum(max(math.ceil(_ems(part) * size / usable), 1) for part in text.split("\n"))
    return size, lines * size * 1.25 / 72 + 0.15


def _slide(slide: Any, spec: Slide) -> None:
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    width = WIDTH_IN - 2 * MARGIN
    topic = _text(slide, spec.title, MARGIN, 0.12, width, 0.35, size=12, color=GREY)
    topic.name = "Topic"
    message = _title_lines(spec.message or spec.title)
    size = _title_size(message)
    # Below the title as Meiryo draws its lines (1.5 em): a title of two lines pushes the
    # rest down rather than run into the rule.
    below = max(1.2, 0.42 + message.count("\n") * size * MEIRYO_LINE / 72 + size * 1.3 / 72 + 0.1)
    title = slide.shapes.title
    title.left, title.top = Inches(MARGIN), Inches(0.42)
    title.width, title.height = Inches(width), Inches(below - 0.45)
    title.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    _fill(title.text_frame, message, size, bold=True, color=NAVY)
    for paragraph in title.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
    top = below
    if spec.subtitle:
        size, height = _subtitle_layout(spec.subtitle, width)
        box = _text(slide, spec.subtitle, MARGIN, top, width, height, size=size, color=GREY)
        box.name = "Subtitle"
        top += height + 0.05
    line = slide.shapes.add_connector(
        1, Inches(MARGIN), Inches(top), Inches(WIDTH_IN - MARGIN), Inches(top)
    )
    line.line.color.rgb = _rgb(NAVY)
    top += 0.15
    bottom = HEIGHT_IN - (0.95 if spec.footnote else 0.5)
    if spec.tiles:
        top = _tiles(slide, spec.tiles, top)
    if spec.bullets:
        # A line per bullet, and one more for each time a long bullet wraps: the table
        # below once sat on a wrapped bullet's second line.
        usable = (WIDTH_IN - 2 * MARGIN - 0.2) * 72
        lines = sum(max(math.ceil(_ems(f"・{b}") * BULLET_SIZE / usable), 1) for b in spec.bullets)
        height = min(
            0.42 * len(spec.bullets) + 0.26 * (lines - len(spec.bullets)) + 0.1, bottom - top
        )
        body = WIDTH_IN - 2 * MARGIN
        _bullets(slide, spec.bullets, MARGIN, top, body, height)
        top += height + 0.1
    width = WIDTH_IN - 2 * MARGIN
    if spec.table is not None and spec.chart is not None and spec.stacked:
        # The table's words are read from across the room; a bar chart stays readable
        # in a third of the space (at 55% the mail table's text came down to 9 pt).
        # Every row whole first: a table that needs more than its share, or leaves the chart
        # too little to read, takes the whole space and the chart is left out (the table
        # says the same figures in words).
        space = bottom - top
        lay = _layout(spec.table, width, space * STACKED_TABLE)
        if lay.note or space - lay.height - 0.15 < MIN_CHART_HEIGHT:
            _table(slide, spec.table, MARGIN, top, width, space)
        else:
            used = _table(slide, spec.table, MARGIN, top, width, space * STACKED_TABLE)
            _chart(slide, spec.chart, MARGIN, top + used + 0.15, width, space - used - 0.15)
    elif spec.table is not None and spec.chart is not None:
        split = width * 0.5
        _table(slide, spec.table, MARGIN, top, split - 0.2, bottom - top)
        _chart(slide, spec.chart, MARGIN + split, top, width - split, bottom - top)
    elif spec.table is not None:
        _table(slide, spec.table, MARGIN, top, width, bottom - top)
    elif spec.chart is not None:
        _chart(slide, spec.chart, MARGIN, top, width, bottom - top)
    if spec.footnote:
        _text(slide, spec.footnote, MARGIN, HEIGHT_IN - 0.9, width, 0.45, size=MIN_FONT, color=GREY)


def _rgb(hex_colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour)


def _font(run: Any, size: float, bold: bool = False, color: str | None = None) -> None:
    """Size, weight, colour, and the typeface for Latin and East Asian text alike."""
    from pptx.util import Pt

    font = run.font
    font.size = Pt(size)
    font.bold = bold
    if color:
        font.color.rgb = _rgb(color)
    font.name = FONT
    _east_asian(run._r.get_or_add_rPr())


def _east_asian(properties: Any) -> None:
    """Add <a:ea> (and <a:cs>) next to <a:latin>: PowerPoint uses ea for Japanese glyphs."""
    from pptx.oxml.ns import qn

    latin = properties.find(qn("a:latin"))
    anchor = latin
    for tag in ("a:ea", "a:cs"):
        existing = properties.find(qn(tag))
        if existing is None:
            existing = properties.makeelement(qn(tag), {})
            if anchor is not None:
                anchor.addnext(existing)
            else:
                properties.append(existing)
        existing.set("typeface", FONT)
        anchor = existing


def _text(
    slide: Any,
    text: str,
    left: float,
    top: float,
    width: float,
    height: float,
    size: float = 14,
    bold: bool = False,
    color: str | None = None,
    align: str = "left",
) -> Any:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for index, part in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER}[align]
        run = paragraph.add_run()
        run.text = part
        _font(run, size, bold, color or (NAVY if bold else None))
    return box


def _bullets(
    slide: Any, bullets: list[str], left: float, top: float, width: float, height: float
) -> None:
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for index, text in enumerate(bullets):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(4)
        run = paragraph.add_run()
        run.text = f"・{text}"
        _font(run, BULLET_SIZE)


def _tiles(slide: Any, tiles: list[Tile], top: float) -> float:
    """Headline figures in a grid of three per row; returns the y below them."""
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    per_row, gap, height = 3, 0.25, 2.05
    width = (WIDTH_IN - 2 * MARGIN - gap * (per_row - 1)) / per_row
    for index, tile in enumerate(tiles):
        left = MARGIN + (index % per_row) * (width + gap)
        y = top + (index // per_row) * (height + gap)
        box = slide.shapes.add_shape(
            MSO_SHAPE.ROUNDED_RECTANGLE, Inches(left), Inches(y), Inches(width), Inches(height)
        )
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb("EEF2F8")
        box.line.color.rgb = _rgb("B4C6E7")
        box.adjustments[0] = 0.08
        # One line above the figure, smaller if need be: wrapped, 「部下1人あたり月間1on1数（直
        # / 近30日）」 broke inside a word and ran into the figure below it.
        room = (width - 0.4 - 0.2) * 72  # less the box's own margins
        size = next((z for z in (15, 14, 13, 12) if _ems(tile.label) * z <= room), MIN_FONT)
        _text(slide, tile.label, left + 0.2, y + 0.12, width - 0.4, 0.45, size=size, color=GREY)
        _text(slide, tile.value, left + 0.2, y + 0.55, width - 0.4, 0.8, size=34, bold=True)
        _text(slide, tile.change, left + 0.2, y + 1.4, width - 0.4, 0.5, size=13)
    rows = (len(tiles) + per_row - 1) // per_row
    return top + rows * (height + gap)


@dataclass
class _Layout:
    """A table's type size, column widths, row heights, the rows shown and the note that
    says how many were left out ('' when none)."""

    size: float
    widths: list[float]
    heights: list[float]
    rows: list[list[str]]
    note: str

    @property
    def height(self) -> float:
        return sum(self.heights)


def _layout(spec: Table, width: float, height: float) -> _Layout:
    """As large as the space allows (a short table is not left small in an empty slide)."""
    weights = spec.widths or [1.0] * len(spec.columns)
    size = float(MAX_TABLE_FONT)
    while True:
        widths = _column_widths(spec, weights, width, size)
        phrased = [_phrased_row(row, widths, size) for row in spec.rows]
        rows = phrased
        heights = [_row_height([*spec.columns], widths, size)] + [
            _row_height(row, widths, size) for row in rows
        ]
        fits = sum(heights) <= height and _fits(spec, widths, size)
        if fits or size <= MIN_TABLE_FONT:
            break
        size -= 1
    if sum(heights) <= height:
        phrased, heights = _phrased_where_room(spec, phrased, heights, widths, size, height)
        rows = phrased
    # Still too tall at the smallest size: show the first rows and one merged line saying how
    # many are left out (the workbook has them all), rather than run off the slide.
    shown, note = len(rows), ""
    while sum(heights) > height and shown > 1:
        shown -= 1
        rows = phrased[:shown]
        note = f"…ほか {len(spec.rows) - shown}行（すべての行は資料のブックに）"
        heights = [_row_height([*spec.columns], widths, size)] + [
            _row_height(row, widths, size) for row in rows
        ]
        heights.append(_row_height([note], [width], size))
    # A short table is spread over the space rather than leave the slide half empty.
    if spec.rows and sum(heights) < 0.6 * height:
        stretch = min(0.7 * height / sum(heights), 1.8)
        heights = [h * stretch for h in heights]
    return _Layout(size, widths, heights, rows, note)


def _phrased_where_room(
    spec: Table,
    rows: list[list[str]],
    heights: list[float],
    widths: list[float],
    size: float,
    height: float,
) -> tuple[list[list[str]], list[float]]:
    """Row by row from the top, as long as the slide has room: every long Japanese cell
    broken between phrases even where that takes a line more than the renderer's own
    wrapping would (「業 / 務の進捗」, 「人 / 間関係」 read badly). The type size and the
    rows shown stay as they were."""
    rows, heights = list(rows), list(heights)
    # What PowerPoint draws with Meiryo's taller lines: a row grows to its text, so a line
    # more is taken only while the table, grown so, still ends above the note below it.
    shown = [spec.columns, *rows]
    drawn = [max(h, _drawn_height(r, widths, size)) for h, r in zip(heights, shown, strict=True)]
    for index, row in enumerate(spec.rows):
        free = _phrased_row(row, widths, size, free=True)
        if free == rows[index]:
            continue
        taller = _row_height(free, widths, size)
        grown = max(taller, _drawn_height(free, widths, size))
        if sum(drawn) - drawn[index + 1] + grown <= height:
            rows[index], heights[index + 1], drawn[index + 1] = free, taller, grown
    return rows, heights


def _drawn_height(cells: list[str], widths: list[float], size: float) -> float:
    """The inches a row's text takes in PowerPoint with Meiryo (about 1.5 em a line, where
    _row_height counts 1.3 and some slack) and the cell's margins."""
    return _row_lines(cells, widths, size) * size * MEIRYO_LINE / 72 + 0.04


def _table(slide: Any, spec: Table, left: float, top: float, width: float, height: float) -> float:
    """A table whose rows are as tall as their wrapped text (renderers do not grow them)."""
    from pptx.util import Inches

    lay = _layout(spec, width, height)
    columns = [
        name if _ems(name) * lay.size <= _usable_points(column_width) else _header(name)
        for name, column_width in zip(spec.columns, lay.widths, strict=True)
    ]
    if columns != spec.columns:  # laid out again, each such column wide enough for its lines
        spec = replace(spec, columns=columns)
        lay = _layout(spec, width, height)
    shape = slide.shapes.add_table(
        len(lay.heights),
        len(spec.columns),
        Inches(left),
        Inches(top),
        Inches(width),
        Inches(lay.height),
    )
    table = shape.table
    for index, column_width in enumerate(lay.widths):
        table.columns[index].width = Inches(column_width)
    for r, row_height in enumerate(lay.heights):
        table.rows[r].height = Inches(row_height)
    for c, name in enumerate(spec.columns):
        _cell(table.cell(0, c), name, lay.size, bold=True, color="FFFFFF")
    for r, row in enumerate(lay.rows, start=1):
        for c, value in enumerate(row):
            _cell(table.cell(r, c), value, lay.size, right=reads_as_figure(value))
    if lay.note:
        last = len(lay.heights) - 1
        table.cell(last, 0).merge(table.cell(last, len(spec.columns) - 1))
        _cell(table.cell(last, 0), lay.note, lay.size)
    return lay.height


LINE = 1.3  # a table line's height, in ems of its type size, as a row is sized (+ slack)
MEIRYO_LINE = 1.5  # Meiryo's own line height (ascent + descent): what PowerPoint draws
SHORT_HEADER = 7  # ems: a header line this short (順位, スッキリ度, （直近30日）) never breaks


def _header(name: str) -> str:
    """A Japanese header too long for its column in two lines broken between words
    (「部下1人あたり / 月間1on1数」), each then short enough that its column is made wide
    enough for it: left to the renderer it breaks at any character (「部下1人あ / たり月間」).
    A header already in lines, or short, stays as written."""
    from .header_lines import lines, width_for

    if "\n" in name or _ems(name) <= SHORT_HEADER or not _japanese(name):
        return name
    return "\n".join(line.strip() for line in lines(name, width_for(name, 2)))


def _column_widths(spec: Table, weights: list[float], width: float, size: float) -> list[float]:
    """Widths in proportion to the weights, but never narrower than a short header or a
    figure of the column on one line (「スッキ/リ度」, 「252/人」 read badly): what a
    column needs is taken from the columns with room to spare (the wrapping text ones)."""

    def inches(text: str) -> float:
        return _ems(text) * size / 72 / 0.92 + 0.16  # the cell's margins and some slack

    needs = []
    for index, name in enumerate(spec.columns):
        lines = [line for line in name.split("\n") if _ems(line) <= SHORT_HEADER]
        figures = [row[index] for row in spec.rows if _unbroken(row[index], index)]
        needs.append(max((inches(t) for t in [*lines, *figures]), default=0.0))
    widths = [width * w / sum(weights) for w in weights]
    if sum(needs) >= width:
        return widths  # too small a slide for this size: a smaller size is tried
    for _round in range(len(widths)):  # each round settles at least one column
        short = sum(max(n - w, 0) for n, w in zip(needs, widths, strict=True))
        if short <= 1e-6:
            break
        spare = [max(w - n, 0) for n, w in zip(needs, widths, strict=True)]
        total = sum(spare)
        widths = [
            max(w, n) - (short * room / total if total else 0)
            for n, w, room in zip(needs, widths, spare, strict=True)
        ]
    longest = (
        [
            max(inches(line) for text in [name, *cells] for line in text.split("\n"))
            for name, cells in zip(spec.columns, zip(*spec.rows, strict=True), strict=True)
        ]
        if spec.rows
        else []
    )
    return _room_to_wrapping(widths, longest)


def _room_to_wrapping(widths: list[float], longest: list[float]) -> list[float]:
    """The room a column has beyond its longest line, given to the columns whose text wraps
    (each up to its own longest line): a roomy 事業部 beside a narrow 備考 broke
    「分散のため繰り上 / げ（年代）」 where the phrase would have fitted."""
    if not longest:
        return widths
    spare = [max(w - n, 0.0) for w, n in zip(widths, longest, strict=True)]
    short = [max(n - w, 0.0) for w, n in zip(widths, longest, strict=True)]
    moved = min(sum(spare), sum(short))
    if moved <= 1e-6:
        return widths
    return [
        w - moved * room / sum(spare) + moved * lack / sum(short)
        for w, room, lack in zip(widths, spare, short, strict=True)
    ]


ROW_LABEL = 10  # ems: a row's label this short (管理本部・経営企画室) stays on one line


def _unbroken(text: str, column: int) -> bool:
    """A figure, or a short label in the first column: either reads badly broken."""
    return bool(FIGURE.match(text.strip())) or (column == 0 and _ems(text) <= ROW_LABEL)


def _fits(spec: Table, widths: list[float], size: float) -> bool:
    """Every short header and every figure on one line at these widths."""
    for index, name in enumerate(spec.columns):
        usable = (widths[index] - 0.16) * 72 * 0.92
        texts = [line for line in name.split("\n") if _ems(line) <= SHORT_HEADER]
        texts += [r[index] for r in spec.rows if _unbroken(r[index], index)]
        if any(_ems(t) * size > usable + 1e-6 for t in texts):
            return False
    return True


def _usable_points(column_width: float) -> float:
    """The points a line of a cell this wide holds, less margins and some slack."""
    return max(column_width - 0.14, 0.2) * 72 * 0.92


def _wrapped_lines(text: str, usable: float, size: float) -> int:
    """How many lines ``text`` takes in a cell, each of its lines wrapped on its own."""
    return sum(max(math.ceil(_ems(part) * size / usable), 1) for part in text.split("\n"))


def _phrased_row(row: list[str], widths: list[float], size: float, free: bool = False) -> list[str]:
    """Japanese text longer than its cell, written with its line breaks between phrases:
    left to PowerPoint it breaks at any character (「効果測定な / し」, 「付 / 与のお知らせ」).
    Only where that takes no more lines than the renderer's own wrapping (the table keeps
    its rows), unless ``free``; a figure, a cell without Japanese and a line that fits stay
    as they are."""
    from .header_lines import cell_lines, cell_word_lines

    result = []
    for text, column_width in zip(row, widths, strict=True):
        usable = _usable_points(column_width)
        wrapped = _wrapped_lines(text, usable, size)
        if reads_as_figure(text) or wrapped == text.count("\n") + 1 or not _japanese(text):
            result.append(text)
            continue
        chosen = text
        # Between items and phrases first (a line more only if ``free``); else, in the
        # lines the renderer would take anyway, between words (「…3件 / 業務の / 進捗や
        # 進め方」), never inside one (「業 / 務の進捗」).
        for breaker, more in ((cell_lines, free), (cell_word_lines, False)):
            broken = _broken_cell(text, usable, size, breaker)
            if broken is not None and (more or len(broken) <= wrapped):
                chosen = "\n".join(broken)
                break
        result.append(chosen)
    return result


def _broken_cell(
    text: str, usable: float, size: float, breaker: Callable[[str, float], list[str]]
) -> list[str] | None:
    """``text``'s lines, each line of it longer than the cell broken by ``breaker``; None
    when a line still does not fit (a word wider than the cell)."""
    from .header_lines import display_width

    result: list[str] = []
    for part in text.split("\n"):
        ems = _ems(part)
        if ems * size <= usable:
            result.append(part)
            continue
        # The breakers measure in display columns (two to a Japanese character): the
        # columns that this line's own mix of characters fills to ``usable``.
        result.extend(breaker(part, usable / size * display_width(part) / ems))
    return result if all(_ems(line) * size <= usable for line in result) else None


def _japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def _row_height(cells: list[str], widths: list[float], size: float) -> float:
    """Inches for the tallest cell (its text measured as _ems measures it)."""
    return _row_lines(cells, widths, size) * size * LINE / 72 + 0.08


def _row_lines(cells: list[str], widths: list[float], size: float) -> int:
    """The lines of a row's tallest cell; each line of a text wraps on its own, so a cell's
    lines are their wrapped sum."""
    lines = 1
    for text, column_width in zip(cells, widths, strict=True):
        lines = max(lines, _wrapped_lines(str(text), _usable_points(column_width), size))
    return lines


def _cell(
    cell: Any,
    text: str,
    size: float,
    bold: bool = False,
    color: str | None = None,
    right: bool = False,
) -> None:
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.word_wrap = True
    # A line each paragraph: a line feed inside a run is no line break to PowerPoint (it
    # joined 「比較群」 and 「（送らない）」), and each line keeps the cell's alignment.
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        if right:  # figures line up on their last digit
            paragraph.alignment = PP_ALIGN.RIGHT
        run = paragraph.add_run()
        run.text = line
        _font(run, size, bold, color)


def _chart(slide: Any, spec: Chart, left: float, top: float, width: float, height: float) -> None:
    from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    kinds = {
        "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "bar": XL_CHART_TYPE.BAR_CLUSTERED,
        "line": XL_CHART_TYPE.LINE_MARKERS,
        "stacked": XL_CHART_TYPE.BAR_STACKED_100,
    }
    from .chart_data import TextChartData

    data = TextChartData(number_format=spec.number_format)
    data.categories = spec.categories
    for name, values in spec.series:
        data.add_series(name, values)
    frame = slide.shapes.add_chart(
        kinds[spec.kind], Inches(left), Inches(top), Inches(width), Inches(height), data
    )
    chart = frame.chart
    chart.font.size = Pt(MIN_FONT)
    chart.font.name = FONT
    _east_asian(chart.font._rPr)  # the chart-wide <a:defRPr>
    chart.has_title = True
    chart.chart_title.text_frame.text = spec.title
    for paragraph in chart.chart_title.text_frame.paragraphs:
        for run in paragraph.runs:
            _font(run, 13, bold=True)
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    plot = chart.plots[0]
    if spec.kind == "line":
        for line in plot.series:
            line.smooth = False  # a smoothed line overshoots the data
    if spec.kind in ("bar", "stacked"):
        # Horizontal bars top to bottom in the order of the categories (and the table),
        # and the value axis kept below them, by its title (reversing the categories
        # alone moves it to the top).
        chart.category_axis.reverse_order = True
        # <c:crosses val="max"/> in the value axis: it crosses the categories at their
        # last, now the bottom. (python-pptx's ``crosses`` sets the other axis' element.)
        value_axis = chart.value_axis._element
        value_axis._remove_crosses()
        value_axis._add_crosses(val=XL_AXIS_CROSSES.MAXIMUM)
    if spec.kind == "stacked":
        plot.gap_width = 50
        plot.overlap = 100
    if spec.kind not in ("line", "stacked"):
        plot.has_data_labels = True
        plot.data_labels.number_format = spec.number_format
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(MIN_FONT)
        # Side by side bars as wide as they can be: a label at 12 pt (「127」「129」) is wider
        # than a narrow bar and ran into its neighbour's.
        plot.gap_width = 30 if len(spec.series) > 1 else 60
    # The axes' labels at the deck's smallest size, said on each axis (a viewer that does
    # not pass the chart-wide size down would draw them at its own default, 10 pt).
    for each in (chart.category_axis, chart.value_axis):
        each.tick_labels.font.size = Pt(MIN_FONT)
    axis = chart.value_axis
    axis.tick_labels.number_format = spec.number_format
    axis.tick_labels.number_format_is_linked = False
    axis.has_major_gridlines = True
    if spec.kind != "line":
        # A bar's length is its value: an axis starting above zero makes 24% look like
        # twice 21%. Shares run to 100% at most.
        axis.minimum_scale = 0
        if spec.number_format.endswith("%"):
            axis.maximum_scale = 1
            if spec.kind in ("bar", "stacked"):
                axis.major_unit = 0.2  # six labels side by side stay level (eleven slanted)
    _axis_title(chart.value_axis, spec.value_title)
    _axis_title(chart.category_axis, spec.category_title)


def _axis_title(axis: Any, text: str) -> None:
    if not text:
        return
    axis.has_title = True
    axis.axis_title.text_frame.text = text
    for paragraph in axis.axis_title.text_frame.paragraphs:
        for run in paragraph.runs:
            _font(run, MIN_FONT)
