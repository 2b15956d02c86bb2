"""Hostile input against the newest features: repeated older exports, bounce files that are
not mail files (devices, giants), and token commands that print without end."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE, Cli, tree_digest
from kakeai_ops.store import list_snapshots
from kakeai_ops.workspace import Workspace

OCTOBER = sorted(map(str, (SAMPLE / "2026-10").iterdir()))


def test_the_same_older_export_twice_makes_one_snapshot(sample_copy: Workspace) -> None:
    """--older stores an older export once; the same files again add nothing (the merged
    1on1s keep November's, so the export always looks older than the snapshot)."""
    cli = Cli(sample_copy)
    cli("ingest", "--older", *OCTOBER)
    before = tree_digest(sample_copy.root)
    result = cli("ingest", "--older", *OCTOBER)
    assert "already ingested as snapshot 0003" in result.stderr
    assert [s.id for s in list_snapshots(sample_copy)] == ["0001", "0002", "0003"]
    assert tree_digest(sample_copy.root) == before


BOUNCES = Path(__file__).parent / "data" / "bounces"


def test_a_device_or_pipe_named_like_a_notice_is_not_read(tmp_path: Path) -> None:
    """/dev/zero behind a .eml name never ends: it is named as not a file, not read."""
    import os

    from kakeai_ops.mail.bounces import read_paths

    zero = tmp_path / "zero.eml"
    zero.symlink_to("/dev/zero")
    pipe = tmp_path / "folder" / "pipe.mbox"
    pipe.parent.mkdir()
    os.mkfifo(pipe)
    reading = read_paths([zero, pipe.parent])
    assert reading.bounces == []
    assert any(p.startswith(f"{zero}: not a file") for p in reading.problems), reading.problems
    assert any(f"{pipe.parent}" in p for p in reading.problems), reading.problems


def test_a_giant_notice_is_named_and_not_parsed(tmp_path: Path) -> None:
    """A notice far larger than any bounce (a saved mail with a large attachment) is named
    with its size; the next notice is still read."""
    from kakeai_ops.mail import bounces

    giant = tmp_path / "giant.eml"
    with giant.open("wb") as out:
        out.write(b"From: MAILER-DAEMON@example.co.jp\nSubject: Undeliverable\n\n")
        out.truncate(bounces.MAX_NOTICE_BYTES + 1)
    reading = bounces.read_paths([giant, BOUNCES / "gmail.eml"])
    assert [b.recipient for b in reading.bounces] == ["hanako.suzuki@example.co.jp"]
    [problem] = reading.problems
    assert problem.startswith(f"{giant}: too large for a bounce notice")


def test_a_giant_message_inside_an_mbox_is_skipped_by_number(tmp_path: Path) -> None:
    from kakeai_ops.mail import bounces

    notice = (BOUNCES / "gmail.eml").read_bytes()
    box = tmp_path / "saved.mbox"
    filler = b"x" * 76 + b"\n"
    with box.open("wb") as out:
        out.write(b"From MAILER-DAEMON Fri Nov 20 10:00:00 2026\n")
        out.write(b"From: someone@example.co.jp\nSubject: big\n\n")
        out.write(filler * (bounces.MAX_NOTICE_BYTES // len(filler) + 1))
        out.write(b"\nFrom MAILER-DAEMON Fri Nov 20 10:00:00 2026\n")
        out.write(notice.replace(b"\nFrom ", b"\n>From "))
    reading = bounces.read_paths([box])
    assert [b.recipient for b in reading.bounces] == ["hanako.suzuki@example.co.jp"]
    assert [p.split(":")[0] for p in reading.problems] == [f"{box}#1"]


def test_a_notice_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    from kakeai_ops.mail.bounces import read_paths

    saved = tmp_path / "bom.eml"
    saved.write_bytes(b"\xef\xbb\xbf" + (BOUNCES / "gmail.eml").read_bytes())
    reading = read_paths([saved])
    assert reading.problems == []
    assert [b.recipient for b in reading.bounces] == ["hanako.suzuki@example.co.jp"]
