"""The root command: sub-apps, the error boundary and the entry point."""

from __future__ import annotations

import errno
import functools
import gc
import importlib
import os
import shlex
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any, NoReturn

import typer
import typer.main
from rich.markup import escape
from typer._click.exceptions import NoSuchOption, UsageError
from typer.core import TyperCommand, TyperGroup

from .. import __version__
from ..clock import check_pinned
from ..errors import KopsError, redact
from ..i18n import _
from ..workspace import current_folder
from .console import start_invocation
from .localized import localize, localize_usage_error

# Every top-level command: the cli module that registers it and the first paragraph of
# its help, which is what `kops --help` lists. A module is imported only when one of its
# commands runs (or its help is asked for): the commands need pandas, highspy, openpyxl
# and jinja2, and `kops --help` or `kops init` need none of them.
# tests/test_app_startup.py checks this table against the commands themselves.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "Create a workspace: kops.yaml, mail templates and the state directory."),
    "ingest": ("ingest_command", "Read the users, pairs and meetings exports into a new snapshot."),
    "status": (
        "status",
        "List the workspace's snapshots: row counts, 1on1 date range and as-of date.",
    ),
    "segment": ("segment", "Find each user's stuck point (not_activated → no_pair → … → healthy)."),
    "audit": (
        "report",
        "The audit log: every ingest, mail (test sends too), suppression, interview,\n"
        "campaign and seminar record, report and deck, and list written to a file, once it\n"
        "succeeded.",
    ),
    "review": (
        "review",
        "Make the monthly review deck (PowerPoint, 16:9, editable charts) for the 定例会.",
    ),
    "demo": ("demo", "Run the secretariat's month on the sample tenant in a fresh workspace."),
    "campaign": (
        "campaign",
        "Campaigns and 1on1 milestones: who earned what, and when.",
    ),
    "mail": (
        "mail_group",
        "Targeted mail: stuck-point nudges, seminars, milestones, campaign news.",
    ),
    "interview": ("interview", "Good-practice interviews: a shortlist of pairs, and the history."),
    "report": (
        "report",
        "Division reports for division heads and HR business partners (アドバイザー).",
    ),
    "seminar": (
        "seminar",
        "The monthly seminar series (Month1–4): invite, remind, attendance, survey.",
    ),
}

_SETTINGS: dict[str, Any] = {
    "pretty_exceptions_enable": False,
    "add_completion": False,
    "rich_markup_mode": None,
}


@functools.cache
def load_commands(module_name: str) -> dict[str, Any]:
    """The click commands a cli module registers, built as the root app builds them."""
    module = importlib.import_module(f".{module_name}", __package__)
    commands_before, groups_before = len(app.registered_commands), len(app.registered_groups)
    # Registered on the root app itself: `kops demo` runs the other commands through it.
    module.register(app)
    names = [info.name for info in app.registered_commands[commands_before:]]
    names += [info.name for info in app.registered_groups[groups_before:]]
    built = typer.main.get_group(app).commands
    return {name: built[name] for name in names if name}


class LazyCommands(MutableMapping[str, Any]):
    """The root's commands by name; a command's module is imported on first access."""

    def __init__(self, loaded: dict[str, Any]) -> None:
        self._loaded = dict(loaded)

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded and name in COMMANDS:
            loaded = load_commands(COMMANDS[name][0])
            self._loaded.update({key: localize(command) for key, command in loaded.items()})
        return self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in COMMANDS

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self._loaded]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*COMMANDS, *self._loaded]))

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def localize_loaded(self) -> None:
        for command in self._loaded.values():
            localize(command)

    def listing(self) -> dict[str, Any]:
        """Each command, or a stand-in carrying its help where its module isn't loaded."""
        return {
            name: self._loaded.get(name) or localize(TyperCommand(name, help=COMMANDS[name][1]))
            for name in self
        }


