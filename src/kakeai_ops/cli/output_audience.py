"""``--audience``: who may see what a command writes (privacy/audiences.py).

Each writing command takes the option and prints the audience with its output (the
file carries it too: a workbook's header, the deck's cover); the commands that
record their runs in the audit log (reports, the deck, mail) record it there.

The secretariat's list commands (``records_audience``) only read, except for
``--out``: a file they write is a publication, and :func:`published` records it in the
audit log (command, file, audience, 基準日, rows) once the file is written. What they
only print to the terminal leaves no trace in the workspace: a terminal is not handed
on, and a look at a list must not change the workspace others read."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from rich.markup import escape

from ..privacy.audiences import line, resolve
from ..store.audit_log import record_action
from ..workspace import find_workspace
from .console import err
from .options import AudienceOpt as AudienceOpt


def chosen(command: str, value: str | None) -> str:
    """The audience of this run (refused before any work when it cannot be)."""
    return resolve(command, value)


Command = TypeVar("Command", bound=Callable[..., Any])


@dataclass(frozen=True)
class Publishing:
    """The command running now, as its files are recorded: name, audience, --workspace."""

    command: str
    audience: str
    workspace: Path | None


_PUBLISHING: ContextVar[Publishing | None] = ContextVar("kops_publishing", default=None)


@contextmanager
def publishing(command: str, audience: str, workspace: Path | None) -> Iterator[None]:
    """While the block runs, files written with ``--out`` are ``command``'s publications."""
    token = _PUBLISHING.set(Publishing(command, audience, workspace))
    try:
        yield
    finally:
        _PUBLISHING.reset(token)


def published(path: Path | str, rows: int, as_of: dt.date | str | None = None) -> None:
    """Record a file just written (``--out``) in the audit log: the command, the file, its
    audience, its 基準日 and how many people or rows it holds. A list with no 基準日 of its
    own (the seminars) has none here either: the entry's time says when it was written
    (the day it was written, given as its 基準日, read as the data's day). Call it only
    once the file is complete: a write that failed or was refused leaves no entry. Outside
    a command that records its audience (``records_audience``) it does nothing."""
    current = _PUBLISHING.get()
    if current is None:
        return
    record_action(
        find_workspace(current.workspace),
        current.command,
        target=None,
        count=int(rows),
        files=[str(Path(path).resolve())],
        detail={"audience": current.audience, "as_of": None if as_of is None else str(as_of)},
    )


def records_audience(command: str) -> Callable[[Command], Command]:
    """For a read-only command with ``--audience``: the audience is resolved before any
    work (a refused one writes nothing) and printed after the output. Its files say it
    in their header (事務局内限り) and each file written with ``--out`` is recorded in
    the audit log (:func:`published`); printed to the terminal only, nothing is written
    into the workspace. Put it under ``@app.command``."""

    def decorate(function: Command) -> Command:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            readers = chosen(command, kwargs.get("audience"))
            with publishing(command, readers, kwargs.get("workspace")):
                result = function(*args, **kwargs)
            err.print(f"[dim]{escape(line(readers))}[/dim]", highlight=False)
            return result

        return cast(Command, run)

    return decorate
