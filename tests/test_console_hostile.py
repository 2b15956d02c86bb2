"""Terminal output never carries a control character from data: an ESC in a name, a
file name or a typed value can't clear the screen, retitle the window or hide text."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE, Cli
from kakeai_ops.cli import console
from kakeai_ops.workspace import Workspace

HOSTILE = ["\x1b[2J", "\x1b]0;pwned\x07", "\x9b31m", "a\rb", "x\x08y", "\u202etxt", "\x00"]


def _no_control(text: str) -> None:
    for bad in ("\x1b", "\x07", "\x9b", "\r", "\x08", "\u202e", "\x00"):
        assert bad not in text, repr(text)


@pytest.mark.parametrize("value", HOSTILE)
def test_printed_data_and_tables_carry_no_control_character(value: str) -> None:
    console.start_invocation()
    buffer = io.StringIO()
    console.out.file = buffer
    console.out.print(f"name: {value}", highlight=False)
    console.out.print(console.plain(value))
    console.out.print(console.frame_table(pd.DataFrame({"name": [value]}), title=value))
    text = buffer.getvalue()
    _no_control(text)
    assert "name: " in text


def test_a_typed_value_in_an_error_is_shown_inert(sample_copy: Workspace) -> None:
    result = Cli(sample_copy)(
        "mail", "preview", "--segment", "no_recurrence", "--user", "\x1b[2J\x1b]0;x\x07", ok=False
    )
    assert result.exit_code == 1 and "Internal error" not in result.stderr
    _no_control(result.stderr)
    assert "no user '" in result.stderr and "in this snapshot" in result.stderr


def test_a_file_name_with_escapes_is_listed_inert(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for source in sorted((SAMPLE / "2026-11").iterdir()):
        name = source.name if "users" not in source.name else "\x1b[2J users.csv"
        (folder / name).write_bytes(source.read_bytes())
    cli = Cli(ws)
    cli("ingest", *map(str, sorted(folder.iterdir())))
    listing = cli("status").stdout
    _no_control(listing)
    assert "users.csv" in listing


@pytest.mark.parametrize("columns", ["0", "-5", "abc", "", "80x"])
def test_a_garbage_columns_still_shows_the_error_and_the_data(
    sample_ws: Workspace, tmp_path: Path, columns: str
) -> None:
    """COLUMNS=0 (a broken terminal setting) made Rich print nothing at all, the errors
    included: a command failed in silence. A width that is no width is ignored."""
    missing = Cli(None)("status", "-w", str(tmp_path / "none"), env={"COLUMNS": columns}, ok=False)
    assert missing.exit_code == 1 and "Error:" in missing.stderr, repr(missing.stderr)
    assert "Hint:" in missing.stderr
    listed = Cli(sample_ws)("segment", env={"COLUMNS": columns})
    assert "no_prep" in listed.stdout and "Audience:" in listed.stderr, repr(listed.stdout)
