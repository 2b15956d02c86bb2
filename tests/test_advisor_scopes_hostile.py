"""Advisor scopes name one unit: {division, department}; a string scope only where it
can mean one thing, else refused with the candidates listed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from conftest import Cli, tree_digest
from kakeai_ops.workspace import Workspace

# 事業部 '人事/総務部' (部署 労務) beside 事業部 '人事' with 部署 '総務部'.
USERS = [
    ["0001", "佐藤 一郎", "a1@example.jp", "人事/総務部", "労務", "人事", "40代", "在籍", ""],
    ["0002", "鈴木 二郎", "a2@example.jp", "人事/総務部", "労務", "人事", "30代", "在籍", ""],
    ["0003", "高橋 三郎", "b1@example.jp", "人事", "総務部", "総務", "40代", "在籍", ""],
    ["0004", "田中 四郎", "b2@example.jp", "人事", "総務部", "総務", "30代", "在籍", ""],
    ["0005", "伊藤 五郎", "c1@example.jp", "人事", "採用部", "人事", "30代", "在籍", ""],
    ["0006", "渡辺 六郎", "c2@example.jp", "人事", "採用部", "人事", "20代", "在籍", ""],
]
PAIRS = [
    ["0001", "0002", "2026/04/01", "2026/04/02", "あり"],
    ["0003", "0004", "2026/04/01", "2026/04/02", "あり"],
    ["0005", "0006", "2026/04/01", "2026/04/02", "あり"],
]
MEETINGS = [
    [
        f"M{i}",
        m,
        p,
        "2026/11/02 10:00",
        "実施済",
        "今後のキャリア",
        "話を聞いてほしい",
        "",
        "4",
        "3",
    ]
    for i, (m, p, *_rest) in enumerate(PAIRS)
]


def _workspace(
    ws: Workspace, make_exports: Callable[..., list[Path]], scope: list[Any], users: list[Any]
) -> Cli:
    cli = Cli(ws)
    cli("ingest", *map(str, make_exports(users=users, pairs=PAIRS, meetings=MEETINGS)))
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"] = {"人事HRBP": {"email": "hrbp@example.jp", "scope": scope}}
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    return cli


def _scoped_ids(cli: Cli) -> set[str]:
    text = cli("report", "advisors", "--format", "csv").stdout
    return {row["user_id"] for row in csv.DictReader(io.StringIO(text))}


def test_an_ambiguous_string_scope_is_refused_listing_the_candidates(
    ws: Workspace, make_exports: Callable[..., list[Path]], tmp_path: Path
) -> None:
    cli = _workspace(ws, make_exports, ["人事/総務部"], USERS)
    before = tree_digest(ws.root)
    for command in (
        ["report", "advisors"],
        ["report", "divisions", "--advisor", "人事HRBP", "--out", str(tmp_path / "r.xlsx")],
    ):
        result = cli(*command, ok=False)
        assert result.exit_code == 1 and "Internal error" not in result.stderr
        assert "advisors.人事HRBP.scope: '人事/総務部' is ambiguous" in result.stderr
        assert "{division: 人事/総務部}" in result.stderr
        assert "{division: 人事, department: 総務部}" in result.stderr
    assert not (tmp_path / "r.xlsx").exists()
    assert tree_digest(ws.root) == before


def test_the_mapping_form_names_exactly_one_unit(
    ws: Workspace, make_exports: Callable[..., list[Path]]
) -> None:
    cli = _workspace(ws, make_exports, [{"division": "人事/総務部"}], USERS)
    assert _scoped_ids(cli) == {"0001", "0002"}
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"]["人事HRBP"]["scope"] = [{"division": "人事", "department": "総務部"}]
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    assert _scoped_ids(cli) == {"0003", "0004"}


def test_a_division_with_a_slash_can_be_scoped_when_unambiguous(
    ws: Workspace, make_exports: Callable[..., list[Path]]
) -> None:
    users = [u for u in USERS if u[3] != "人事" or u[4] != "総務部"]
    pairs = [p for p in PAIRS if p[0] != "0003"]
    cli = Cli(ws)
    cli("ingest", *map(str, make_exports(users=users, pairs=pairs, meetings=MEETINGS[::2])))
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"] = {"人事HRBP": {"email": "hrbp@example.jp", "scope": ["人事/総務部"]}}
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    assert _scoped_ids(cli) == {"0001", "0002"}


def test_a_mapping_scope_that_matches_nobody_is_refused(
    ws: Workspace, make_exports: Callable[..., list[Path]]
) -> None:
    cli = _workspace(ws, make_exports, [{"division": "人事", "department": "労務"}], USERS)
    result = cli("report", "advisors", ok=False)
    assert result.exit_code == 1 and "matches nobody" in result.stderr


def test_a_bad_mapping_scope_is_a_config_error(
    ws: Workspace, make_exports: Callable[..., list[Path]]
) -> None:
    cli = _workspace(ws, make_exports, [{"department": "総務部"}], USERS)
    result = cli("report", "advisors", ok=False)
    assert result.exit_code == 1 and "Internal error" not in result.stderr
    assert "advisors.人事HRBP.scope: entry 0: division: required" in result.stderr
