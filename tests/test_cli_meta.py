"""Every command has help with an example, python -m works, the README covers every command."""

from __future__ import annotations

import subprocess
import sys

from typer.main import get_command

from conftest import REPO, Cli
from kakeai_ops.cli.app import app


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


def test_every_command_has_help_with_an_example() -> None:
    cli = Cli(None)
    commands = _commands()
    assert ["ingest"] in commands and ["status"] in commands and ["init"] in commands
    for path in commands:
        result = cli(*path, "--help")
        assert "Example:" in result.stdout, f"kops {' '.join(path)} --help has no example"


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kakeai_ops", "--help"], capture_output=True, text=True, check=True
    )
    assert "kops" in result.stdout and "ingest" in result.stdout


def test_readme_mentions_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path in _commands():
        assert f"kops {' '.join(path)}" in readme, f"README does not mention kops {' '.join(path)}"
