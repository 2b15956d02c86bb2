"""A command a message tells the reader to run names what kops knows (the run, the
campaign), quoted as a shell needs it: 「`kops mail status RUN`」 failed with 「配信 'RUN'
はありません」, and `kops mail unsuppress bad address` with 「unexpected extra argument」."""

from __future__ import annotations

import re
import shlex

from typer.main import get_command

from conftest import Cli
from kakeai_ops import i18n
from kakeai_ops.cli.app import COMMANDS, app, load_commands
from kakeai_ops.workspace import Workspace
from test_i18n import MESSAGES, _msgid

# What kops always knows when it says the hint: never left for the reader to fill in.
KNOWN_PLACEHOLDERS = re.compile(r"`kops [^`]*\b(RUN|ID|CAMPAIGN)\b[^`]*`")


def _help_texts() -> set[str]:
    """Every paragraph of every command's and option's help, as the catalog holds them."""
    for module, _first in COMMANDS.values():
        load_commands(module)
    found: set[str] = set()

    def walk(command: object) -> None:
        texts = [getattr(command, "help", None)]
        texts += [getattr(param, "help", None) for param in command.params]  # type: ignore[attr-defined]
        for text in filter(None, texts):
            found.update(i18n.help_messages(text))
        for child in (getattr(command, "commands", None) or {}).values():
            walk(child)

    walk(get_command(app))
    return found


def test_no_hint_leaves_a_run_or_campaign_for_the_reader_to_fill_in() -> None:
    """Messages, not help texts: a command's help says its usage with placeholders."""
    helps = _help_texts()
    found = [
        _msgid(m)
        for m in MESSAGES
        if KNOWN_PLACEHOLDERS.search(_msgid(m)) and _msgid(m) not in helps
    ]
    assert found == []


def test_an_unsuppress_hint_is_a_command_that_runs(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    done = cli("mail", "suppress", "bad address", "--reason", "a typo")
    (line,) = [x for x in done.stderr.splitlines() if "kops mail unsuppress" in x]
    command = re.search(r"`(kops mail unsuppress [^`]*)`", line)
    assert command is not None and "'bad address'" in command.group(1)
    cli(*shlex.split(command.group(1))[1:])
    assert "bad address" not in cli("mail", "suppressed", "--format", "csv").stdout
