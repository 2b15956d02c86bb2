"""``--audience``: who may see what a command writes (privacy/audiences.py).

Each writing command takes the option and prints the audience with its output (the
file carries it too: a workbook's header, the deck's cover); the commands that
record their runs in the audit log (reports, the deck, mail) record it there."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, cast

import typer
from rich.markup import escape

from ..privacy.audiences import line, resolve
from .console import err

AudienceOpt = Annotated[
    str | None,
    typer.Option(
        "--audience",
        help="Who may see the output: secretariat (事務局内限り) or shared (共有可: min_group "
        "applies, only the periods the audit knows). Default: the command's own audience.",
    ),
]


def chosen(command: str, value: str | None) -> str:
    """The audience of this run (refused before any work when it cannot be)."""
    return resolve(command, value)


Command = TypeVar("Command", bound=Callable[..., Any])


def records_audience(command: str) -> Callable[[Command], Command]:
    """For a read-only command with ``--audience``: the audience is resolved before any
    work (a refused one writes nothing) and printed after the output. Its files say it
    in their header (事務局内限り); like every read-only command it writes nothing into
    the workspace, so the audit log records the audience of the runs it records
    (reports, the deck, mail). Put it under ``@app.command``."""

    def decorate(function: Command) -> Command:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            readers = chosen(command, kwargs.get("audience"))
            result = function(*args, **kwargs)
            err.print(f"[dim]{escape(line(readers))}[/dim]", highlight=False)
            return result

        return cast(Command, run)

    return decorate
