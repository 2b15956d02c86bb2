"""cli.options: what the options shared by commands read before the command runs."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE, Cli
from kakeai_ops.cli.options import expanded
from kakeai_ops.workspace import Workspace


def test_a_pattern_names_the_files_it_matches(tmp_path: Path) -> None:
    """cmd and PowerShell hand `*.csv` to kops as typed: it was "file not found"."""
    for name in ("b.csv", "a.csv", "~$a.csv", "c.xlsx"):
        (tmp_path / name).write_text("x")
    assert expanded([tmp_path / "*.csv"]) == [tmp_path / "a.csv", tmp_path / "b.csv"]
    assert expanded([tmp_path / "?.xlsx", tmp_path / "a.csv"]) == [
        tmp_path / "c.xlsx",
        tmp_path / "a.csv",
    ]
    assert expanded([tmp_path / "*.pdf"]) == [tmp_path / "*.pdf"]  # said by the reader


def test_ingest_of_a_pattern_reads_the_exports_it_names(ws: Workspace, tmp_path: Path) -> None:
    exports = tmp_path / "2026-11"
    exports.mkdir()
    for name in ("users.csv", "pairs.csv"):
        (exports / name).write_bytes((SAMPLE / "2026-11" / name).read_bytes())
    (exports / "~$users.csv").write_bytes(b"\x0bsecretariat")  # Excel's, hidden on Windows
    Cli(ws)("ingest", str(exports / "*.csv"))
    assert len(list(ws.snapshots_dir.glob("0*"))) == 1
    none = Cli(ws)("ingest", str(exports / "*.xlsx"), ok=False)
    assert "*.xlsx: no file matches this pattern" in none.stderr, none.stderr
