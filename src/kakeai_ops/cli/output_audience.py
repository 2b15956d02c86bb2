"""``--audience``: who may see what a command writes (privacy/audiences.py).

Each writing command takes the option, prints the audience with its output (the
file carries it too: a workbook's header, the deck's cover) and records it in
the audit log with the files written."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer
from rich.markup import escape

from ..privacy.audiences import label, line, resolve
from ..store import record_action
from ..workspace import Workspace, find_workspace
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


def announce(
    workspace: Workspace,
    command: str,
    audience: str,
    files: Iterable[Path | str] = (),
    snapshot: str | None = None,
    detail: dict[str, Any] | None = None,
    count: int | None = None,
) -> None:
    """Say who may see what was written, and record it in the audit log."""
    written = [str(f) for f in files]
    err.print(f"[dim]{escape(line(audience))}[/dim]", highlight=False)
    record_action(
        workspace,
        command,
        target=label(audience),
        count=count,
        files=written,
        snapshot=snapshot,
        detail={"audience": audience, **(detail or {})},
    )


Command = TypeVar("Command", bound=Callable[..., Any])


def records_audience(command: str) -> Callable[[Command], Command]:
    """For a command with ``--audience`` and ``--out``: the audience is resolved before
    any work (a refused one writes nothing); once the command wrote its file, the
    audience is printed and recorded with it; output on the terminal (a table, CSV
    or JSON) is followed by the audience line. Put it under ``@app.command``."""

    def decorate(function: Command) -> Command:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            readers = chosen(command, kwargs.get("audience"))
            result = function(*args, **kwargs)
            written = kwargs.get("out_file") or kwargs.get("out_dir")
            if written is not None and Path(written).exists():
                announce(find_workspace(kwargs.get("workspace")), command, readers, [written])
            else:  # shown on the terminal or printed as data: the line goes with it
                err.print(f"[dim]{escape(line(readers))}[/dim]", highlight=False)
            return result

        return cast(Command, run)

    return decorate
