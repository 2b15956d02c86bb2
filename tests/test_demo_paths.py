"""The demo's last line is a command to paste: it still works in a folder with a space."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import Cli


@pytest.mark.skipif(os.name == "nt", reason="the POSIX form of the suggested command")
def test_the_demo_suggests_a_command_that_pastes_whole(tmp_path: Path) -> None:
    root = tmp_path / "山田 太郎" / "kops demo"
    result = Cli(None)("demo", "--workspace", str(root), env={"KOPS_QUIET": "0"})
    assert f'cd "{root}" && kops status' in result.stderr
