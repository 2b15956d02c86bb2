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


def test_a_token_command_printing_without_end_is_stopped_early(tmp_path: Path) -> None:
    """`yes` as a token command: kops stops reading at a bound and says so, well before its
    timeout, instead of holding gigabytes; the output (maybe a secret) is not shown."""
    import sys
    import time

    import pytest

    from kakeai_ops.mail.oauth import CommandToken
    from kakeai_ops.mail.tokens import TokenError

    endless = tmp_path / "endless.py"
    endless.write_text(
        "import sys\nchunk = 'eyJ' * 100000\nwhile True:\n    sys.stdout.write(chunk)\n"
    )
    started = time.monotonic()
    with pytest.raises(TokenError, match="出力が大きすぎます") as caught:
        CommandToken([sys.executable, str(endless)], 60).token()
    assert time.monotonic() - started < 30
    assert "eyJeyJ" not in str(caught.value) + str(caught.value.hint)


def test_a_token_of_megabytes_on_one_line_is_refused(tmp_path: Path) -> None:
    import sys

    import pytest

    from kakeai_ops.mail.oauth import CommandToken
    from kakeai_ops.mail.tokens import TokenError

    huge = tmp_path / "huge.py"
    huge.write_text("print('a' * 3_000_000)")
    with pytest.raises(TokenError, match="出力が大きすぎます"):
        CommandToken([sys.executable, str(huge)], 60).token()


def test_a_token_command_whose_stderr_floods_still_reports_its_exit(tmp_path: Path) -> None:
    """A failing command's last stderr line is shown, bounded, with terminal escapes made
    visible by the error printer (never raw ESC)."""
    import sys

    import pytest

    from kakeai_ops.mail.oauth import CommandToken
    from kakeai_ops.mail.tokens import TokenError

    noisy = tmp_path / "noisy.py"
    noisy.write_text(
        "import sys\nsys.stderr.write('x' * 5_000_000 + '\\n')\n"
        "sys.stderr.write('denied by policy\\n')\nsys.exit(3)\n"
    )
    with pytest.raises(TokenError, match="終了コード 3") as caught:
        CommandToken([sys.executable, str(noisy)], 60).token()
    assert "denied by policy" in str(caught.value)


def test_a_retry_after_date_without_zone_waits_instead_of_crashing(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: object
) -> None:
    """Retry-After: 'Fri, 20 Nov 2026 10:00:02 -0000' (RFC 2822's UTC of unknown origin)
    parsed to a naive time and crashed the send with a TypeError; it is UTC."""
    from collections import Counter

    import pytest

    from graph_server import GraphServer
    from kakeai_ops.config import load_settings
    from kakeai_ops.mail.graph import GraphTransport
    from kakeai_ops.mail.plan import load_plan
    from kakeai_ops.mail.send import Sender
    from kakeai_ops.store.ledger import Ledger
    from mailing import RUN, SEGMENT
    from test_graph import PinnedTime, use_graph
    from token_broker import broker

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    with GraphServer(tmp_path) as graph:
        monkeypatch.setenv("SSL_CERT_FILE", str(graph.cert))
        graph.state.tokens = {"t"}
        use_graph(sample_copy, graph, broker(tmp_path, "t", "t"))
        Cli(sample_copy)("mail", "send", *SEGMENT, "--limit", "1", "--yes")
        monkeypatch.setenv("KOPS_NOW", "2026-11-20T19:00:00+09:00")
        graph.state.answers = [(429, {"Retry-After": "Fri, 20 Nov 2026 10:00:05 -0000"})]
        settings = load_settings(sample_copy.config_path)
        time = PinnedTime()
        ledger = Ledger(sample_copy)
        try:
            sender = Sender(
                sample_copy,
                settings,
                ledger,
                GraphTransport(settings.mail),
                sleep=time.sleep,
                clock=time.clock,
            )
            plan = load_plan(sample_copy, RUN)
            first = sender.pending(plan, False)[0]
            report = sender.send(plan, [first])
        finally:
            ledger.close()
    assert 5.0 in time.waits
    assert report.outcomes == Counter({"sent": 1})


