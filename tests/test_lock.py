"""The workspace lock: one writer at a time, real processes, and no POSIX-only imports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.main import get_command

from conftest import MEETINGS_HEADER, Cli, tree_digest, write_csv
from kakeai_ops.cli.app import app
from kakeai_ops.store import list_snapshots, load_tables
from kakeai_ops.store.lock import workspace_lock
from kakeai_ops.workspace import STAGING_PREFIX, Workspace

MakeExports = Callable[..., list[Path]]

# A real `kops ingest` with one pinned slow point: it stops after reading the previous
# snapshot and before writing its own (the window in which two ingests used to race),
# says so by creating READY, and goes on once RELEASE exists.
PAUSED_INGEST = """
import sys, time
from pathlib import Path
import kakeai_ops.jobs.ingest as ingest_module

ready, release = Path(sys.argv[1]), Path(sys.argv[2])
real_write = ingest_module.write_snapshot

def paused_write(*args, **kwargs):
    ready.touch()
    deadline = time.monotonic() + 120
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return real_write(*args, **kwargs)

ingest_module.write_snapshot = paused_write
from kakeai_ops.cli.app import main
sys.argv = ["kops", *sys.argv[3:]]
main()
"""

# A real `kops ingest` that hangs while renaming its staging directory into place,
# so the test can kill it with files half-way.
HANGING_INGEST = """
import os, sys, time
from pathlib import Path

ready = Path(sys.argv[1])

def hang(*args, **kwargs):
    ready.touch()
    time.sleep(600)

