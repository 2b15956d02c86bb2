"""Bounce files that are not mail files (devices, giants, nesting, a BOM) and a remote server's words: named, never a crash, harmless in sheets and terminals."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli
from kakeai_ops.workspace import Workspace

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


def _nested(depth: int) -> bytes:
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(depth)
    )
    closing = b"".join(b"\n--b%d--\n" % i for i in reversed(range(depth)))
    return (
        b"From: MAILER-DAEMON@example.co.jp\nSubject: Undeliverable\nMIME-Version: 1.0\n"
        + opening
        + b"Content-Type: text/plain\n\nhi\n"
        + closing
    )


def test_a_notice_nested_thousands_deep_is_named_not_a_crash(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """MIME parts nested 3,000 deep (a few kilobytes) stopped `kops mail bounces` with an
    internal RecursionError; the file is named and the notices beside it are read."""
    import mailbox

    from kakeai_ops.mail.bounces import read_paths

    deep = tmp_path / "deep.eml"
    deep.write_bytes(_nested(3000))
    box = mailbox.mbox(tmp_path / "saved.mbox")
    box.add(_nested(3000))
    box.add((BOUNCES / "gmail.eml").read_bytes())
    box.close()
    reading = read_paths([deep, tmp_path / "saved.mbox"])
    assert [b.recipient for b in reading.bounces] == ["hanako.suzuki@example.co.jp"]
    assert any(p.startswith(f"{deep}: nested too deeply") for p in reading.problems), (
        reading.problems
    )
    assert any(
        p.startswith(f"{tmp_path / 'saved.mbox'}#1: nested too deeply") for p in (reading.problems)
    ), reading.problems
    result = Cli(sample_copy)("mail", "bounces", str(deep), ok=False)
    assert "Internal error" not in result.stderr and "nested too deeply" in result.stderr


def test_a_remote_servers_words_reach_sheets_and_terminals_harmless(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """The diagnostic in a bounce is written by a server kops does not control: a formula
    or terminal codes in it must not reach a CSV cell as a formula or a terminal as codes."""
    import csv
    import io

    from mailing import SEGMENT, use_smtp
    from smtp_server import SmtpServer
    from test_bounces import SENT_AT, notice_for, sent_rows

    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--yes", env=SENT_AT)
    email, message_id = sent_rows(sample_copy)[0]
    text = notice_for("gmail.eml", email, message_id)
    text = text.replace(
        "Diagnostic-Code: smtp; 550-5.1.1",
        'Diagnostic-Code: smtp; =HYPERLINK("http://evil.example/","x") \x1b]0;owned\x07 550-5.1.1',
    )
    notice = tmp_path / "notice.eml"
    notice.write_bytes(text.encode("utf-8"))
    table = cli("mail", "bounces", str(notice))
    assert "\x1b" not in table.stdout + table.stderr
    out = cli("mail", "suppressed", "--format", "csv").stdout
    assert "\x1b" not in out
    for row in csv.reader(io.StringIO(out)):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_a_missing_path_or_a_link_to_nowhere_is_said_with_what_to_give(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    loop = tmp_path / "bounces"
    loop.symlink_to(tmp_path / "again")
    (tmp_path / "again").symlink_to(loop)
    cli = Cli(sample_copy)
    for path, said in ((loop, "a link that leads to no file"), (tmp_path / "nope", "no such")):
        result = cli("mail", "bounces", str(path), ok=False)
        assert result.exit_code == 1 and said in result.stderr, result.stderr
        assert "Hint: give the bounce notices saved as .eml" in result.stderr
