"""outputs.files: one atomic write for every file kops writes, and shares as people read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kakeai_ops.outputs.files import percent, replacing, write_atomically


def test_write_atomically_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary left


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(target, suffix=".xlsx") as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_percent() -> None:
    assert percent(0.125) == "12.5%"
    assert percent(None) == "-" and percent(float("nan")) == "-"
