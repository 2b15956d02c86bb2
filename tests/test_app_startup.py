"""`kops --help`, `init` and `status` start without the data libraries (half a second of
imports in every process); the list of commands is the real one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from typer.main import get_command

from kakeai_ops.cli.app import COMMANDS, app, load_commands
from kakeai_ops.workspace import Workspace

HEAVY = (
    "pandas",
    "numpy",
    "pyarrow",
    "scipy",
    "highspy",
    "openpyxl",
    "jinja2",
    "pydantic",
    "statsmodels",
)
DATA = {"pandas", "numpy", "pyarrow", "polars"}


def _imported_by(*args: str, check: bool = True) -> set[str]:
    """Top-level packages a fresh `python -m kakeai_ops ARGS` imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kakeai_ops", *args],
        capture_output=True,
        text=True,
        check=check,
        env={**os.environ, "KOPS_QUIET": "1"},
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
    assert imported.isdisjoint({"scipy", "highspy", "openpyxl", "statsmodels"})


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


def test_init_imports_no_data_library(tmp_path: Path) -> None:
    imported = _imported_by("init", str(tmp_path / "fresh"))
    assert (tmp_path / "fresh" / "kops.yaml").is_file()
    assert "yaml" in imported
    assert imported.isdisjoint(DATA), sorted(imported & DATA)


def test_status_lists_snapshots_without_data_libraries(
    cli: Callable[..., object], ws: Workspace, make_exports: Callable[..., list[Path]]
) -> None:
    cli("ingest", *map(str, make_exports()))
    for options in ((), ("--format", "json")):
        imported = _imported_by("status", "-w", str(ws.root), *options)
        assert "kakeai_ops" in imported and "yaml" in imported
        assert imported.isdisjoint(DATA), (options, sorted(imported & DATA))
    # Reading a snapshot back does need them (and the check above sees them when loaded).
    assert "pandas" in _imported_by("status", "-w", str(ws.root), "--load")


def test_signing_in_to_mail_imports_no_data_library(ws: Workspace) -> None:
    for args in (
        ("mail", "login", "--help"),
        ("mail", "logout", "-w", str(ws.root)),  # refused (no sign-in configured): still light
    ):
        imported = _imported_by(*args, check=False)
        assert "kakeai_ops" in imported and "typer" in imported
        assert imported.isdisjoint(DATA), (args, sorted(imported & DATA))
    # Planning a run does need them.
    assert "pandas" in _imported_by("mail", "plan", "--help")


def test_the_snapshot_commands_load_without_the_data_libraries() -> None:
    """`segment` and `campaign eligible` start reading their snapshot before they import
    pandas and the analyses (Session.read_ahead): their modules load without them, so
    the import overlaps the reading. (Their help shows it.)"""
    for args in (("segment", "--help"), ("campaign", "eligible", "--help")):
        imported = _imported_by(*args)
        assert "kakeai_ops" in imported and "typer" in imported
        assert imported.isdisjoint(DATA), (args, sorted(imported & DATA))


def test_the_lists_as_csv_never_load_pandas(
    cli: Callable[..., object], ws: Workspace, make_exports: Callable[..., list[Path]]
) -> None:
    """`segment --list --format csv` and `campaign eligible --format csv` judge the
    snapshot's Arrow tables and write them without pandas (a third of a second of their
    start); the other forms use the frames."""
    cli("ingest", *map(str, make_exports()))
    w = ("-w", str(ws.root))
    eligible = ("campaign", "eligible", "exec-1on1-2026h2", *w)
    for args in (
        (*eligible, "--all", "--format", "csv"),
        ("segment", *w, "--list", "--format", "csv"),
    ):
        imported = _imported_by(*args)
        assert "pyarrow" in imported and "numpy" in imported
        assert "pandas" not in imported, args
    assert "pandas" in _imported_by(*eligible, "--format", "json")