def test_mark_delivered_before_a_day_the_data_does_not_reach_is_refused(
    sample_copy: Workspace,
) -> None:
    """--before 2026-12-01 on data to 2026-11-20 said 'Recorded … reached before
    2026-12-01', but the milestones of 11-21..11-30 were not recorded and would be mailed
    later: refused, naming both days; nothing written."""
    from kakeai_ops.mail.milestone_mail import delivered_milestones

    cli = Cli(sample_copy)
    before = tree_digest(sample_copy.root)
    late = cli("campaign", "milestones", "--mark-delivered", "--before", "2026-12-01", ok=False)
    assert late.exit_code == 1
    assert "--before 2026-12-01 is after the data" in late.stderr
    assert "2026-11-20" in late.stderr
    assert tree_digest(sample_copy.root) == before
    assert delivered_milestones(sample_copy).empty
    # The day after the data's last is what the default means: allowed.
    cli("campaign", "milestones", "--mark-delivered", "--before", "2026-11-21")
    assert not delivered_milestones(sample_copy).empty


def test_mark_delivered_before_any_1on1_says_none_was_reached(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    early = cli("campaign", "milestones", "--mark-delivered", "--before", "1990-01-01", ok=False)
    assert "no milestone was reached before 1990-01-01" in early.stderr
    assert "already recorded" not in early.stderr


def _set_service(ws: Workspace, **service: str) -> None:
    import yaml

    data = yaml.safe_load(ws.config_path.read_text(encoding="utf-8"))
    data["service"] = service
    ws.config_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_login_address_no_one_can_follow_is_refused_by_its_key(sample_copy: Workspace) -> None:
    """'https://' alone, a space inside, or no host went into every not_activated mail as
    a link that leads nowhere; each is refused naming service.login_url."""
    import pytest

    cli = Cli(sample_copy)
    for bad in (
        "https://",
        "https:// kakeai.example.co.jp/login",
        "https://kakeai.example.co.jp/log in",
        "https:///login",
        "https://kakeai.example.co.jp/\u3000login",
    ):
        _set_service(sample_copy, login_url=bad)
        refused = cli("status", ok=False)
        assert refused.exit_code != 0, bad
        assert "service.login_url" in refused.stderr, (bad, refused.stderr)
    for good in ("https://kakeai.example.co.jp/login", "http://intra.example.co.jp:8080/kakeai"):
        _set_service(sample_copy, login_url=good, help_url=good)
        assert cli("status").exit_code == 0
    _ = pytest


def test_invisible_characters_pasted_into_an_option_are_ignored(sample_copy: Workspace) -> None:
    """A role, stuck point or date copied from a document often carries a zero-width space
    or a BOM; 'unknown role '上司'' (the mark invisible) left the reader nothing to fix."""
    import json

    cli = Cli(sample_copy)
    plain = cli("mail", "plan", "--segment", "lapsed", "--role", "部下", "--format", "json")
    pasted = cli(
        "mail",
        "plan",
        "--segment",
        "\u200b1on1休眠",
        "--role",
        "部下\u200b",
        "--as-of",
        "\ufeff2026-11-20\u2060",
        "--format",
        "json",
    )
    assert json.loads(pasted.stdout) == json.loads(plain.stdout)
    assert json.loads(plain.stdout)  # somebody is planned: the comparison means something


def test_a_reason_with_terminal_codes_or_pages_of_text_is_refused(sample_copy: Workspace) -> None:
    """--reason goes into the audit log and is shown back on terminals and in sheets: an
    ESC sequence (stored as typed) or a line separator is refused
    by the option's name, as is a reason of pages; nothing is recorded."""
    attendance = str(SAMPLE / "seminar" / "month1-attendance.csv")
    cli = Cli(sample_copy)
    before = tree_digest(sample_copy.root)
    for reason, said in (
        ("\x1b[2J社外で開催", "U+001B"),
        ("社外で\u2028開催", "U+2028"),
        ("社外で開催\u202e", "U+202E"),
        ("長" * 1001, "at most 1,000"),
    ):
        refused = cli(
            "seminar", "attendance", "month2", attendance, "--force", "--reason", reason, ok=False
        )
        assert refused.exit_code != 0
        assert "--reason" in refused.stderr and said in refused.stderr, refused.stderr
        assert "\x1b" not in refused.stderr
    assert tree_digest(sample_copy.root) == before
    excluded = cli("interview", "exclude", "000104", "--reason", "辞退\x1b[31m", ok=False)
    assert "--reason" in excluded.stderr and "U+001B" in excluded.stderr
    assert tree_digest(sample_copy.root) == before


def test_a_giant_message_in_the_imap_folder_is_named_and_not_fetched_whole(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """The bounce folder may hold a mail with a large attachment: it is fetched only up to
    the notice bound (a partial fetch), named as too large, and the notices beside it are
    still read."""
    import pytest

    from imap_server import ImapServer
    from kakeai_ops.mail import bounces
    from mailing import configure
    from tls_cert import make_certificate, server_context
    from token_broker import broker

    limit = 64 * 1024
    notice = (BOUNCES / "gmail.eml").read_bytes()
    giant = (
        b"From: someone@example.co.jp\r\nDate: Fri, 20 Nov 2026 10:00:00 +0900\r\n"
        b"Subject: big\r\n\r\n" + b"x" * (limit * 4)
    )
    cert, key = make_certificate(tmp_path / "tls")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", str(cert))
        patch.setattr(bounces, "MAX_NOTICE_BYTES", limit)
        with ImapServer(server_context(cert, key)) as imap:
            imap.box.folders["INBOX"] = [giant, notice]
            imap.box.tokens = {"imap-token": "kakeai-office@example.co.jp"}
            configure(
                sample_copy,
                smtp={
                    "host": "127.0.0.1",
                    "user": "kakeai-office@example.co.jp",
                    "auth": "xoauth2",
                    "oauth": {
                        "provider": "command",
                        "token_command": broker(tmp_path, "imap-token"),
                    },
                },
                imap={"host": "127.0.0.1", "port": imap.port, "folder": "INBOX", "days": 30},
            )
            result = Cli(sample_copy)(
                "mail",
                "bounces",
                "--imap",
                "--format",
                "csv",
                env={"KOPS_NOW": "2026-11-21T09:00:00+09:00"},
                ok=False,
            )
            fetches = imap.box.fetches
    assert "imap:INBOX/1: too large for a bounce notice" in result.stderr, result.stderr
    assert all(f"<0.{limit + 1}>" in f for f in fetches), fetches
    assert "hanako.suzuki@example.co.jp" in result.stdout + result.stderr


def test_an_id_and_an_email_naming_different_people_is_refused_by_row(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """A list with both ユーザーID and メールアドレス whose row names two people (columns
    shifted in a careless export) recorded the id's person and ignored the email; now the
    row is named and nothing is recorded. Rows where both agree are read as before."""
    import csv

    users = {
        r["user_id"]: r["email"]
        for r in csv.DictReader(
            Cli(sample_copy)("segment", "--list", "--format", "csv").stdout.splitlines()
        )
    }
    first, second, third = sorted(users)[:3]
    cli = Cli(sample_copy)
    shifted = tmp_path / "出席者.csv"
    shifted.write_text(
        f"ユーザーID,メールアドレス\n{first},{users[first]}\n{second},{users[third].upper()}\n",
        encoding="utf-8-sig",
    )
    before = tree_digest(sample_copy.root)
    attendance = cli(
        "seminar",
        "attendance",
        "month1",
        str(shifted),
        "--force",
        "--reason",
        "社外で開催",
        ok=False,
    )
    assert f"出席者.csv:3: メールアドレス: belongs to user {third}, not to {second}" in (
        attendance.stderr
    ), attendance.stderr
    listed = cli("mail", "plan", "--users", str(shifted), "--template", "no_pair", ok=False)
    assert f"belongs to user {third}, not to {second}" in listed.stderr
    assert tree_digest(sample_copy.root) == before
    agreeing = tmp_path / "ok.csv"
    agreeing.write_text(
        f"ユーザーID,メールアドレス\n{first},{users[first]}\n{second},\n", encoding="utf-8-sig"
    )
    cli("mail", "plan", "--users", str(agreeing), "--template", "no_pair")


def test_explain_says_what_was_probably_meant(sample_copy: Workspace) -> None:
    """--explain 104 105 (zeros lost in a spreadsheet) and the ids swapped said only 'no
    formed pair'; the refusal now names the pair that exists."""
    import pandas as pd

    from kakeai_ops.store import latest_snapshot, load_tables

    snap = latest_snapshot(sample_copy)
    assert snap is not None
    pairs = load_tables(snap).pairs
    formed = pairs[pairs["accepted_at"].notna()].iloc[0]
    manager, member = str(formed["manager_id"]), str(formed["member_id"])
    assert manager.startswith("0") and isinstance(formed, pd.Series)
    cli = Cli(sample_copy)
    short = cli(
        "interview", "shortlist", "--explain", manager.lstrip("0"), member.lstrip("0"), ok=False
    )
    assert f"did you mean {manager} {member}?" in short.stderr, short.stderr
    swapped = cli("interview", "shortlist", "--explain", member, manager, ok=False)
    assert f"did you mean {manager} {member}?" in swapped.stderr, swapped.stderr


def test_a_folder_or_device_given_for_a_file_is_called_what_it_is(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """'file not found' for a folder that plainly exists sent people looking for a typo."""
    folder = tmp_path / "2026-11"
    folder.mkdir()
    device = tmp_path / "users.csv"
    device.symlink_to("/dev/null")
    cli = Cli(sample_copy)
    before = tree_digest(sample_copy.root)
    ingest = cli("ingest", str(folder), str(device), ok=False)
    assert f"{folder}: a folder, not a file" in ingest.stderr, ingest.stderr
    assert f"{device}: not a regular file" in ingest.stderr, ingest.stderr
    listed = cli("mail", "plan", "--users", str(folder), "--template", "no_pair", ok=False)
    assert f"{folder}: a folder, not a file" in listed.stderr
    missing = cli(
        "mail", "plan", "--users", str(tmp_path / "nope.csv"), "--template", "no_pair", ok=False
    )
    assert "file not found" in missing.stderr
    assert tree_digest(sample_copy.root) == before


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


def test_a_token_command_with_an_unbalanced_quote_is_refused_by_its_key(
    sample_copy: Workspace,
) -> None:
    """token_command: 'get-token "x' stopped `kops mail check` with an internal
    ValueError (No closing quotation) from the shell-like split."""
    import yaml

    data = yaml.safe_load(sample_copy.config_path.read_text(encoding="utf-8"))
    data["mail"]["transport"] = "smtp"
    data["mail"]["smtp"].update(
        {
            "host": "127.0.0.1",
            "user": "kakeai-office@example.co.jp",
            "auth": "xoauth2",
            "oauth": {"provider": "command", "token_command": 'get-token --user "office'},
        }
    )
    sample_copy.config_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = Cli(sample_copy)("mail", "check", ok=False)
    assert result.exit_code == 1, result.stderr
    assert "mail.smtp.oauth.token_command" in result.stderr
    assert "quot" in result.stderr and "Internal error" not in result.stderr


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
