"""store.state: the state database held by another program (a viewer left with unsaved
changes, a backup) is said as that, in the reader's words, after the wait the reader set."""

from __future__ import annotations

import sqlite3
import time

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
