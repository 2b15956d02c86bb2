"""The demo's last line is a command to paste: it still works in a folder with a space."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli


@pytest.mark.skipif(os.name == "nt", reason="the POSIX form of the suggested command")
def test_the_demo_suggests_a_command_that_pastes_whole(demo_run: tuple[Path, Any]) -> None:
    root, result = demo_run  # made in a folder named 「山田 太郎/kops demo」
    assert " " in str(root) and "山田" in str(root)
    assert f'cd "{root}" && kops status' in result.stderr
    line = next(x for x in result.stderr.splitlines() if "&& kops status" in x)
    pasted = line[line.index("cd ") :]
    assert shlex.split(pasted)[:2] == ["cd", str(root)]


def test_the_demo_names_every_rehearsed_run_with_its_mails(demo_run: tuple[Path, Any]) -> None:
    """Every run the month wrote to the outbox is named with its count of .eml files (the
    demo's mail is all rehearsal): not one of them, as if the others had not been written."""
    root, result = demo_run
    folders = sorted(
        p for p in (root / "outbox").iterdir() if p.is_dir() and not p.name.endswith("-dry-run")
    )
    assert len(folders) == 5  # the invitation, two nudges, the award, the recording
    lines = result.stderr.splitlines()
    assert (
        f"  mail written to the outbox (a rehearsal, not delivered): {len(folders)} runs" in lines
    )
    for folder in folders:
        count = len(list(folder.glob("*.eml")))
        assert count > 0
        assert f"    outbox/{folder.name} ({count} mails)" in lines


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("notes.txt", "notes.txt: a file, not a folder"),
        ("notes.txt/demo", "notes.txt: a file, not a folder"),
        ("CON", "CON is a name Windows keeps for a device"),
    ],
)
def test_the_demo_where_no_workspace_can_be_says_why(tmp_path: Path, where: str, said: str) -> None:
    """--workspace a file ended in `Internal error: NotADirectoryError` after the demo began."""
    (tmp_path / "notes.txt").write_text("x")
    result = Cli(None)("demo", "--workspace", str(tmp_path / where), ok=False)
    assert result.exit_code == 1 and said in result.stderr, result.stderr
    assert "KOPS_NOW" not in result.stderr  # before the first step
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
