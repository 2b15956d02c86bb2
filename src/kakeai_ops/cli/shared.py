"""What every command shares: the workspace and its lookup, messages on stderr."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, cast

from rich.markup import escape

from ..config import Settings, load_settings
from ..errors import KopsError
from ..i18n import _
from ..store import SnapshotInfo, TableReading, Tables, resolve_snapshot, start_reading
from ..store.lock import tidy_workspace, workspace_lock
from ..workspace import Workspace, find_workspace

# Commands print through these; they are this invocation's consoles (see console.py).
from .console import err as err
from .console import frame_table
from .console import out as out
from .options import Format


def _quiet() -> bool:
    return os.environ.get("KOPS_QUIET") == "1"


@dataclass
class Session:
    """A command's view of its workspace: settings and snapshot, loaded once when first used."""

    workspace: Workspace
    _reading: dict[str, TableReading] = field(default_factory=dict, repr=False)

    @cached_property
    def settings(self) -> Settings:
        settings = load_settings(self.workspace.config_path)
        for notice in settings.retired_notices:  # read and ignored: said, not silent
            warn(notice)
        return settings

    def snapshot(self, ref: str | None = None) -> SnapshotInfo:
        return resolve_snapshot(self.workspace, ref)

    def read_ahead(self, snapshot: SnapshotInfo, columns: Mapping[str, Sequence[str]]) -> None:
        """Start reading these tables and columns of the snapshot, for ``tables`` to take
        later: a command calls it before importing what it computes with, which then
        overlaps the reading (see store.TableReading)."""
        self._reading[_reading_key(snapshot, columns)] = start_reading(snapshot, columns=columns)

    def arrow_tables(
        self, snapshot: SnapshotInfo, columns: Mapping[str, Sequence[str]]
    ) -> dict[str, Any]:
        """The snapshot's tables as Arrow tables (table → pyarrow.Table), without pandas;
        ``tables`` with the same columns still gives the frames, from the same reading."""
        key = _reading_key(snapshot, columns)
        if key not in self._reading:
            self._reading[key] = start_reading(snapshot, columns=columns)
        return self._reading[key].arrow()

    def tables(
        self, snapshot: SnapshotInfo, columns: Mapping[str, Sequence[str]] | None = None
    ) -> Tables:
        """The snapshot's tables; ``columns``: only these tables and columns (see load_tables)."""
        reading = self._reading.pop(_reading_key(snapshot, columns), None)
        return (reading or start_reading(snapshot, columns=columns)).tables()


def _reading_key(snapshot: SnapshotInfo, columns: Mapping[str, Sequence[str]] | None) -> str:
    wanted = None if columns is None else {name: list(names) for name, names in columns.items()}
    return json.dumps([str(snapshot.path), wanted], sort_keys=True)


def session(workspace: Path | None) -> Session:
    return Session(open_workspace(workspace))


def open_workspace(workspace: Path | None) -> Workspace:
    """The workspace a command works in; leftovers of an interrupted ingest are removed
    when no other command is writing."""
    ws = find_workspace(workspace)
    tidy_workspace(ws, say=note)
    return ws


Command = TypeVar("Command", bound=Callable[..., Any])


def writes_state(
    name: str, only_with: str | None = None, unless: tuple[str, ...] = ()
) -> Callable[[Command], Command]:
    """Run a command that writes state under the workspace lock: one writer at a time.

    ``only_with`` names an option without which the command only reads (e.g. ``mail``
    for ``report divisions --mail``); ``unless`` names options with which it only reads
    (e.g. ``verify`` for ``campaign draw --verify``). Put it under ``@app.command``.
    """

    def decorate(command: Command) -> Command:
        @functools.wraps(command)
        def locked(*args: Any, **kwargs: Any) -> Any:
            reads_only = only_with is not None and not kwargs.get(only_with)
            if reads_only or any(kwargs.get(option) for option in unless):
                return command(*args, **kwargs)
            ws = find_workspace(kwargs.get("workspace"))
            with workspace_lock(ws, f"kops {name}", say=_say_always):
                return command(*args, **kwargs)

        return cast(Command, locked)

    return decorate


def _say_always(message: str) -> None:
    # Shown even with KOPS_QUIET: without it a waiting command looks hung.
    err.print(message, highlight=False, markup=False)


def parse_as_of(value: dt.date | None, snapshot: SnapshotInfo) -> dt.date:
    """The as-of date: ``--as-of`` (read by its option type), else the snapshot's; refused
    after the snapshot's data (``store.as_of.judged_as_of``); always said on stderr."""
    from ..store.as_of import judged_as_of

    as_of = judged_as_of(snapshot, value)
    if value:
        said = _("As of {date} (given with --as-of)")
    else:
        said = _("As of {date} (the last day of snapshot {snapshot}'s data)")
    note(said.format(date=as_of.isoformat(), snapshot=snapshot.id))
    from ..store.snapshot_order import held_behind

    if behind := held_behind(snapshot.id, snapshot.manifest, as_of):
        warn(behind)
    return as_of


def note(message: str) -> None:
    if not _quiet():
        err.print(f"[dim]{escape(message)}[/dim]", highlight=False)


