"""A snapshot's tables are read once per content in a process, and a file is still
checked every time: a damaged copy is refused whatever was read before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import copied
from kakeai_ops.store import (
    DamagedFile,
    SnapshotInfo,
    latest_snapshot,
    load_tables,
    start_reading,
    table_memory,
)
from kakeai_ops.workspace import Workspace


@pytest.fixture(autouse=True)
def _nothing_kept() -> Iterator[None]:
    table_memory.forget()
    yield
    table_memory.forget()


def _arrow(ws: Workspace, columns: dict[str, list[str]] | None = None) -> dict:
    snapshot = latest_snapshot(ws)
    assert snapshot is not None
    return start_reading(snapshot, columns=columns).arrow()


def test_a_copy_of_a_snapshot_is_read_once(october_ws: Workspace, tmp_path: Path) -> None:
    first = _arrow(copied(october_ws, tmp_path / "a"))
    again = _arrow(copied(october_ws, tmp_path / "b"))
    assert {"users", "pairs", "meetings"} <= set(first)
    assert all(again[name] is first[name] for name in first)
    # Other columns are another reading: the same rows, only the columns asked for.
    some = _arrow(copied(october_ws, tmp_path / "c"), {"users": ["user_id"]})
    assert some["users"] is not first["users"]
    assert some["users"].column_names == ["user_id"]
    assert some["users"].num_rows == first["users"].num_rows


def _after_a_good_copy(ws: Workspace, tmp_path: Path) -> SnapshotInfo:
    """The snapshot of a copy of ``ws``, once another copy's tables were read (and kept)."""
    _arrow(copied(ws, tmp_path / "good"))
    snapshot = latest_snapshot(copied(ws, tmp_path / "other"))
    assert snapshot is not None
    return snapshot


def test_a_damaged_copy_is_refused_after_a_good_one_was_read(
    october_ws: Workspace, tmp_path: Path
) -> None:
    snapshot = _after_a_good_copy(october_ws, tmp_path)
    users = snapshot.path / "users.parquet"
    data = bytearray(users.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the SHA-256 tells
    users.write_bytes(bytes(data))
    with pytest.raises(DamagedFile) as refused:
        load_tables(snapshot)
    assert refused.value.path == users and "SHA-256" in str(refused.value.hint)


def test_a_manifest_whose_rows_differ_is_refused_even_for_a_kept_table(
    october_ws: Workspace, tmp_path: Path
) -> None:
    snapshot = _after_a_good_copy(october_ws, tmp_path)
    snapshot.manifest["tables"]["users"]["rows"] += 1
    with pytest.raises(DamagedFile) as refused:
        load_tables(snapshot)
    assert refused.value.path.name == "users.parquet" and "rows" in str(refused.value.hint)


def test_large_tables_are_read_every_time(
    october_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_memory, "MOST_ROWS", 10)
    first = _arrow(copied(october_ws, tmp_path / "a"))
    again = _arrow(copied(october_ws, tmp_path / "b"))
    assert first["meetings"].num_rows > 10
    assert again["meetings"] is not first["meetings"]
    assert again["meetings"].equals(first["meetings"])


def test_only_the_latest_tables_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    class Table:
        num_rows = 1

    monkeypatch.setattr(table_memory, "MOST_TABLES", 3)
    tables = {f"{n:064x}": Table() for n in range(4)}
    for digest, table in tables.items():
        table_memory.remember((digest, None), table)
    kept = [d for d in tables if table_memory.remembered((d, None)) is not None]
    assert kept == list(tables)[1:]
