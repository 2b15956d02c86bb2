"""State that proves itself: every snapshot file and the state database's export carry a
SHA-256 in the manifest, checked when read; a damaged file is named with the way back,
and damaged old snapshots don't stop commands that don't read them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.workspace import Workspace

DAMAGED = "This file is damaged: "
DAMAGED_JA = "このファイルが壊れています: "


@pytest.fixture
def copy(sample_copy: Workspace) -> Workspace:
    """A workspace of its own with the sample's two snapshots (October, November)."""
    return sample_copy


def _snapshot(ws: Workspace, number: int) -> Path:
    return ws.snapshots_dir / f"{number:04d}"


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _refused(ws: Workspace, *args: str) -> str:
    result = Cli(ws)(*args, ok=False)
    assert result.exit_code == 1, result.stderr
    assert "Internal error" not in result.stderr
    return str(result.stderr).replace("\n", "")


def test_the_manifest_records_a_hash_of_every_file(copy: Workspace) -> None:
    manifest = json.loads((_snapshot(copy, 2) / "manifest.json").read_text("utf-8"))
    recorded = manifest["checksums"]
    for name in ("users.parquet", "pairs.parquet", "meetings.parquet", "kops.db"):
        assert name in recorded and len(recorded[name]["sha256"]) == 64
        assert recorded[name]["bytes"] == (_snapshot(copy, 2) / name).stat().st_size


@pytest.mark.parametrize("at", [100, 2000, -200])
def test_a_flipped_bit_in_users_is_refused_not_mailed(copy: Workspace, at: int) -> None:
    path = _snapshot(copy, 2) / "users.parquet"
    _flip(path, at if at > 0 else path.stat().st_size + at)
    stderr = _refused(copy, "mail", "send", "--segment", "no_pair", "--dry-run")
    assert DAMAGED + str(path) in stderr
    assert "To go back to the snapshot before, move the folder" in stderr
    assert not list(copy.outbox_dir.rglob("*.eml"))


@pytest.mark.parametrize("name", ["meetings.parquet", "users.parquet", "pairs.parquet"])
def test_a_truncated_table_is_named(copy: Workspace, name: str) -> None:
    path = _snapshot(copy, 2) / name
    _truncate(path)
    assert DAMAGED + str(path) in _refused(copy, "segment")


def test_a_truncated_state_database_is_named_with_its_export(copy: Workspace) -> None:
    _truncate(copy.db_path)
    copy.db_path.write_bytes(b"garbage" + copy.db_path.read_bytes()[7:])
    stderr = _refused(copy, "mail", "suppressed")
    assert DAMAGED + str(copy.db_path) in stderr
    assert str(_snapshot(copy, 2) / "kops.db") in stderr  # the way back


def test_a_damaged_old_snapshot_stops_only_what_reads_it(copy: Workspace) -> None:
    old = _snapshot(copy, 1)
    _truncate(old / "manifest.json")
    cli = Cli(copy)
    listing = cli("status")  # lists what it can, names the damaged one
    assert "0002" in listing.stdout
    assert DAMAGED + str(old / "manifest.json") in listing.stderr.replace("\n", "")
    cli("segment")  # reads the latest only
    assert DAMAGED in _refused(copy, "segment", "--snapshot", "1")


def test_status_check_verifies_everything(copy: Workspace) -> None:
    cli = Cli(copy)
    ok = cli("status", "--check")
    assert "intact" in ok.stderr
    path = _snapshot(copy, 1) / "pairs.parquet"
    _flip(path, 500)
    stderr = _refused(copy, "status", "--check")
    assert DAMAGED + str(path) in stderr
    cli("segment")  # the latest is fine


def test_status_check_names_a_state_database_emptied_to_nothing(copy: Workspace) -> None:
    """0 bytes is an empty database to SQLite, whose check finds nothing wrong: `status
    --check` said every file was intact while `kops audit` named it damaged."""
    for extra in ("-wal", "-shm"):
        copy.db_path.with_name(copy.db_path.name + extra).unlink(missing_ok=True)
    copy.db_path.write_bytes(b"")
    stderr = _refused(copy, "status", "--check")
    assert DAMAGED + str(copy.db_path) in stderr
    assert "intact" not in stderr


def test_a_state_database_deleted_or_made_a_folder_is_named_not_made_anew(
    copy: Workspace,
) -> None:
    """Deleted, the database was made anew by the next command, and the suppression list
    and every send's record were gone without a word (`status --check` said intact)."""
    for extra in ("", "-wal", "-shm"):
        copy.db_path.with_name(copy.db_path.name + extra).unlink(missing_ok=True)
    assert DAMAGED + str(copy.db_path) in _refused(copy, "status", "--check")
    assert DAMAGED + str(copy.db_path) in _refused(copy, "mail", "suppressed")
    assert not copy.db_path.exists()  # not made anew
    copy.db_path.mkdir()
    assert DAMAGED + str(copy.db_path) in _refused(copy, "status", "--check")


def test_a_damaged_latest_manifest_is_named(copy: Workspace) -> None:
    path = _snapshot(copy, 2) / "manifest.json"
    _truncate(path)
    assert DAMAGED + str(path) in _refused(copy, "segment")


def test_a_flipped_digit_in_a_manifest_is_named_not_believed(copy: Workspace) -> None:
    path = _snapshot(copy, 2) / "manifest.json"
    text = path.read_text("utf-8")
    assert '"as_of": "2026-11-20"' in text
    path.write_text(text.replace('"as_of": "2026-11-20"', '"as_of": "2026-11-21"'), "utf-8")
    assert DAMAGED + str(path) in _refused(copy, "segment")


def test_why_a_file_is_damaged_is_said_in_japanese(copy: Workspace) -> None:
    """The hint says what was found and where to look, in the reader's language."""
    path = _snapshot(copy, 2) / "users.parquet"
    _flip(path, 100)
    result = Cli(copy)("segment", env={"KOPS_LANG": "ja", "COLUMNS": "400"}, ok=False)
    assert result.exit_code == 1
    stderr = result.stderr.replace("\n", "")
    assert DAMAGED_JA + str(path) in stderr
    assert "直前のスナップショットに戻すには" in stderr
    assert (
        "（SHA-256 が書き込んだときの記録と違います）"
        "`kops status --check` でワークスペースのすべてのファイルを確かめられます"
    ) in stderr
    path.unlink()
    missing = Cli(copy)("segment", env={"KOPS_LANG": "ja", "COLUMNS": "400"}, ok=False)
    assert "（ファイルがありません）" in missing.stderr.replace("\n", "")
