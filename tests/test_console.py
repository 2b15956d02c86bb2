"""The terminal consoles: made per invocation, so each run's width is its own."""

from __future__ import annotations

import pytest

from conftest import Cli
from kakeai_ops.workspace import Workspace


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_each_invocation_takes_its_own_width(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A terminal that exports COLUMNS=80 must not fix the width of every later run.
    monkeypatch.setenv("COLUMNS", "80")
    cli = Cli(sample_ws)
    narrow = cli("segment", "--list", env={"COLUMNS": "80"})
    wide = cli("segment", "--list", env={"COLUMNS": "200"})
    assert _widest(narrow.stdout) <= 80
    assert _widest(wide.stdout) > 80
    again = cli("segment", "--list", env={"COLUMNS": "80"})
    assert _widest(again.stdout) <= 80


def test_piped_output_is_wide_without_columns(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    result = Cli(sample_ws)("segment", "--list", env={"COLUMNS": ""})
    assert 80 < _widest(result.stdout) <= 160
