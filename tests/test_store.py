"""The store: snapshots found by id or by the date their data implies."""

from __future__ import annotations

import datetime as dt
import json

from kakeai_ops.store import list_snapshots, snapshot_as_of
from kakeai_ops.workspace import Workspace


def _snapshot(ws: Workspace, number: int, as_of: str | None) -> None:
    folder = ws.snapshots_dir / f"{number:04d}"
    folder.mkdir(parents=True)
    manifest = {"as_of": as_of, "tables": {}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_snapshot_as_of_is_the_newest_dated_on_or_before(ws: Workspace) -> None:
    _snapshot(ws, 1, "2026-10-31")
    _snapshot(ws, 2, None)  # nothing to date it by: never chosen by date
    _snapshot(ws, 3, "2026-11-20")
    assert [s.id for s in list_snapshots(ws)] == ["0001", "0002", "0003"]
    found = snapshot_as_of(ws, dt.date(2026, 11, 19))
    assert found is not None and found.id == "0001"
    latest = snapshot_as_of(ws, dt.date(2026, 11, 20))
    assert latest is not None and latest.id == "0003"
    assert snapshot_as_of(ws, dt.date(2026, 10, 30)) is None


def test_table_columns_are_what_a_snapshot_stores(sample_copy: Workspace) -> None:
    """model.TABLE_COLUMNS (what commands name when they load only some columns) is the
    snapshot's own column list, table by table and in order."""
    import pyarrow.parquet as pq

    from kakeai_ops.model import TABLE_COLUMNS
    from kakeai_ops.store import latest_snapshot

    snapshot = latest_snapshot(sample_copy)
    assert snapshot is not None
    for name, columns in TABLE_COLUMNS.items():
        assert tuple(pq.read_schema(snapshot.path / f"{name}.parquet").names) == columns


def test_a_latest_snapshot_without_its_manifest_is_named_not_passed_over(
    sample_copy: Workspace,
) -> None:
    """A latest snapshot folder whose manifest.json was removed (or a file in its place)
    was passed over in silence: commands read October as the latest, and `kops ingest`
    took 0002 for the next id a hundred times, then ended in an internal error."""
    import shutil

    from conftest import SAMPLE, Cli

    latest = sample_copy.snapshots_dir / "0002"
    (latest / "manifest.json").unlink()
    cli = Cli(sample_copy)
    for args in (("segment",), ("ingest", str(SAMPLE / "2026-11" / "users.csv"))):
        result = cli(*args, ok=False)
        assert result.exit_code == 1 and "Internal error" not in result.stderr, result.stderr
        said = result.stderr.replace("\n", "")
        assert f"This file is damaged: {latest / 'manifest.json'}" in said, said
        assert "move the folder" in said and "the file is missing" in said
    shutil.rmtree(latest)
    latest.write_text("not a snapshot")
    result = cli("segment", ok=False)
    said = result.stderr.replace("\n", "")
    assert f"This file is damaged: {latest}" in said and "not a folder" in said, said
    japanese = cli("segment", env={"KOPS_LANG": "ja"}, ok=False)
    assert "このファイルが壊れています" in japanese.stderr, japanese.stderr
    latest.unlink()
    assert "0001" in cli("status").stdout  # the way back: the folder moved out


def test_a_snapshot_folder_kops_cannot_write_is_said_and_nothing_stored(
    october_ws: Workspace,
) -> None:
    """state/snapshots read-only (a share, no permission): `kops ingest` ended in
    `Internal error: PermissionError` naming its staging folder."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    import pytest

    from conftest import SAMPLE, Cli

    if shutil.which("chattr") is None:
        pytest.skip("needs chattr")
    base = Path(tempfile.mkdtemp(prefix="kops-ro-", dir="/var/tmp"))  # chattr needs a disk
    try:
        shutil.copytree(october_ws.root, base / "ws")
        ws = Workspace(base / "ws")
        if subprocess.run(["chattr", "+i", str(ws.snapshots_dir)], capture_output=True).returncode:
            pytest.skip("this file system has no immutable flag")
        try:
            result = Cli(ws)("ingest", str(SAMPLE / "2026-11" / "users.csv"), ok=False)
        finally:
            subprocess.run(["chattr", "-i", str(ws.snapshots_dir)], check=True)
        said = result.stderr.replace("\n", " ")
        assert result.exit_code == 1 and "Internal error" not in said, said
        assert f"the new snapshot could not be written in {ws.snapshots_dir}" in said, said
        assert "nothing was changed" in said
        assert [s.id for s in list_snapshots(ws)] == ["0001"]
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_tables_read_in_the_background_are_what_pandas_reads(sample_copy: Workspace) -> None:
    """The snapshot read in threads (store.start_reading, what Session.read_ahead starts)
    gives the frames pandas.read_parquet gives: the same dtypes, values and index, whole
    or only some columns."""
    import pandas as pd

    from kakeai_ops.analyses import reads
    from kakeai_ops.model import TABLE_NAMES
    from kakeai_ops.store import latest_snapshot, start_reading

    snapshot = latest_snapshot(sample_copy)
    assert snapshot is not None
    for columns in (None, reads.SEGMENT, reads.ELIGIBILITY):
        tables = start_reading(snapshot, columns=columns).tables()
        for name in TABLE_NAMES:
            frame = tables.get(name)
            if columns is not None and name not in columns:
                assert frame.empty  # not read at all
                continue
            wanted = None if columns is None else list(columns[name])
            expected = pd.read_parquet(snapshot.path / f"{name}.parquet", columns=wanted)
            pd.testing.assert_frame_equal(frame, expected, check_exact=True)
            assert len(frame) == snapshot.rows(name)


def test_a_background_reading_names_the_first_damaged_table(sample_copy: Workspace) -> None:
    """Every table is read at once; of two damaged files the one a reading in turn
    meets first is named, and only when the tables are asked for."""
    import pytest

    from kakeai_ops.store import DamagedFile, latest_snapshot, start_reading

    snapshot = latest_snapshot(sample_copy)
    assert snapshot is not None
    for name in ("meetings", "users"):
        path = snapshot.path / f"{name}.parquet"
        path.write_bytes(path.read_bytes()[:100])
    reading = start_reading(snapshot)
    with pytest.raises(DamagedFile) as raised:
        reading.tables()
    assert str(snapshot.path / "users.parquet") in str(raised.value)


def test_a_table_encoded_ahead_is_stored_as_written_in_turn(sample_copy: Workspace) -> None:
    """ingest encodes the 1on1s' Parquet file on another thread while it describes the
    snapshot: the stored file, its size and SHA-256 are those of writing it in turn."""
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    from kakeai_ops.model import TABLE_NAMES
    from kakeai_ops.store import encode_table, latest_snapshot, load_tables, write_snapshot

    snapshot = latest_snapshot(sample_copy)
    assert snapshot is not None
    tables = load_tables(snapshot)
    manifest = {k: v for k, v in snapshot.manifest.items() if k not in ("id", "checksums")}
    in_turn = write_snapshot(sample_copy, tables, manifest)
    with ThreadPoolExecutor(max_workers=2) as pool:
        encoded = {name: pool.submit(encode_table, tables.get(name)) for name in ("meetings",)}
        ahead = write_snapshot(sample_copy, tables, manifest, encoded)
    for name in TABLE_NAMES:
        data = (ahead.path / f"{name}.parquet").read_bytes()
        assert data == (in_turn.path / f"{name}.parquet").read_bytes()
        assert data == (snapshot.path / f"{name}.parquet").read_bytes()
        recorded = ahead.manifest["checksums"][f"{name}.parquet"]
        assert recorded == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert ahead.manifest["checksums"] == in_turn.manifest["checksums"]
