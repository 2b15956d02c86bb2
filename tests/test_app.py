"""Every command has help with an example and python -m works (the docs: tests/test_docs.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from conftest import Cli
from kakeai_ops.cli.app import app
from kakeai_ops.workspace import Workspace


def _commands() -> list[list[str]]:
    root = get_command(app)
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, [*path, name])
        else:
            found.append(path)

    walk(root, [])
    return found


COMMANDS = _commands()


def test_the_walk_finds_the_commands() -> None:
    assert ["ingest"] in COMMANDS and ["status"] in COMMANDS and ["init"] in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    result = Cli(None)(*path, "--help")
    assert "Example:" in result.stdout, f"kops {' '.join(path)} --help has no example"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_ends_with_the_example(path: list[str]) -> None:
    command = get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    last = (command.help or "").strip().split("\n\n")[-1].strip()
    assert last.startswith("Example:"), f"kops {' '.join(path)}: help ends with {last!r}"


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kakeai_ops", "--help"], capture_output=True, text=True, check=True
    )
    assert "kops" in result.stdout and "ingest" in result.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [("init", "--print-config"), ("--version",)])
def test_output_to_a_full_disk_is_said(args: tuple[str, ...]) -> None:
    """`kops … > out.csv` on a full drive ended in `Internal error: OSError: [Errno 28]`."""
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "kakeai_ops", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "KOPS_LANG": "en"},
        )
    assert result.returncode == 1, result.stderr
    assert "Error: could not write the output: the disk is full" in result.stderr, result.stderr
    assert "Hint:" in result.stderr
    assert "Internal error" not in result.stderr and "Exception ignored" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is a POSIX signal")
def test_ctrl_c_says_it_was_interrupted(ws: Workspace, tmp_path: Path) -> None:
    """Typer turned Ctrl-C into a silent exit 130: a command stopped while it waited (for
    the workspace, here) or worked left no word of it."""
    import signal
    import time

    from filelock import FileLock

    err = tmp_path / "err.txt"
    with FileLock(str(ws.lock_path)), err.open("w") as sink:
        waiter = subprocess.Popen(
            [sys.executable, "-m", "kakeai_ops", "interview", "exclude", "000101", "--reason", "x"],
            env={**os.environ, "KOPS_WORKSPACE": str(ws.root), "KOPS_LANG": "en"},
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
        deadline = time.monotonic() + 30
        while "waiting up to" not in err.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline and waiter.poll() is None, err.read_text()
            time.sleep(0.02)
        waiter.send_signal(signal.SIGINT)
        assert waiter.wait(timeout=30) == 130
    assert "Interrupted." in err.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("words", "typed"),
    [
        (("-w", "{ws}", "status"), "kops status -w {ws}"),
        (("--workspace={ws}", "status"), "kops status --workspace={ws}"),
        (("--workspace", "{ws}", "segment", "--list"), "kops segment --workspace {ws}"),
        (("-w", "{ws}", "mail", "status"), "kops mail status -w {ws}"),
        # The whole command: its other arguments kept (RUN was lost), a value's place named.
        (
            ("-w", "{ws}", "mail", "report", "r1", "--format", "csv"),
            "kops mail report -w {ws} r1 --format csv",
        ),
        (("-w", "status"), "kops status -w DIR"),
    ],
)
def test_an_option_before_the_command_is_told_where_it_goes(
    ws: Workspace, words: tuple[str, ...], typed: str
) -> None:
    """`kops -w DIR status` said only that there is no option -w (it is the command's)."""
    args = [w.format(ws=ws.root) for w in words]
    result = Cli(None)(*args, ok=False)
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert f"Hint: options come after the command: {typed.format(ws=ws.root)}" in said
    other = Cli(None)("--bogus", "status", ok=False)
    assert "No such option" in other.stderr and "Hint:" not in other.stderr
