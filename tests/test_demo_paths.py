"""The demo's last line is a command to paste: it still works in a folder with a space."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.skipif(os.name == "nt", reason="the POSIX form of the suggested command")
def test_the_demo_suggests_a_command_that_pastes_whole(demo_run: tuple[Path, Any]) -> None:
    root, result = demo_run  # made in a folder named 「山田 太郎/kops demo」
    assert " " in str(root) and "山田" in str(root)
    assert f'cd "{root}" && kops status' in result.stderr
    line = next(x for x in result.stderr.splitlines() if "&& kops status" in x)
    pasted = line[line.index("cd ") :]
    assert shlex.split(pasted)[:2] == ["cd", str(root)]
