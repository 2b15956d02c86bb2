"""kops mail bounces: real notices (tests/data/bounces) read, matched to a real run, suppressed."""

from __future__ import annotations

import csv
import io
import mailbox
import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.mail.bounces import read_paths
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from mailing import RUN, SEGMENT, states, use_smtp
from outlook_msg import write_ndr_msg
from smtp_server import SmtpServer

DATA = Path(__file__).parent / "data" / "bounces"
SENT_AT = {"KOPS_NOW": "2026-11-20T10:00:00+09:00"}

# Each sample: the address and Message-ID it was written with, and the verdict expected.
SAMPLES = {
    "exchange_online.eml": (
        "taro.yamada@example.co.jp",
        "<3f1c0d5e8a9b4c2d1e0f6a7b8c9d0e1f@kops.example.co.jp>",
        True,
        "5.1.10",
    ),
    "gmail.eml": (
        "hanako.suzuki@example.co.jp",
        "<9a8b7c6d5e4f30211203f4e5d6c7b8a9@kops.example.co.jp>",
        True,
        "5.1.1",
    ),
    "japanese_ndr.eml": (
        "shiro.ito@example.co.jp",
        "<5eed5eed5eed5eed5eed5eed5eed5eed@kops.example.co.jp>",
        True,
        "5.1.1",
    ),
    "postfix.eml": (
        "jiro.sato@example.co.jp",
        "<c0ffee00112233445566778899aabbcc@kops.example.co.jp>",
        True,
        "5.1.1",
    ),
    "qmail.eml": (
        "goro.kobayashi@example.ne.jp",
        "<0a0b0c0d0e0f10111213141516171819@kops.example.co.jp>",
        True,
        "5.1.1",
    ),
    "postfix_delayed.eml": (
        "saburo.tanaka@example.co.jp",
        "<d00dfeed99887766554433221100ffee@kops.example.co.jp>",
        False,
        "4.4.1",
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_sample_notice_is_read_with_its_status_and_the_returned_message_id(
    name: str,
) -> None:
    address, message_id, permanent, status = SAMPLES[name]
    reading = read_paths([DATA / name])
    assert reading.problems == [] and reading.not_bounces == []
    [bounce] = reading.bounces
    assert bounce.recipient == address
    assert bounce.permanent is permanent and bounce.status == status
    assert bounce.message_ids[0] == message_id
    assert bounce.date is not None and bounce.date.year == 2026
    assert bounce.diagnostic  # the remote server's words, for the suppression reason


def test_an_out_of_office_reply_is_not_a_bounce() -> None:
    reading = read_paths([DATA / "out_of_office.eml"])
    assert reading.bounces == [] and reading.not_bounces == [str(DATA / "out_of_office.eml")]


def test_an_mbox_holds_several_notices(tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "saved.mbox")
    for name in ("gmail.eml", "out_of_office.eml", "postfix.eml"):
        box.add((DATA / name).read_bytes())
    box.close()
    reading = read_paths([tmp_path / "saved.mbox"])
    assert sorted(b.recipient for b in reading.bounces) == [
        "hanako.suzuki@example.co.jp",
        "jiro.sato@example.co.jp",
    ]
    assert reading.not_bounces == [f"{tmp_path / 'saved.mbox'}#2"]


def test_an_outlook_ndr_msg_is_read_from_its_recipient_rows(tmp_path: Path) -> None:
    path = write_ndr_msg(
        tmp_path / "配信不能.msg",
        "From: postmaster@example.co.jp\r\nDate: Fri, 20 Nov 2026 10:09:00 +0900\r\n"
        "Message-ID: <ndr-1@example.co.jp>\r\n"
        "In-Reply-To: <0123456789abcdef0123456789abcdef@kops.example.co.jp>\r\n\r\n",
        "rokuro.kato@example.co.jp にメッセージを配信できませんでした。",
        [("rokuro.kato@example.co.jp", "550 5.1.1 ユーザーが見つかりません")],
    )
    [bounce] = read_paths([path]).bounces
    assert bounce.recipient == "rokuro.kato@example.co.jp" and bounce.permanent
    assert bounce.status == "5.1.1" and "ユーザーが見つかりません" in bounce.diagnostic
    assert bounce.message_ids == ("<0123456789abcdef0123456789abcdef@kops.example.co.jp>",)


def test_unreadable_files_are_named_and_nothing_is_learned(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.msg"
    corrupt.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    junk = tmp_path / "junk.eml"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    reading = read_paths([corrupt, junk])
    assert reading.bounces == []
    assert [p.split(":")[0] for p in reading.problems] == [str(corrupt), str(junk)]
    assert "Outlook" in reading.problems[0] and "not a mail message" in reading.problems[1]


def sent_rows(ws: Workspace) -> list[tuple[str, str]]:
    ledger = Ledger(ws)
    try:
        return [(r.email, r.message_id) for r in ledger.rows(RUN, ["sent"])]
    finally:
        ledger.close()


def send_the_segment(ws: Workspace) -> list[tuple[str, str]]:
    """The segment mailed through a server on 127.0.0.1; who was sent what Message-ID."""
    with SmtpServer() as server:
        use_smtp(ws, server)
        Cli(ws)("mail", "send", *SEGMENT, "--yes", env=SENT_AT)
    return sent_rows(ws)


def notice_for(name: str, email: str, message_id: str, keep_id: bool = True) -> str:
    """A sample notice rewritten for a message the run really sent."""
    address, sample_id, _, _ = SAMPLES[name]
    text = (DATA / name).read_text(encoding="utf-8")
    text = text.replace(address, email).replace(sample_id, message_id)
    if not keep_id:  # a notice that quotes nothing: matched by recipient and date
        text = re.sub(r"(?im)^(message-id|in-reply-to|references):\s*<[^>]*@kops[^>]*>\n", "", text)
        assert message_id not in text
    return text


def suppression(cli: Cli) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(cli("mail", "suppressed", "--format", "csv").stdout))
    return {r["key"]: r for r in rows}


def test_bounces_suppress_exactly_the_permanent_failures_of_the_run_and_the_next_run_skips_them(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    rows = send_the_segment(sample_copy)
    assert len(rows) >= 8
    folder = tmp_path / "saved"
    folder.mkdir()
    names = sorted(SAMPLES)
    for index, name in enumerate(names):
        email, message_id = rows[index]
        keep = name != "postfix.eml"
        (folder / name).write_text(notice_for(name, email, message_id, keep), encoding="utf-8")
    msg_email, msg_id = rows[len(names)]
    write_ndr_msg(
        folder / "outlook.msg",
        "From: postmaster@example.co.jp\r\nDate: Fri, 20 Nov 2026 10:09:00 +0900\r\n"
        f"Message-ID: <ndr-7@example.co.jp>\r\nIn-Reply-To: {msg_id}\r\n\r\n",
        "配信できませんでした。",
        [(msg_email, "550 5.1.1 User unknown")],
    )
    stranger = notice_for("gmail.eml", "stranger@example.com", "<unknown@elsewhere.example>")
    (folder / "stranger.eml").write_text(stranger.replace("6740c1b7", "6740c1b8"), encoding="utf-8")
    (folder / "out_of_office.eml").write_bytes((DATA / "out_of_office.eml").read_bytes())
    before = suppression(cli)

    result = cli("mail", "bounces", str(folder), "--format", "csv")

    outcomes = list(csv.DictReader(io.StringIO(result.stdout)))
    permanent = {rows[i][0] for i, n in enumerate(names) if SAMPLES[n][2]} | {msg_email}
    temporary = {rows[i][0] for i, n in enumerate(names) if not SAMPLES[n][2]}
    after = suppression(cli)
    assert set(after) - set(before) == permanent
    for address in permanent:
        assert after[address]["source"] == RUN
        assert (
            re.match(r"bounced: 5\.1\.1", after[address]["reason"])
            or "5.1.10" in after[address]["reason"]
        )
    assert {o["recipient"]: o["result"] for o in outcomes} == {
        **{a: "suppressed" for a in permanent},
        **{a: "counted" for a in temporary},
        "stranger@example.com": "not mailed by kops",
    }
    assert "out_of_office.eml: not a bounce notice" in result.stderr
    from kakeai_ops.store import audit_entries

    [entry] = audit_entries(sample_copy, 1).to_dict("records")
    assert entry["action"] == "mail bounces" and entry["label"] == "不達通知の取り込み"
    assert entry["count"] == len(permanent) and entry["files"] == [str(folder)]

    # Read again: nothing changes, the temporary bounce is not counted twice.
    again = cli("mail", "bounces", str(folder), "--format", "csv")
    assert Counter(o["result"] for o in csv.DictReader(io.StringIO(again.stdout))) == Counter(
        {"already read": len(permanent) + 1, "not mailed by kops": 1}
    )
    assert suppression(cli) == after
    # The table the secretariat reads says it in Japanese, as the summary line does.
    table = cli("mail", "bounces", str(folder), env={"KOPS_LANG": "ja", "COLUMNS": "300"})
    assert "読み込み済み" in table.stdout and "kops が送っていない" in table.stdout
    assert "恒久的な失敗" in table.stdout and "状態コード" in table.stdout
    assert "already read" not in table.stdout and "permanent" not in table.stdout
    listed = cli("mail", "suppressed", env={"KOPS_LANG": "ja", "COLUMNS": "300"}).stdout
    assert "不達: 5.1.1" in listed and "bounced" not in listed and RUN in listed

    # The run's status: sent, bounced, delivered.
    runs = {
        r["run_id"]: r
        for r in csv.DictReader(io.StringIO(cli("mail", "status", "--format", "csv").stdout))
    }
    assert int(runs[RUN]["bounced"]) == len(permanent)
    assert int(runs[RUN]["delivered"]) == len(rows) - len(permanent)
    shown = cli("mail", "status", RUN).stdout
    assert f"bounced after sending: {len(permanent)} for good, 1 temporarily" in shown
    assert f"delivered: {len(rows) - len(permanent)} of {len(rows)} sent" in shown

    # The next run mails none of them, and the temporarily bounced one still gets mail.
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--id", "nov-again", "--yes", env=SENT_AT)
        mailed = {a for r in server.handler.received for a in r.rcpt_tos}
    assert mailed and not mailed & permanent
    assert temporary <= mailed


def test_temporary_bounces_suppress_after_the_soft_limit(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    email, message_id = send_the_segment(sample_copy)[0]
    results = []
    for number in range(1, 4):
        notice = notice_for("postfix_delayed.eml", email, message_id).replace(
            "4Xzz98QwErt7pLM@", f"4Xzz98QwErt7p{number:02d}@"
        )
        path = tmp_path / f"delayed-{number}.eml"
        path.write_text(notice, encoding="utf-8")
        out = cli("mail", "bounces", str(path), "--format", "csv").stdout
        results.append(next(csv.DictReader(io.StringIO(out)))["result"])
        if number < 3:
            assert email not in suppression(cli)
    assert results == ["counted", "counted", "suppressed"]
    assert "3 temporary bounces (last: 4.4.1" in suppression(cli)[email]["reason"]
    # The secretariat reads the list in Japanese: headers, why, and who added it.
    table = cli("mail", "suppressed", env={"KOPS_LANG": "ja", "COLUMNS": "300"}).stdout
    assert "一時的な不達 3 回（最後: 4.4.1" in table and "temporary" not in table
    for header in ("アドレス・社員番号", "理由", "登録元（配信）", "登録日時"):
        assert header in table
    assert "added_at" not in table and "reason" not in table


def test_a_folder_without_bounces_is_an_error_and_changes_nothing(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "out_of_office.eml").write_bytes((DATA / "out_of_office.eml").read_bytes())
    (folder / "broken.msg").write_bytes(b"not an ole file")
    before = suppression(cli)
    result = cli("mail", "bounces", str(folder), ok=False)
    assert result.exit_code == 1
    assert "no bounce found" in result.stderr
    assert "broken.msg: not a readable Outlook .msg file" in result.stderr
    assert suppression(cli) == before
    missing = cli("mail", "bounces", str(tmp_path / "nope"), ok=False)
    assert "no such file or folder" in missing.stderr
    assert states(sample_copy) == Counter()


def test_bounces_read_from_a_mailbox_folder_over_imap_with_the_same_sign_in(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imap_server import ImapServer
    from mailing import use_imap
    from tls_cert import make_certificate, server_context

    cli = Cli(sample_copy)
    rows = send_the_segment(sample_copy)
    cert, key = make_certificate(tmp_path / "tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    old = notice_for("gmail.eml", rows[2][0], rows[2][1]).replace(
        "Thu, 19 Nov 2026 17:06:31 -0800", "Tue, 01 Sep 2026 10:00:00 +0900"
    )
    with ImapServer(server_context(cert, key)) as imap:
        imap.box.folders["不達メール"] = [
            notice_for("exchange_online.eml", *rows[0]).encode(),
            notice_for("postfix_delayed.eml", *rows[1]).encode(),
            (DATA / "out_of_office.eml").read_bytes(),
            old.encode(),  # arrived before the last 30 days: not read
        ]
        imap.box.tokens = {"imap-token": "kakeai-office@example.co.jp"}
        use_imap(sample_copy, imap, tmp_path, "不達メール")
        result = cli(
            "mail",
            "bounces",
            "--imap",
            "--format",
            "csv",
            env={"KOPS_NOW": "2026-11-21T09:00:00+09:00"},
        )
        box = imap.box
    outcomes = {o["recipient"]: o["result"] for o in csv.DictReader(io.StringIO(result.stdout))}
    assert outcomes == {rows[0][0]: "suppressed", rows[1][0]: "counted"}
    assert "1 other message(s) in the mailbox left alone" in result.stderr
    assert box.sasl == [b"user=kakeai-office@example.co.jp\x01auth=Bearer imap-token\x01\x01"]
    # Never marked as read (PEEK), each bounded; the old one not fetched.
    assert len(box.fetches) == 3 and all(f.startswith("(BODY.PEEK[]") for f in box.fetches)
    assert box.selected[0].isascii() and box.selected[0].startswith("&")  # modified UTF-7
    assert set(suppression(cli)) == {rows[0][0]}
    assert "imap-token" not in result.stdout + result.stderr


def test_a_notice_for_another_address_suppresses_nothing_and_an_unknown_row_is_matched(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    rows = send_the_segment(sample_copy)
    # kops mailed rows[0]; the notice is for where that mailbox forwards to.
    forwarded = tmp_path / "forwarded.eml"
    forwarded.write_text(
        notice_for("postfix.eml", "taro@elsewhere.example", rows[0][1]), encoding="utf-8"
    )
    # rows[1] was left 'sending' (outcome unknown); its bounce proves the server took it.
    ledger = Ledger(sample_copy)
    try:
        item = next(r.item for r in ledger.rows(RUN) if r.email == rows[1][0])
        ledger.mark(RUN, item, "sending", "unknown: connection lost after the message was sent")
    finally:
        ledger.close()
    unknown = tmp_path / "unknown.eml"
    unknown.write_text(notice_for("gmail.eml", *rows[1]), encoding="utf-8")
    before = suppression(cli)
    result = cli("mail", "bounces", str(forwarded), str(unknown), "--format", "csv")
    outcomes = {o["recipient"]: o for o in csv.DictReader(io.StringIO(result.stdout))}
    assert outcomes["taro@elsewhere.example"]["result"] == "not suppressed"
    assert rows[0][0] in outcomes["taro@elsewhere.example"]["reason"]
    assert outcomes[rows[1][0]]["result"] == "suppressed"
    assert set(suppression(cli)) - set(before) == {rows[1][0]}
