"""The secretariat's lists are publications when written to a file: `--out` records one
audit entry (command, file, audience, 基準日, rows) once the file is written; a refused
write records none; printed to the terminal only, nothing in the workspace changes.

Counts are checked against the file read back; workspaces are copies of the sample."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from conftest import Cli, tree_digest
from kakeai_ops.workspace import Workspace

NOW = {"KOPS_NOW": "2026-11-21T10:00:00+09:00"}
RUN = "no_prep.member-2026-11"

# command words, extra arguments, as-of date the entry records
LISTS: list[tuple[tuple[str, ...], str | None]] = [
    (("segment",), "2026-11-20"),
    (("segment", "--list"), "2026-11-20"),
    (("campaign", "eligible", "exec-1on1-2026h2", "--all"), "2026-11-20"),
    (("campaign", "milestones"), "2026-11-20"),
    (("interview", "shortlist"), "2026-11-20"),
    # A run's list is of the run planned on the data as of its 基準日 (its file's header
    # says so too), not of the day it is written.
    (("mail", "status", RUN), "2026-11-20"),
    # The seminars are no data's: no 基準日 (its header has none); the entry's time is
    # when it was written (the day written, given as its 基準日, read as the data's).
    (("seminar", "list"), None),
    (("seminar", "summary", "month1"), "2026-11-20"),
]
IDS = [" ".join(words) for words, _ in LISTS]
NAMES = {
    "segment": "segment",
    "campaign": "campaign {}",
    "interview": "interview shortlist",
    "mail": "mail status",
    "seminar": "seminar {}",
}


def _command(words: tuple[str, ...]) -> str:
    return NAMES[words[0]].format(words[1] if len(words) > 1 else "")


@pytest.fixture(scope="module")
def _listed_once(sample_ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A copy of the sample with one mail run (outbox), made once for the file."""
    ws = Workspace(tmp_path_factory.mktemp("listed") / "ws")
    shutil.copytree(sample_ws.root, ws.root)
    Cli(ws)("mail", "send", "--segment", "no_prep", "--role", "member", "--yes", env=NOW)
    return ws


@pytest.fixture
def listed(_listed_once: Workspace, tmp_path: Path) -> Workspace:
    """The sample copy with one mail run (outbox), so that `mail status` has a run: a
    private copy of the one made for the file (each test writes to it)."""
    ws = Workspace(tmp_path / "listed-ws")
    shutil.copytree(_listed_once.root, ws.root)
    return ws


def _entries(ws: Workspace) -> list[dict[str, Any]]:
    result = Cli(ws)("audit", "--format", "json", "--limit", "100", env=NOW)
    return list(json.loads(result.stdout))


def _rows(path: Path) -> int:
    """Rows of the file's first table, read back."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return len(list(csv.reader(handle))) - 1
    sheet = load_workbook(path).worksheets[0]
    return sum(1 for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row))


@pytest.mark.parametrize(("words", "as_of"), LISTS, ids=IDS)
def test_a_list_written_to_a_file_is_recorded_once(
    listed: Workspace, tmp_path: Path, words: tuple[str, ...], as_of: str | None
) -> None:
    cli = Cli(listed)
    before = _entries(listed)
    target = tmp_path / ("list.xlsx" if "summary" in words else "list.csv")
    cli(*words, "--out", str(target), env=NOW)
    assert target.exists()
    after = _entries(listed)
    assert len(after) == len(before) + 1
    entry = after[0]
    assert entry["action"] == _command(words)
    assert entry["files"] == [str(target.resolve())]
    assert entry["audience"] == "secretariat" and entry["detail"]["audience"] == "secretariat"
    assert entry["as_of"] == as_of
    if words[0] == "segment" and "--list" not in words:
        # The summary counts people: its total column adds up to them.
        with target.open(encoding="utf-8-sig", newline="") as handle:
            total = sum(int(r["合計"]) for r in csv.DictReader(handle))
        assert entry["count"] == total > 0
    elif words[0] == "seminar" and words[1] == "summary":
        # The people it is about: invited, and those who came uninvited.
        overview = {
            r[0]: r[1] for r in load_workbook(target).worksheets[0].iter_rows(values_only=True)
        }
        assert entry["count"] == overview["招待"] + overview["招待外の参加"]
    else:
        assert entry["count"] == _rows(target) > 0
    # `kops audit` shows it readably: who may see it and its 基準日.
    table = cli("audit", "--limit", "1", env={**NOW, "KOPS_LANG": "ja"}).stdout
    assert "公開範囲" in table and "事務局内限り" in table and (as_of or "") in table


@pytest.mark.parametrize(("words", "as_of"), LISTS, ids=IDS)
def test_a_refused_write_and_the_terminal_leave_no_trace(
    listed: Workspace, tmp_path: Path, words: tuple[str, ...], as_of: str | None
) -> None:
    cli = Cli(listed)
    cli("audit", "--limit", "1", env=NOW)  # the log's table exists before the digest
    before = tree_digest(listed.root)
    for bad in (tmp_path / "list.txt", tmp_path / "missing" / "list.xlsx"):
        refused = cli(*words, "--out", str(bad), env=NOW, ok=False)
        assert refused.exit_code != 0 and not bad.exists()
    for fmt in ("table", "csv", "json"):
        cli(*words, "--format", fmt, env=NOW)
    assert tree_digest(listed.root) == before


def test_a_shared_audience_is_refused_before_anything_is_written(
    listed: Workspace, tmp_path: Path
) -> None:
    before = tree_digest(listed.root)
    target = tmp_path / "list.xlsx"
    refused = Cli(listed)("segment", "--audience", "shared", "--out", str(target), ok=False)
    assert refused.exit_code != 0 and not target.exists()
    assert tree_digest(listed.root) == before
