"""store.state: a database of the first eight versions, with or without what kops used to add
when it first needed it, is upgraded once, by one of two kops at once; after that a
connection only reads the version."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from kakeai_ops.store import record_action
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.store.state import LATER_COLUMNS, LATEST, SCHEMA, connect
from kakeai_ops.workspace import Workspace


def version_8(ws: Workspace, *, with_columns: tuple[str, ...] = ()) -> None:
    """The state database as the first eight schema versions left it, a run and a
    suppression in it; ``with_columns``: "table.column" a kops of then had added."""
    ws.state_dir.mkdir(parents=True, exist_ok=True)
    for leftover in ws.state_dir.glob("kops.db*"):
        leftover.unlink()
    with closing(sqlite3.connect(ws.db_path, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        for number, script in enumerate(SCHEMA, start=1):
            db.executescript(f"BEGIN; {script} PRAGMA user_version={number}; COMMIT;")
        for added in with_columns:
            table, column = added.split(".")
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
        db.execute(
            "INSERT INTO mail_runs (run_id, description, created_at, created_by, planned, status)"
            " VALUES ('r1', '{}', '2026-11-20T10:00:00+09:00', 'me', 1, 'done')"
        )
        db.execute(
            "INSERT INTO suppression VALUES ('a@example.jp', 'asked', 'operator', '2026-11-20')"
        )


def columns(ws: Workspace, table: str) -> list[str]:
    with closing(sqlite3.connect(ws.db_path)) as db:
        return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def version(ws: Workspace) -> int:
    with closing(sqlite3.connect(ws.db_path)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_a_version_8_database_gets_every_later_part_once(tmp_path: Path) -> None:
    for already in [(), ("mail_runs.binding", "mail_runs.plan_hash", "audit.files")]:
        ws = Workspace(tmp_path / f"ws{len(already)}")
        version_8(ws, with_columns=already)
        assert version(ws) == LATEST - 1
        ledger = Ledger(ws)
        try:
            assert ledger.run("r1") is not None and ledger.run("r1")["binding"] is None  # type: ignore[index]
            assert ledger.suppression_rows() == [("a@example.jp", "asked", None)]
            assert ledger.suppress("b@example.jp", "bounced", "r1", user_id="000002")
            assert ledger.bounce_counts() == {}
        finally:
            ledger.close()
        record_action(ws, "mail test", target="r1", files=["x.eml"])
        assert version(ws) == LATEST
        for table, wanted in LATER_COLUMNS.items():
            found = columns(ws, table)
            assert all(found.count(column) == 1 for column in wanted), (table, found)
        with closing(sqlite3.connect(ws.db_path)) as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        assert {"mail_bounces", "mail_bounces_email"} <= tables


def test_an_upgraded_database_is_only_read_when_opened(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    version_8(ws)
    connect(ws).close()
    with closing(connect(ws)) as db:
        assert db.total_changes == 0  # nothing written: the version said it all
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert "mail_bounces" in tables and version(ws) == LATEST


UPGRADE = """
import sys
from pathlib import Path
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
ws = Workspace(Path(sys.argv[1]))
go = Path(sys.argv[2])
while not go.exists():
    pass
ledger = Ledger(ws)
ledger.suppress(sys.argv[3], "bounced", "r1")
ledger.close()
"""


def test_two_kops_upgrading_one_database_at_once_both_go_on(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    version_8(ws)
    go = tmp_path / "go"
    started = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE, str(ws.root), str(go), f"{n}@example.jp"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    go.touch()
    for process in started:
        _, said = process.communicate(timeout=60)
        assert process.returncode == 0, said
    assert version(ws) == LATEST
    for table, wanted in LATER_COLUMNS.items():
        assert all(columns(ws, table).count(column) == 1 for column in wanted)
    with closing(sqlite3.connect(ws.db_path)) as db:
        keys = {key for (key,) in db.execute("SELECT key FROM suppression")}
    assert keys == {"a@example.jp", "0@example.jp", "1@example.jp"}