os.rename = hang
from kakeai_ops.cli.app import main
sys.argv = ["kops", *sys.argv[2:]]
main()
"""


def _env(ws: Workspace, **extra: str) -> dict[str, str]:
    env = {**os.environ, "KOPS_WORKSPACE": str(ws.root), "COLUMNS": "200"}
    env.pop("KOPS_QUIET", None)
    env.update(extra)
    return env


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _meetings(path: Path, meeting_id: str) -> Path:
    row = [meeting_id, "0001", "0002", "2026/11/16 10:00", "実施済", "", "", "", "", ""]
    return write_csv(path, MEETINGS_HEADER, [row])


def test_two_ingests_at_once_keep_both_exports(
    ws: Workspace, make_exports: MakeExports, tmp_path: Path
) -> None:
    Cli(ws)("ingest", *map(str, make_exports()))
    first = _meetings(tmp_path / "meetings-a.csv", "A1")
    second = _meetings(tmp_path / "meetings-b.csv", "B1")
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", PAUSED_INGEST, str(ready), str(release), "ingest", str(first)],
        env=_env(ws),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    waiter_err = tmp_path / "waiter.err"
    try:
        _wait_for(ready.exists, "the first ingest to read the previous snapshot")

        # Not willing to wait: refused at once, clearly, and nothing written. (In this
        # process: the lock is the other process's either way, and a start is saved.)
        refused = Cli(ws)("ingest", str(second), env={"KOPS_LOCK_TIMEOUT": "0"}, ok=False)
        assert refused.exit_code == 1, refused.stderr
        assert (
            "Error: another kops command is writing to this workspace "
            f"(pid {holder.pid}, command kops ingest, since " in refused.stderr
        )
        assert "wait for it to finish" in refused.stderr
        assert "Internal error" not in refused.stderr
        assert len(list_snapshots(ws)) == 1

        # Willing to wait: it waits, says why, and goes on once the first is done.
        with waiter_err.open("w") as sink:
            waiter = subprocess.Popen(
                [sys.executable, "-m", "kakeai_ops", "ingest", str(second)],
                env=_env(ws, KOPS_LOCK_TIMEOUT="120"),
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )
        _wait_for(
            lambda: "waiting up to 120 s" in waiter_err.read_text(encoding="utf-8"),
            "the second ingest to wait for the lock",
        )
        assert waiter.poll() is None
        release.touch()
        _, holder_err = holder.communicate(timeout=120)
        assert holder.returncode == 0, holder_err.decode()
        assert waiter.wait(timeout=120) == 0, waiter_err.read_text(encoding="utf-8")
    finally:
        release.touch()
        for process in (holder,):
            if process.poll() is None:
                process.kill()
    snapshots = list_snapshots(ws)
    assert [s.id for s in snapshots] == ["0001", "0002", "0003"]
    meetings = set(load_tables(snapshots[-1]).meetings["meeting_id"])
    assert {"M1", "A1", "B1"} <= meetings, "the later ingest dropped the earlier one's 1on1s"
    assert not ws.lock_holder_path.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killed_ingest_leaves_no_staging_behind(
    ws: Workspace, make_exports: MakeExports, tmp_path: Path
) -> None:
    cli = Cli(ws)
    cli("ingest", *map(str, make_exports()))
    ready = tmp_path / "ready"
    victim = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HANGING_INGEST,
            str(ready),
            "ingest",
            str(_meetings(tmp_path / "m.csv", "K1")),
        ],
        env=_env(ws),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(ready.exists, "the ingest to reach the rename")
    finally:
        victim.kill()  # SIGKILL: no cleanup code runs
        victim.wait(timeout=30)
    staging = list(ws.snapshots_dir.glob(f"{STAGING_PREFIX}*"))
    assert len(staging) == 1 and (staging[0] / "meetings.parquet").is_file()

    # The next command (read-only, here) finds the workspace free and tidies it.
    status = cli("status", "--format", "csv")
    assert not list(ws.snapshots_dir.glob(f"{STAGING_PREFIX}*"))
    assert status.stdout.count("\n") == 2  # header and the one snapshot
    assert [s.id for s in list_snapshots(ws)] == ["0001"]


def test_staging_of_a_live_writer_is_kept(ws: Workspace, make_exports: MakeExports) -> None:
    cli = Cli(ws)
    cli("ingest", *map(str, make_exports()))
    with workspace_lock(ws, "kops ingest"):
        live = ws.snapshots_dir / f"{STAGING_PREFIX}live"
        live.mkdir()
        cli("status")
        cli("segment", "--format", "csv")
        assert live.is_dir(), "a read-only command removed a writer's staging directory"
    cli("status")
    assert not live.exists()

    stale = ws.snapshots_dir / f"{STAGING_PREFIX}stale"
    stale.mkdir()
    (stale / "users.parquet").write_bytes(b"half")
    cli("interview", "exclude", "0003", "--reason", "休職中")  # a writer tidies too
    assert not stale.exists()


# Every command, as a writer (takes the lock) or a reader (never does). A new command
# must be added to one of these lists.
WRITERS = {
    "ingest": ["ingest", "users.csv"],
    "campaign award": ["campaign", "award", "c1"],
    "mail send": ["mail", "send", "--segment", "no_prep", "--yes"],
    "mail suppress": ["mail", "suppress", "a@example.jp", "--reason", "x"],
    "mail unsuppress": ["mail", "unsuppress", "a@example.jp"],
    "mail bounces": ["mail", "bounces", "bounce.eml"],
    "interview record": ["interview", "record", "0001", "0002"],
    "interview exclude": ["interview", "exclude", "0003", "--reason", "x"],
    "interview include": ["interview", "include", "0003"],
    "report divisions": ["report", "divisions", "--all-advisors", "--mail", "--out", "d"],
    "seminar invite": ["seminar", "invite", "month1", "--yes"],
    "seminar remind": ["seminar", "remind", "month1", "--yes"],
    "seminar attendance": ["seminar", "attendance", "month1", "a.csv"],
    "seminar survey": ["seminar", "survey", "month1", "s.csv"],
    "campaign entries": ["campaign", "entries", "c1", "e.csv"],
    "campaign draw": ["campaign", "draw", "c1", "--winners", "1", "--seed", "s"],
}
READERS = {
    "status": ["status"],
    "segment": ["segment", "--format", "csv"],
    "campaign list": ["campaign", "list"],
    "campaign eligible": ["campaign", "eligible", "--format", "csv"],
    "campaign explain": ["campaign", "explain", "c1", "0001"],
    "campaign milestones": ["campaign", "milestones"],
    "mail templates": ["mail", "templates"],
    "mail preview": ["mail", "preview", "--segment", "no_prep"],
    "mail plan": ["mail", "plan", "--segment", "no_prep"],
    "mail status": ["mail", "status"],
    "mail check": ["mail", "check"],
    "mail login": ["mail", "login"],
    "mail logout": ["mail", "logout"],
    "mail suppressed": ["mail", "suppressed"],
    "mail report": ["mail", "report", "r1"],
    "interview shortlist": ["interview", "shortlist"],
    "interview history": ["interview", "history"],
    "report divisions": ["report", "divisions", "--format", "csv"],
    "report advisors": ["report", "advisors"],
    "audit": ["audit"],
    "seminar list": ["seminar", "list"],
    "seminar summary": ["seminar", "summary", "month1"],
    "seminar themes": ["seminar", "themes"],
    "campaign draw --verify": ["campaign", "draw", "c1", "--verify"],
    "review": ["review", "--out", "{root}/r.pptx"],
}
OUTSIDE = {"init", "demo"}  # they make a workspace rather than open one


def _command_names() -> set[str]:
    names = set()

    def walk(command: object, prefix: str) -> None:
        children = getattr(command, "commands", None)
        if children is None:
            names.add(prefix.strip())
            return
        for name, child in children.items():
            walk(child, f"{prefix} {name}")

    walk(get_command(app), "")
    return names


def test_every_command_is_a_writer_or_a_reader() -> None:
    readers = {name.split(" --")[0] for name in READERS}
    assert _command_names() == set(WRITERS) | readers | OUTSIDE


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_writers_refuse_a_busy_workspace(sample_copy: Workspace, name: str) -> None:
    cli = Cli(sample_copy)
    before = tree_digest(sample_copy.root)
    with workspace_lock(sample_copy, "kops ingest"):
        result = cli(*WRITERS[name], env={"KOPS_LOCK_TIMEOUT": "0"}, ok=False)
    assert result.exit_code == 1, result.stderr
    assert (
        f"another kops command is writing to this workspace (pid {os.getpid()}, "
        "command kops ingest, since " in result.stderr
    )
    assert tree_digest(sample_copy.root) == before


@pytest.mark.parametrize("name", sorted(READERS))
def test_readers_never_wait_for_the_lock(sample_copy: Workspace, name: str) -> None:
    cli = Cli(sample_copy)
    with workspace_lock(sample_copy, "kops ingest"):
        args = [arg.format(root=sample_copy.root) for arg in READERS[name]]
        result = cli(*args, env={"KOPS_LOCK_TIMEOUT": "0"}, ok=False)
    assert "another kops command" not in result.stderr
    assert "Internal error" not in result.stderr


def test_the_busy_hint_says_how_to_wait_longer_in_japanese(sample_copy: Workspace) -> None:
    """A Japanese reader meets no SECONDS placeholder: the hint says 秒数 and an example."""
    with workspace_lock(sample_copy, "kops ingest"):
        result = Cli(sample_copy)(
            "mail",
            "suppress",
            "x@example.jp",
            "--reason",
            "t",
            env={"KOPS_LOCK_TIMEOUT": "0", "KOPS_LANG": "ja"},
            ok=False,
        )
    hint = "KOPS_LOCK_TIMEOUT=秒数 でもっと長く待ちます。300 なら 5 分"
    assert hint in result.stderr and "SECONDS" not in result.stderr


def test_lock_timeout_must_be_seconds(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    for bad in ("soon", "-1", "nan", "inf"):
        result = cli(
            "mail",
            "suppress",
            "a@example.jp",
            "--reason",
            "x",
            env={"KOPS_LOCK_TIMEOUT": bad},
            ok=False,
        )
        assert result.exit_code == 1
        assert f"KOPS_LOCK_TIMEOUT: '{bad}' is not a number of seconds" in result.stderr


def test_unusable_lock_file_and_holder_note_are_reported(ws: Workspace) -> None:
    cli = Cli(ws)
    ws.lock_path.unlink(missing_ok=True)
    ws.lock_path.mkdir()  # not a file kops can lock
    broken = cli("mail", "suppress", "a@example.jp", "--reason", "x", ok=False)
    assert broken.exit_code == 1
    assert f"cannot lock the workspace ({ws.lock_path})" in broken.stderr
    leftover = ws.snapshots_dir / f"{STAGING_PREFIX}left"
    leftover.mkdir()
    cli("status")  # reading works even where kops can't lock (nor tidy)
    assert leftover.is_dir()
    ws.lock_path.rmdir()

    with workspace_lock(ws, "kops ingest"):
        ws.lock_holder_path.write_text("{half a note", encoding="utf-8")
        busy = cli(
            "mail",
            "suppress",
            "a@example.jp",
            "--reason",
            "x",
            env={"KOPS_LOCK_TIMEOUT": "0.2"},
            ok=False,
        )
    assert busy.exit_code == 1
    assert "another kops command is writing to this workspace (who holds it is not recorded)" in (
        busy.stderr
    )
    cli("mail", "suppress", "a@example.jp", "--reason", "x")  # free again


def test_an_unusable_lock_file_is_said_in_japanese_without_the_systems_english(
    ws: Workspace,
) -> None:
    ws.lock_path.unlink(missing_ok=True)
    ws.lock_path.mkdir()
    try:
        result = Cli(ws)(
            "mail", "suppress", "a@example.jp", "--reason", "x", env={"KOPS_LANG": "ja"}, ok=False
        )
        assert "ワークスペースをロックできません" in result.stderr, result.stderr
        assert "directory" not in result.stderr
    finally:
        ws.lock_path.rmdir()
