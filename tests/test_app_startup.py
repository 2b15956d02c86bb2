"""`kops --help` starts without the data libraries; its list of commands is the real one."""

from __future__ import annotations

import subprocess
import sys

from typer.main import get_command

from kakeai_ops.cli.app import COMMANDS, app, load_commands

HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "openpyxl", "jinja2", "pydantic", "statsmodels")


def _imported_by(*args: str) -> set[str]:
    """Top-level packages a fresh `python -m kakeai_ops ARGS` imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kakeai_ops", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_help_imports_no_data_library() -> None:
    imported = _imported_by("--help")
    assert "typer" in imported  # the check sees imports at all
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))


def test_a_commands_help_imports_only_its_module() -> None:
    imported = _imported_by("init", "--help")
    assert "pydantic" in imported  # init reads settings: its module was loaded
    assert imported.isdisjoint({"scipy", "openpyxl", "statsmodels"})


def test_the_listed_help_is_each_commands_own() -> None:
    root = get_command(app)
    assert list(root.commands) == list(COMMANDS)
    for name, (module, first_paragraph) in COMMANDS.items():
        command = root.commands[name]
        assert name in load_commands(module), f"{name} is not registered by cli.{module}"
        assert (command.help or "").split("\n\n")[0].strip() == first_paragraph, name


def test_every_registered_command_is_listed() -> None:
    registered = {name for module, _ in COMMANDS.values() for name in load_commands(module)}
    assert registered == set(COMMANDS)
