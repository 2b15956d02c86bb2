"""The options commands share, declared once: the workspace and snapshot, the date, the
output (``--out``, ``--format``, ``--audience``) and the sending options of every command
that mails (``--yes``, ``--dry-run``, ``--to-test``, ``--limit``).

Use the ``…Opt`` types as they are (``workspace: WorkspaceOpt = None``). Where a command's
help says something of its own (``--dry-run``: what it writes), take the option from its
function with that help, as a literal ``help="…"`` (the catalog's extractor reads it):
``dry_run: Annotated[bool, dry_run_option(help="…")] = False``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..dates import parse_date
from ..errors import KopsError
from ..i18n import _


def workspace_option(help: str, **more: Any) -> Any:
    return typer.Option("--workspace", "-w", help=help, **more)


WorkspaceOpt = Annotated[
    Path | None,
    workspace_option(
        help="Workspace directory (default: $KOPS_WORKSPACE, then the current directory).",
        show_default=False,
    ),
]
SnapshotOpt = Annotated[
    str | None,
    typer.Option("--snapshot", help="Snapshot id from `kops status` (default: the latest)."),
]


def date_option(name: str, help: str, **more: Any) -> Any:
    """A typer option holding a date, read as people type it (``dates.parse_date``: 2026-12-03,
    2026/12/3, 20261203, full-width digits); a bad one is refused naming ``name``."""
    return typer.Option(
        name, help=help, metavar="DATE", parser=lambda text: parse_date(text, name), **more
    )


AsOfOpt = Annotated[
    dt.date | None,
    date_option(
        "--as-of",
        help="Judge as of this date, e.g. 2026-11-20, 2026/11/20 or 20261120 (default and "
        "latest allowed: the date the snapshot implies).",
        show_default=False,
    ),
]
CampaignArg = Annotated[
    str, typer.Argument(help="Campaign id from kops.yaml (see `kops campaign list`).")
]


# What a command hands out, and to whom.


def out_option(help: str, **more: Any) -> Any:
    return typer.Option("--out", "-o", help=help, **more)


def checked_file(path: Path | None) -> Path | None:
    """A file to write, refused before any work when no file can be written there (a
    folder, a name Windows refuses, a missing folder): not after a minute of it."""
    if path is not None:
        from ..outputs.atomic import check_target

        check_target(path)
    return path


def expanded(paths: list[Path] | None) -> list[Path] | None:
    """Files named by a pattern (``*.csv``), found as a Unix shell finds them: Windows'
    shells (cmd, PowerShell) hand the pattern to kops as typed, and `*.csv` was then
    "file not found". Excel's lock files (``~$…``, hidden on Windows) are not exports."""
    if not paths:
        return paths
    found: list[Path] = []
    for path in paths:
        text = str(path)
        if any(mark in text for mark in "*?[") and not path.exists():
            import glob

            matches = sorted(Path(p) for p in glob.glob(text) if not Path(p).name.startswith("~$"))
            found.extend(matches or [path])  # none: said as a pattern no file matches
        else:
            found.append(path)
    return found


def checked_table_file(path: Path | None) -> Path | None:
    """``checked_file`` for a table written after something is recorded (``--problems``):
    its type too is checked first, so a bad name never follows a half-done command."""
    if path is not None:
        from ..outputs.atomic import check_target
        from ..outputs.files import check_table_suffix

        check_target(path)
        check_table_suffix(path)
    return path


OutOpt = Annotated[
    Path | None,
    out_option(
        help="Write to a file: .csv (UTF-8 with BOM, for Excel) or .xlsx.", callback=checked_file
    ),
]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def format_option(help: str) -> Any:
    return typer.Option("--format", "-f", help=help)


FormatOpt = Annotated[Format, format_option(help="Output on stdout: table, csv or json.")]
AudienceOpt = Annotated[
    str | None,
    typer.Option(
        "--audience",
        help="Who may see the output: secretariat (事務局内限り) or shared (共有可: min_group "
        "applies, only the periods the audit knows). Default: the command's own audience.",
    ),
]

# Whom a list or a mail covers.


def division_option(help: str) -> Any:
    return typer.Option("--division", help=help)


DivisionOpt = Annotated[str | None, division_option(help="Only this 事業部.")]


def role_option(help: str) -> Any:
    return typer.Option("--role", help=help)


# How a command that mails sends.


def yes_option(help: str) -> Any:
    return typer.Option("--yes", "-y", help=help)


def dry_run_option(help: str) -> Any:
    return typer.Option("--dry-run", help=help)


def to_test_option(help: str) -> Any:
    return typer.Option("--to-test", help=help, callback=_tester_address)


def one_rehearsal(dry_run: bool, to_test: str | None) -> None:
    """Refuse --dry-run with --to-test before any work: the dry run's 「送るには」 line
    without --to-test mailed everyone. Each is a rehearsal of its own."""
    from ..mail.runs import check_one_rehearsal

    check_one_rehearsal(dry_run, to_test)


def _tester_address(value: str | None) -> str | None:
    """--to-test's address, checked before anything runs: an empty one was taken as no
    tester at all, and the real run went to everyone."""
    if value is None:
        return None
    from ..mail.headers import address_problem

    address = value.strip()
    problem = address_problem("", address)
    if problem is not None:
        raise KopsError(
            _("--to-test {value}: {problem}").format(value=repr(value), problem=problem),
            hint=_("give the tester's own address, e.g. --to-test me@example.co.jp"),
        )
    return address


def limit_option(help: str) -> Any:
    return typer.Option("--limit", min=1, help=help)


YesOpt = Annotated[bool, yes_option(help="Send without asking (required when not interactive).")]
DryRunOpt = Annotated[
    bool, dry_run_option(help="Write every message as .eml to the outbox; send nothing.")
]
ToTestOpt = Annotated[
    str | None, to_test_option(help="Send every message to this tester address instead.")
]
LimitOpt = Annotated[int | None, limit_option(help="Send at most N messages in this invocation.")]
StaleOkOpt = Annotated[
    bool,
    typer.Option(
        "--stale-ok",
        help="Send even when the snapshot's data is older than rules.stale_days "
        "(--yes alone still asks about that).",
    ),
]
