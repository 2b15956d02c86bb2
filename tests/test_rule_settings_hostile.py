"""Privacy settings that cannot be right are refused naming the key, before any
command that publishes writes anything: the output directory and the workspace
are as they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Cli, tree_digest


def _min_group_2(data: dict[str, Any]) -> None:
    data["privacy"]["min_group"] = 2


def _merge_unknown(data: dict[str, Any]) -> None:
    data["privacy"]["merge"] = [["経営企画室", "経営戦略室"]]


def _merge_not_siblings(data: dict[str, Any]) -> None:
    data["privacy"]["merge"] = [["経営企画室", "製造本部/調達部"]]


def _scope_unknown(data: dict[str, Any]) -> None:
    data["advisors"]["営業本部長"]["scope"] = ["営業部本"]


ADVISORS = {"営業本部長": {"email": "sales@example.jp", "name": "山田 太郎", "scope": ["営業本部"]}}


BAD = {
    "min_group below 3": (_min_group_2, "privacy.min_group"),
    "merge names an unknown unit": (_merge_unknown, "privacy.merge[0]"),
    "merge names units that are not siblings": (_merge_not_siblings, "privacy.merge[0]"),
    "a scope names no unit": (_scope_unknown, "advisors.営業本部長.scope"),
}

COMMANDS = {
    "company report": lambda out: ["report", "divisions", "--out", str(out / "report.xlsx")],
    "advisor reports": lambda out: [
        "report",
        "divisions",
        "--all-advisors",
        "--out",
        str(out / "advisors"),
    ],
    "deck": lambda out: ["review", "--out", str(out / "deck.pptx")],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("bad", list(BAD))
def test_bad_privacy_settings_are_refused_before_anything_is_written(
    sample_copy: Any, tmp_path: Path, bad: str, command: str
) -> None:
    change, key = BAD[bad]
    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data.setdefault("privacy", {})
    data["advisors"] = ADVISORS
    change(data)
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), "utf-8"
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept", "utf-8")
    before, workspace = tree_digest(out), tree_digest(sample_copy.root)
    result = Cli(sample_copy)(*COMMANDS[command](out), ok=False)
    assert result.exit_code != 0
    assert key in result.stderr, result.stderr
    assert tree_digest(out) == before
    assert tree_digest(sample_copy.root) == workspace
