"""The terminal: stdout/stderr consoles made per invocation, and frames as Rich tables.

Data goes to stdout, diagnostics and progress to stderr, so output can be piped.
Both consoles read markup in strings: data (names, 事業部, file names, headers) is
passed through rich.markup.escape or as Text (``plain``), never raw.

Consoles are built when a command starts, not at import: the width, the terminal
and ``COLUMNS`` are those of this run (a process that runs several commands, such
as the tests, sees each one's own environment).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

from rich.console import Console, ConsoleRenderable, RenderHook
from rich.table import Table
from rich.text import Text

from ..i18n import _, language
from ..model import is_id
from ..numbers import fixed, grouped, percent
from .table_fit import FittedTable, FoldedLines

if TYPE_CHECKING:
    import pandas as pd

# pandas (through outputs.files) loads with the first table, not at start-up: `kops --help`
# and the error boundary in cli/app.py import this module.
__all__ = ["Stream", "err", "frame_table", "out", "people_table", "plain", "start_invocation"]

# Headers of id columns (the glossary's words for *_id keys): kept whole on one line.
ID_HEADERS = frozenset({"配信ID", "社員番号", "上司の社員番号", "部下の社員番号", "キャンペーンID"})

# Rich assumes 80 columns when output is piped; tables of ids and dates need more.
PIPED_WIDTH = 160


def _width(stream: Any, tty: bool) -> int | None:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return None  # the width COLUMNS asks for
    if columns.isdigit():
        # COLUMNS=0 (a broken terminal setting): Rich would print nothing at all, errors
        # included. A width that is no width is ignored, as Rich ignores COLUMNS=abc.
        if tty:
            try:
                return os.get_terminal_size(stream.fileno()).columns or PIPED_WIDTH
            except (OSError, ValueError, AttributeError):
                return PIPED_WIDTH
        return PIPED_WIDTH
    if tty:
        return None  # the terminal's width
    return PIPED_WIDTH


# Control characters data may carry (names, file names, typed values): shown as the
# visible "control pictures" (ESC → ␛), one character for one, so a name can't clear
# the screen, retitle the window, move the cursor or reverse the text after it.
# Tab and line feed are layout and stay.
_PICTURES = {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)}
_PICTURES[0x7F] = 0x2421  # DEL → ␡
_PICTURES.update({code: 0xFFFD for code in range(0x80, 0xA0)})  # C1, e.g. CSI U+009B
_PICTURES.update(
    {code: 0xFFFD for code in (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0xFEFF)}
    | {code: 0xFFFD for code in range(0x202A, 0x202F)}
    | {code: 0xFFFD for code in range(0x2066, 0x206A)}
)


def inert(text: str) -> str:
    """Text without control characters, each shown as a visible stand-in."""
    return text.translate(_PICTURES)


class _InertText(RenderHook):
    """Every text printed (markup strings become Text before this) loses its control
    characters; Rich's own styling is added later, when the text is rendered."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        for renderable in renderables:
            if isinstance(renderable, Text):
                renderable.plain = inert(renderable.plain)  # same length: styles stay put
        return renderables


def _console(stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    tty = stream.isatty()
    made = Console(stderr=stderr, soft_wrap=True, width=_width(stream, tty))
    made.push_render_hook(_InertText())
    if tty:  # piped output keeps its lines whole, for the program that reads them
        made.push_render_hook(FoldedLines(made))
    return made


@dataclass
class _Consoles:
    out: Console
    err: Console


_current: _Consoles | None = None


def start_invocation() -> None:
    """Fresh consoles for the command about to run (called by the root command)."""
    global _current
    _current = _Consoles(out=_console(stderr=False), err=_console(stderr=True))


def _consoles() -> _Consoles:
    if _current is None:
        start_invocation()
    assert _current is not None
    return _current


class Stream:
    """``out`` or ``err``: stands for this invocation's console and forwards every
    attribute to it (``out.print(...)``, ``err.file = ...``, ``Progress(console=err)``)."""

    def __init__(self, stderr: bool) -> None:
        object.__setattr__(self, "_stderr", stderr)

    def console(self) -> Console:
        consoles = _consoles()
        return consoles.err if self._stderr else consoles.out

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.console(), name, value)

    # Special methods are looked up on the type, not through __getattr__.
    def __enter__(self) -> Console:
        return self.console().__enter__()

    def __exit__(self, *exc: Any) -> None:
        self.console().__exit__(*exc)


# Typed as the Console they forward to, so callers use them as one.
out = cast(Console, Stream(stderr=False))
err = cast(Console, Stream(stderr=True))


def _shown(value: Any) -> Any:
    """A cell as the terminal shows it: a Python datetime (a seminar's 日時) to the minute
    as a pandas one is (「2026-10-28 12:15」, not 「2026-10-28 12:15:00」)."""
    import datetime as dt

    import pandas as pd

    from ..outputs.files import cell

    if isinstance(value, dt.datetime) and not isinstance(value, pd.Timestamp):
        value = pd.Timestamp(value)
    return cell(value)