def warn(message: str) -> None:
    """A warning whose text may quote data (e.g. an unknown header ``[/備考]``)."""
    label = _("Warning:")
    err.print(f"[yellow]{label}[/yellow] {escape(message)}", highlight=False)


def shell_word(path: str) -> str:
    """A path as one word to paste into a shell: in double quotes when it holds a space
    (「C:\\Users\\山田 太郎\\kops」), which bash, PowerShell and cmd all read so."""
    return f'"{path}"' if any(c.isspace() for c in path) else path


def timing(message: str) -> None:
    """Timings for `make bench` (KOPS_TIMING=1); silent otherwise."""
    if os.environ.get("KOPS_TIMING") == "1":
        err.print(message, highlight=False)


def show(frame: Any, fmt: Format, title: str | None = None) -> None:
    """``frame`` on stdout: CSV or JSON as asked, else as a table."""
    if not emit_data(frame, fmt):
        out.print(frame_table(frame, title=title))


def emit_data(data: Any, fmt: Format) -> bool:
    """Write ``data`` to stdout as CSV or JSON; False for ``table`` (the caller draws it).

    ``data`` is a frame, or for what is more than one table: records (a list of dicts)
    or, for JSON, any JSON value whose frames are written as their records (named
    frames, a movement record)."""
    import pandas as pd

    from ..outputs.files import csv_text, json_text

    if fmt is Format.table:
        return False
    if fmt is Format.csv:
        sys.stdout.write(csv_text(pd.DataFrame(data) if isinstance(data, list) else data))
    elif isinstance(data, pd.DataFrame):
        sys.stdout.write(json_text(data) + "\n")
    else:
        sys.stdout.write(json.dumps(_json_value(data), ensure_ascii=False, indent=2) + "\n")
    return True


def _json_value(data: Any) -> Any:
    from ..outputs.files import json_text

    if isinstance(data, Mapping):
        return {key: _json_value(value) for key, value in data.items()}
    if hasattr(data, "columns"):  # a frame: its records
        return json.loads(json_text(data))
    return data


def emit(
    frame: Any,
    fmt: Format,
    out_file: Path | None,
    wrote: Callable[[str], str] | None = None,
    as_of: Any = None,
    *,
    rows: int | None = None,
    shown: Any = None,
    write: Callable[[Path], object] | None = None,
    **file_options: Any,
) -> bool:
    """The one way a command hands out its data: ``--out`` writes a CSV/XLSX file (with
    ``file_options`` for ``write_table``: sheet, extra_sheets, text_columns, options, charts;
    or by ``write`` for a file that is more than tables, the division workbook), records it
    as a publication of its command (``published``: ``rows``, by default the frame's, and
    the 基準日 ``as_of`` or the printed one) and says so with ``wrote(path)`` (by default,
    how many rows it wrote); ``--format csv|json`` writes ``shown`` (by default the frame;
    see ``emit_data``) to stdout. False for ``table``: the caller draws its own table."""
    if out_file is not None:
        from ..outputs.files import write_table
        from .output_audience import published

        if write is not None:
            write(out_file)
        else:
            if as_of is not None and file_options.get("options") is None:
                # The 基準日 the command records is the one the printed header says.
                from ..outputs.workbook import Print

                file_options["options"] = Print(as_of=as_of)
            write_table(frame, out_file, **file_options)
        printed = file_options.get("options")
        count = len(frame) if rows is None else rows
        published(out_file, count, as_of or getattr(printed, "as_of", None))
        said = wrote or _wrote_rows(count)
        err.print(said(escape(str(out_file))), highlight=False)
        ids = [c for c in file_options.get("text_columns") or () if c in frame.columns]
        if out_file.suffix.lower() == ".csv" and ids:  # a CSV is its first table only
            # The file is for systems (KAKEAI's upload) and keeps ids as exported; Excel,
            # opening it directly, reads 000101 as the number 101.
            note(
                _(
                    "Excel opening this CSV directly drops the ids' leading zeros: "
                    "for Excel, --out with .xlsx"
                )
            )
        return True
    return emit_data(frame if shown is None else shown, fmt)


def _wrote_rows(rows: int) -> Callable[[str], str]:
    return lambda path: _("Wrote {rows:,} rows to {path}").format(rows=rows, path=path)


MAX_REASON = 1000


def reason_text(value: str, option: str = "--reason") -> str:
    """A reason typed for the audit log, which terminals and sheets show back: one line of
    visible text (no ESC, line separators or direction marks), not blank, at most
    MAX_REASON characters."""
    import unicodedata

    text = value.strip()
    if not text:
        raise KopsError(_("{option}: give a reason").format(option=option))
    for ch in text:
        if (
            unicodedata.category(ch) in ("Cc", "Zl", "Zp")
            or "\u202a" <= ch <= "\u202e"
            or ("\u2066" <= ch <= "\u2069")
        ):
            raise KopsError(
                _("{option}: the reason holds a control character ({code})").format(
                    option=option, code=f"U+{ord(ch):04X}"
                ),
                hint=_("write the reason as one line of visible characters"),
            )
    if len(text) > MAX_REASON:
        raise KopsError(
            _("{option}: the reason has {length:,} characters; at most {most:,}").format(
                option=option, length=len(text), most=MAX_REASON
            ),
            hint=_("say why in a sentence; details belong in the secretariat's own records"),
        )
    return text
