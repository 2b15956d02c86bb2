"""``kops mail``: each subcommand's module is loaded when it is used.

Signing in and checking the server (``login``, ``logout``, ``check``: cli/mail_auth.py)
read no snapshot, so they do not load the planning and sending code with pandas, NumPy
and pyarrow (half a second in every process); every other subcommand is in
cli/mail_command.py, loaded when one of them runs or the list is shown.
tests/test_app_startup.py checks what ``kops mail login`` imports.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

from .localized import localize

SIGN_IN = ("check", "login", "logout")


def _built(commands: typer.Typer) -> dict[str, Any]:
    """The click commands of ``commands``, built as the root app builds its own."""
    from .app import app as root

    return {
        str(info.name): typer.main.get_command_from_info(
            info,
            pretty_exceptions_short=root.pretty_exceptions_short,
            rich_markup_mode=root.rich_markup_mode,
        )
        for info in commands.registered_commands
    }


@functools.cache
def _sign_in() -> dict[str, Any]:
    """The sign-in subcommands, built from cli/mail_auth.py alone."""
    from . import mail_auth

    commands = typer.Typer()
    commands.command("check")(mail_auth.check_command)
    commands.command("login")(mail_auth.login_command)
    commands.command("logout")(mail_auth.logout_command)
    return _built(commands)


@functools.cache
def _all() -> dict[str, Any]:
    """Every subcommand, in the order cli/mail_command.py registers them."""
    from . import mail_command

    return _built(mail_command.app)


class _Subcommands(MutableMapping[str, Any]):
    """The group's subcommands by name, built on first use, in the user's language."""

    def __getitem__(self, name: str) -> Any:
        return localize(_sign_in()[name] if name in SIGN_IN else _all()[name])

    def __iter__(self) -> Iterator[str]:
        return iter(_all())

    def __len__(self) -> int:
        return len(_all())

    def __setitem__(self, name: str, command: Any) -> None:
        raise TypeError("kops mail's subcommands are registered in cli/mail_command.py")

    def __delitem__(self, name: str) -> None:
        raise TypeError("kops mail's subcommands are registered in cli/mail_command.py")


class MailGroup(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Subcommands()


app = typer.Typer(
    cls=MailGroup,
    help="Targeted mail: stuck-point nudges, seminars, milestones, campaign news.\n\n"
    "Example: kops mail send --segment no_prep --role member --dry-run",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="mail")