def frame_table(
    frame: pd.DataFrame,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    max_rows: int | None = None,
    whole: Collection[str] = (),
) -> Table:
    """A frame as a Rich table; cells, headers and titles are Text, never markup, so a
    name such as ``[/bold]山田`` prints as written instead of styling or crashing it.
    ``whole``: columns that stay on one line like ids (the names a table is read by)."""
    import pandas as pd

    headers = headers or {}
    formats = formats or {}
    table = FittedTable(title=None if title is None else plain(title), title_justify="left")
    for column in frame.columns:
        series = frame[column]
        numeric = (
            pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        ) or _figures_only(series)
        table.add_column(
            plain(headers.get(str(column), str(column))), justify="right" if numeric else "left"
        )
    shown = frame if max_rows is None else frame.head(max_rows)
    for row in shown.itertuples(index=False, name=None):
        table.add_row(
            *[
                plain(formats[str(column)](value) if str(column) in formats else _shown(value))
                for column, value in zip(frame.columns, row, strict=True)
            ]
        )
    for drawn, key in zip(table.columns, frame.columns, strict=True):
        drawn.overflow = "fold"  # never cut a value with 「…」
        if is_id(str(key)) or str(drawn.header) in ID_HEADERS or str(key) in whole:
            _whole(drawn)
    if max_rows is not None and len(frame) > max_rows:
        table.caption = _(
            "{shown} of {total} rows shown; use --format csv or --out for all"
        ).format(shown=max_rows, total=len(frame))
    return table


def _figures_only(series: pd.Series) -> bool:
    """Figures with a hidden one among them (3, <5, (秘匿)): they stand at the right as
    figures do; at the left a column of counts read as text."""
    from ..outputs.workbook import HIDDEN_MARKS

    if series.dtype != object:
        return False
    values = [v for v in series.tolist() if v is not None and v == v]
    return bool(values) and all(
        (isinstance(v, int | float) and not isinstance(v, bool)) or v in HIDDEN_MARKS
        for v in values
    )


def plain(value: Any) -> Text:
    """Data for a Rich table or message: shown as written, never read as markup."""
    if isinstance(value, Text):
        value.plain = inert(value.plain)
        return value
    return Text(inert(str(value)))


def people_table(
    frame: pd.DataFrame,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[Any, str]] | None = None,
    max_rows: int | None = None,
    number_formats: Mapping[str, str] | None = None,
) -> Table:
    """A frame as people read it on the terminal: the glossary's Japanese headers and
    values (the words the workbooks use; the English keys stay in ``--format json``, and
    are what an English reader reads, ``KOPS_LANG=en``),
    each figure in its format (a share as a whole percent, an average to one decimal),
    and nothing cut with 「…」: a long cell folds onto the next line.

    ``labels``/``values``: words for keys the glossary does not have yet;
    ``number_formats``: a key's format (``0%``) where the glossary has none."""
    from .. import glossary
    from ..outputs.people import for_people

    labels = labels or {}
    values = values or {}
    frame = frame.copy()
    english = language() == "en"
    raw = frame.copy()
    for key, words in values.items():
        if key in frame.columns:
            frame[key] = frame[key].map(lambda v, w=words: w.get(v, v))
    shown = for_people(frame)
    if english:
        # An English reader reads the keys and values of --format json: the Japanese
        # words are the workbooks' (the glossary's), not English.
        # A key dropped for the label column that says it in words (group for
        # group_label) is the English word: shown in its place.
        said_by = {
            label: key
            for key, label in glossary.SAME_AS.items()
            if key in raw and (label == "label" or label.endswith("_label"))
        }
        keys = [said_by.get(key, key) for key in shown.keys]
        shown = replace(shown, frame=raw[keys].set_axis(shown.keys, axis=1))
        labels = {}
    headers: dict[str, str] = {}
    formats: dict[str, Callable[[Any], str]] = {}
    for label, key, number_format in zip(
        shown.frame.columns, shown.keys, shown.formats, strict=True
    ):
        if key in labels and key not in glossary.COLUMNS:
            headers[str(label)] = labels[key]
        number_format = (number_formats or {}).get(key, number_format)
        formatter = _FORMATTERS.get(number_format or "")
        if formatter is not None:
            formats[str(label)] = formatter
    table = frame_table(shown.frame, title, headers=headers, formats=formats, max_rows=max_rows)
    for column, key in zip(table.columns, shown.keys, strict=True):
        if is_id(key):
            _whole(column)
    return table


def _whole(column: Any) -> None:
    """An id stays on one line: the column is as wide as its widest id, and the other
    columns fold to make room (an id broken over two lines reads as two ids)."""
    from rich.cells import cell_len

    widest = max((cell_len(c.plain) for c in column._cells if isinstance(c, Text)), default=0)
    column.no_wrap = True
    column.min_width = max(widest, cell_len(str(column.header)) if column.header else 0, 1)


def _number(said: Callable[[float], str]) -> Callable[[Any], str]:
    def shown(value: Any) -> str:
        import pandas as pd

        if isinstance(value, str):  # 「<5」 and other words stay as they are
            return value
        if value is None or pd.isna(value):
            return "-"
        return said(float(value))

    return shown


_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "0%": _number(percent),
    "0.0": _number(fixed),
    "0.00": _number(lambda value: fixed(value, 2)),
    "#,##0": _number(grouped),
}
