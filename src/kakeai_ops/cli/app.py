"""The root command: sub-apps, the error boundary and the entry point."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from .. import __version__
from ..errors import KopsError, redact
from .console import err, start_invocation


class KopsGroup(TyperGroup):
    """Turns KopsError into ``Error: … / Hint: …`` on stderr and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        start_invocation()
        try:
            return super().invoke(ctx)
        except KopsError as error:
            report(error)
            raise typer.Exit(1) from None


def report(error: KopsError) -> None:
    err.print(f"[bold red]Error:[/bold red] {escape(redact(error.message))}", highlight=False)
    if error.hint:
        err.print(f"[bold]Hint:[/bold] {escape(redact(error.hint))}", highlight=False)


app = typer.Typer(
    name="kops",
    cls=KopsGroup,
    help=(
        "kops: the KAKEAI 1on1 secretariat's toolkit.\n\n"
        "Ingest the service's usage exports, find each user's stuck point, "
        "and act on it.\n\n"
        "Start with: kops init my-workspace && cd my-workspace && "
        "kops ingest users.csv pairs.csv meetings.xlsx"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kops {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """kops: the KAKEAI 1on1 secretariat's toolkit."""


def _register() -> None:
    from . import (
        campaign,
        demo,
        ingest,
        init,
        interview,
        mail,
        report,
        review,
        segment,
        seminar,
    )

    init.register(app)
    ingest.register(app)
    segment.register(app)
    campaign.register(app)
    mail.register(app)
    interview.register(app)
    report.register(app)
    seminar.register(app)
    review.register(app)
    demo.register(app)


_register()


def main() -> None:
    """Console entry point; an unexpected error prints one line, not a traceback
    (tracebacks can carry local values such as configuration)."""
    try:
        app(prog_name="kops")
    except KopsError as error:  # raised outside a command (e.g. in a callback)
        report(error)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)
    except Exception as error:
        if os.environ.get("KOPS_DEBUG") == "1":
            raise
        err.print(
            f"[bold red]Internal error:[/bold red] {type(error).__name__}: "
            f"{escape(redact(str(error)))}",
            highlight=False,
        )
        err.print("[bold]Hint:[/bold] set KOPS_DEBUG=1 to see the traceback", highlight=False)
        sys.exit(2)
