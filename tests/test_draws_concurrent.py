"""Two draws at once draw once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import Cli
from kakeai_ops.workspace import Workspace
from test_campaign_draw import CAMPAIGN, _eligible, _entries_file


def _kops(ws: Workspace, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "KOPS_WORKSPACE": str(ws.root), "KOPS_QUIET": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "kakeai_ops", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_draws_at_once_draw_once(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, ids[:10])))
    draws = [
        _kops(sample_copy, "campaign", "draw", CAMPAIGN, "-n", "2", "--seed", seed)
        for seed in ("one", "two")
    ]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in draws]
    assert sorted(code for code, _ in results) == [0, 1]
    refused = next(stderr for code, stderr in results if code == 1)
    assert f"campaign '{CAMPAIGN}' has been drawn already (draw 1)" in refused
    assert "Internal error" not in refused
    cli("campaign", "draw", CAMPAIGN, "--verify")
