"""jobs.workspace_init: `kops init` given a path no workspace can be made at says why, in
the reader's words, and makes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("notes.txt", "notes.txt: a file, not a folder"),
        ("notes.txt/ws", "notes.txt: a file, not a folder"),
        ("CON", "Windows does not allow this folder name (CON is a name Windows keeps"),
        ("a" * 300, "the name is too long"),
        ("odd", "kops.yaml is a folder, not the settings file"),
    ],
)
def test_init_where_no_workspace_can_be_is_said(tmp_path: Path, where: str, said: str) -> None:
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "odd" / "kops.yaml").mkdir(parents=True)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    result = Cli(None)("init", str(tmp_path / where), ok=False)
    assert result.exit_code == 1 and said in result.stderr, result.stderr
    assert "Hint:" in result.stderr and "Internal error" not in result.stderr
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    japanese = Cli(None)("init", str(tmp_path / where), env={"KOPS_LANG": "ja"}, ok=False)
    assert "エラー:" in japanese.stderr and "ヒント:" in japanese.stderr, japanese.stderr


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs Linux's /sys")
def test_init_on_a_read_only_drive_is_said() -> None:
    result = Cli(None)("init", "/sys/kops-ws", ok=False)
    assert result.exit_code == 1 and "no permission to write there" in result.stderr
