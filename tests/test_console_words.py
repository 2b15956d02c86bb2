"""What the secretariat reads on the terminal: Japanese headers and values, the words the
workbooks use (docs/glossary.md), no machine key, and each figure true to a recount."""

from __future__ import annotations

import re

import pandas as pd

from conftest import Cli
from kakeai_ops import glossary
from kakeai_ops.workspace import Workspace

KEYS = tuple(glossary.STUCK_POINTS)


def _no_machine_words(text: str) -> None:
    for key in KEYS:
        assert not re.search(rf"\b{key}\b", text), key
    for english in ("users", "total", "share", "stuck point", "Moved on", "as of", "before"):
        assert english not in text, english


def _rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if "│" in line]


def test_the_segment_summary_speaks_japanese_and_adds_up(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    text = cli("segment").stdout
    _no_machine_words(text)
    users = pd.read_parquet(sample_ws.snapshots_dir / "0002" / "users.parquet")
    here = int((users["employment"] != "退職").sum())
    assert f"（{here}人、基準日 2026-11-20、スナップショット 0002）" in text
    rows = {r[0]: r for r in _rows(text)}
    assert set(rows) == set(glossary.STUCK_POINTS.values())
    assert sum(int(r[5]) for r in rows.values()) == here
    for row in rows.values():  # the share is of everyone counted, as a whole percent
        assert row[6] == f"{int(row[5]) / here:.0%}"
    by = cli("segment", "--by", "division").stdout
    _no_machine_words(by)
    assert "事業部別" in by and "定着の割合" in by


def test_movement_lists_and_explain_speak_japanese(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    for args in (("--compare", "1"), ("--list",), ("--stuck-point", "no_prep", "--list")):
        text = cli("segment", *args).stdout
        _no_machine_words(text)
    user = cli("segment", "--list", "--format", "csv").stdout.splitlines()[1].split(",")[0]
    explained = cli("segment", "--explain", user).stdout
    _no_machine_words(explained)
    assert "記録:" in explained and "基準:" in explained