class KopsGroup(TyperGroup):
    """Turns KopsError into ``Error: … / Hint: …`` on stderr and exit code 1; loads each
    command's module when it is used; speaks the user's language (cli/localized.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localize(self)
        self.commands = LazyCommands(dict(self.commands))

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # Again in this invocation's language: a test runner sets KOPS_LANG after building.
        localize(self)
        if isinstance(self.commands, LazyCommands):
            self.commands.localize_loaded()
        return super().main(*args, **kwargs)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        # A copy first: click's parser takes the words off the list it is given.
        words = list(args[1]) if len(args) > 1 else list(kwargs.get("args", ()))
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as error:
            raise localize_usage_error(error, _option_first(self, error, words)) from None

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # The list of commands needs their help's first line only: no module is imported.
        commands = self.commands
        if isinstance(commands, LazyCommands):
            self.commands = commands.listing()
        try:
            super().format_commands(ctx, formatter)
        finally:
            self.commands = commands

    def invoke(self, ctx: Any) -> Any:
        start_invocation()
        try:
            current_folder()  # a command run in a removed folder: said before anything runs
            if "--help" not in [*getattr(ctx, "protected_args", ()), *ctx.args]:
                check_pinned()  # so is a KOPS_NOW no command can work at (help still shows)
            return super().invoke(ctx)
        except UsageError as error:
            raise localize_usage_error(error) from None
        except KopsError as error:
            report(error)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            # Typer makes Ctrl-C a silent exit 130: said, as the entry point means to.
            from .shared import err

            err.print(_("Interrupted."))
            raise typer.Exit(130) from None
        except Exception as error:  # a damaged state database, met in a query?
            from ..store.state import state_damage

            named = state_damage(error)
            if named is None:
                raise
            report(named)
            raise typer.Exit(1) from None


def _option_first(group: Any, error: UsageError, words: list[str]) -> str | None:
    """`kops -w DIR status`: a command's option before the command. The hint is the whole
    command with the option after it (「オプション -w はありません」 alone sent the reader
    looking for another option; the command alone lost its other arguments)."""
    name = getattr(error, "option_name", None)
    if not isinstance(error, NoSuchOption) or not name:
        return None
    at = next((i for i, w in enumerate(words) if w == name or w.startswith(f"{name}=")), None)
    if at is None:
        return None
    first = next((i for i, w in enumerate(words) if i > at and w in COMMANDS), None)
    if first is None:
        return None
    path, command = [words[first]], group.commands[words[first]]
    for word in words[first + 1 :]:  # `mail send`: the options are the subcommand's
        subcommands = getattr(command, "commands", None)
        if not isinstance(subcommands, Mapping) or word not in subcommands:
            break
        path.append(word)
        command = subcommands[word]
    option = next((p for p in command.params if name in (*p.opts, *p.secondary_opts)), None)
    if option is None:
        return None  # an option of no command there: the error says enough
    takes_value = not getattr(option, "is_flag", False) and words[at] == name
    given = [words[at]]
    if takes_value:
        # Its value, if one was typed between it and the command; else where one goes.
        given.append(words[at + 1] if at + 1 < first else str(option.metavar or "DIR"))
    rest = [w for i, w in enumerate(words) if i != at and not (takes_value and i == at + 1 < first)]
    end = rest.index(path[0]) + len(path)
    typed = shlex.join(["kops", *rest[:end], *given, *rest[end:]])
    return _("options come after the command: {command}").format(command=typed)


def report(error: KopsError) -> None:
    from .shared import err  # with the settings it loads: not needed for `kops --help`

    label, hint_label = _("Error:"), _("Hint:")
    err.print(f"[bold red]{label}[/bold red] {escape(redact(error.message))}", highlight=False)
    if error.hint:
        err.print(f"[bold]{hint_label}[/bold] {escape(redact(error.hint))}", highlight=False)


app = typer.Typer(
    name="kops",
    cls=KopsGroup,
    help=(
        "kops: the KAKEAI 1on1 secretariat's toolkit.\n\n"
        "Ingest the service's usage exports, find each user's stuck point, "
        "and act on it.\n\n"
        # No `&&`: Windows PowerShell 5.1 refuses it; each command on its own works anywhere.
        "Start with: kops init my-workspace, then in that folder: "
        "kops ingest users.csv pairs.csv meetings.xlsx"
    ),
    no_args_is_help=True,
    **_SETTINGS,
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


def _printable_streams() -> None:
    """Help and messages are Japanese. Piped or redirected on Windows, Python writes in the
    ANSI code page (cp932), which lacks a few characters (〜 U+301C, – U+2013): those print
    as "?" instead of the command failing. A console or a UTF-8 stream is left as it is."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf_8") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def main() -> None:
    """Console entry point; an unexpected error prints one line, not a traceback
    (tracebacks can carry local values such as configuration)."""
    _printable_streams()
    # A command makes millions of objects (importing pandas, building frames) and little
    # cyclic garbage: a collection every 700 of them cost about 5% of a short command.
    gc.set_threshold(50_000)
    # Arrow's buffers from the C library's allocator, as NumPy's and pandas' are, rather
    # than a second allocator with its own arenas: the pages one library frees the
    # other reuses. A command's system time halves (segment on 64k users: 0.57 → 0.25 s)
    # and its peak shrinks by a tenth. Read when pyarrow first allocates; a user's
    # own choice stands.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    try:
        app(prog_name="kops")
    except KopsError as error:  # raised outside a command (e.g. in a callback)
        report(error)
        sys.exit(1)
    except KeyboardInterrupt:
        from .shared import err

        err.print(_("Interrupted."))
        sys.exit(130)
    except OSError as error:
        if error.errno not in _DISK_FULL:
            _internal_error(error)
        # `kops … > out.csv` on a full drive: said, and stdout put aside, so that Python's
        # last flush at exit does not fail again with its own message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        report(
            KopsError(
                _("could not write the output: the disk is full"),
                hint=_("free some space on the drive it goes to, or send it elsewhere"),
            )
        )
        sys.exit(1)
    except Exception as error:
        _internal_error(error)


# ENOSPC, and EDQUOT (a user's quota) where the system has it.
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _internal_error(error: Exception) -> NoReturn:
    if os.environ.get("KOPS_DEBUG") == "1":
        raise error
    from .shared import err

    label, hint_label = _("Internal error:"), _("Hint:")
    hint = _("Set KOPS_DEBUG=1 to see the traceback.")
    err.print(
        f"[bold red]{label}[/bold red] {type(error).__name__}: {escape(redact(str(error)))}",
        highlight=False,
    )
    err.print(f"[bold]{hint_label}[/bold] {hint}", highlight=False)
    sys.exit(2)
