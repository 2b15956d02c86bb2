"""store.state: the state database held by another program (a viewer left with unsaved
changes, a backup) is said as that, in the reader's words, after the wait the reader set."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.workspace import Workspace


def test_a_database_held_by_another_program_is_said_after_the_wait(
    october_copy: Workspace,
) -> None:
    """It waited 30 s, then ended in `Internal error: OperationalError: database is locked`."""
    holder = sqlite3.connect(october_copy.db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        cli = Cli(october_copy)
        started = time.monotonic()
        result = cli(
            "interview",
            "exclude",
            "000101",
            "--reason",
            "辞退",
            env={"KOPS_LOCK_TIMEOUT": "0"},
            ok=False,
        )
        assert time.monotonic() - started < 5
        assert result.exit_code == 1 and "Internal error" not in result.stderr, result.stderr
        said = result.stderr.replace("\n", " ")
        assert f"the state database {october_copy.db_path} is in use by another program" in said
        assert "waited 0.5 s" in said and "Hint: close the program" in said, said
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    Cli(october_copy)("interview", "exclude", "000101", "--reason", "辞退")  # free again


@contextlib.contextmanager
def _unwritable(folder: Path) -> Iterator[None]:
    """``folder`` made unwritable even for root (the tests run as root: chmod is no bar):
    the immutable flag, where the file system has it."""
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr")
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable flag")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_state_folder_kops_cannot_write_is_not_called_damaged(october_ws: Workspace) -> None:
    """A read-only share or a folder without permission: the database was called damaged,
    with the advice to copy the snapshot's export over it (losing the mail records)."""
    # chattr needs a disk's file system: a copy on /var/tmp where tmp_path is in memory.
    base = Path(
        tempfile.mkdtemp(prefix="kops-ro-", dir="/var/tmp" if Path("/var/tmp").is_dir() else None)
    )
    try:
        root = base / "ws"
        shutil.copytree(october_ws.root, root)
        ws = Workspace(root)
        for leftover in ("kops.db-wal", "kops.db-shm"):
            (ws.state_dir / leftover).unlink(missing_ok=True)
        with _unwritable(ws.state_dir):
            result = Cli(ws)("mail", "status", ok=False)
        said = result.stderr.replace("\n", " ")
        assert result.exit_code == 1 and "damaged" not in said, said
        assert f"kops cannot write in {ws.state_dir}" in said, said
        assert "Hint:" in said and "copy the workspace" in said
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_an_emptied_database_is_named_not_started_afresh(october_copy: Workspace) -> None:
    """A sync tool or a full disk leaving kops.db at 0 bytes: SQLite took it for a new
    database, and every record (the suppression list, what was sent) was gone in silence."""
    october_copy.db_path.write_bytes(b"")
    for leftover in ("kops.db-wal", "kops.db-shm"):
        (october_copy.state_dir / leftover).unlink(missing_ok=True)
    result = Cli(october_copy)("mail", "suppressed", ok=False)
    said = result.stderr.replace("\n", " ")
    assert result.exit_code == 1, said
    assert f"This file is damaged: {october_copy.db_path}" in said and "file is empty" in said
    assert october_copy.db_path.stat().st_size == 0  # left for the way back
