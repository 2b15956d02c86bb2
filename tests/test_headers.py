"""Every header of every message is checked before the first is sent (real SMTP):
a person whose name or address can't be a header is left out with the reason, and
anything else (a subject, the sender, an attachment) refuses the whole run.

The hostile values are put into a stored snapshot directly, as data that got
past an older ingest would be, and into kops.yaml and templates, which ingest
never sees.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import USERS_HEADER, Cli, tree_digest, write_csv
from kakeai_ops.jobs.workspace_init import init_workspace
from kakeai_ops.store import latest_snapshot, load_tables, write_snapshot
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from smtp_server import SmtpServer
from test_mail_command import use_smtp

# Five recipients; the hostile value goes to the fourth, so a run that checked
# headers only as it went would have mailed three people before failing.
PEOPLE = [f"00{n:02d}" for n in range(10, 15)]


@pytest.fixture(scope="module")
def _mail_ws_built(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The five people ingested once for the file; each test works on its own copy."""
    base = tmp_path_factory.mktemp("mail-ws")
    users = [
        [
            uid,
            f"社員 {uid}",
            f"u{uid}@example.jp",
            "営業本部",
            "第一営業部",
            "営業",
            "30代",
            "在籍",
            "2026/11/20 9:00",
        ]
        for uid in PEOPLE
    ]
    ws = init_workspace(base / "ws")
    # The users table is enough.
    Cli(ws)("ingest", str(write_csv(base / "users.csv", USERS_HEADER, users, encoding="cp932")))
    return ws


@pytest.fixture
def mail_ws(_mail_ws_built: Workspace, tmp_path: Path) -> Workspace:
    target = tmp_path / "ws"
    shutil.copytree(_mail_ws_built.root, target)
    (tmp_path / "list.csv").write_text("user_id\n" + "\n".join(PEOPLE) + "\n", encoding="utf-8")
    return Workspace(target)


def tamper(ws: Workspace, user_id: str, **values: str) -> None:
    """A snapshot whose user row holds a value ingest would not let through today."""
    snapshot = latest_snapshot(ws)
    assert snapshot is not None
    tables = load_tables(snapshot)
    for column, value in values.items():
        tables.users.loc[tables.users["user_id"] == user_id, column] = value
    write_snapshot(ws, tables, {**snapshot.manifest, "files": []})


def nothing_recorded(ws: Workspace) -> None:
    ledger = Ledger(ws)
    try:
        assert ledger.runs().empty
    finally:
        ledger.close()
    assert not list((ws.state_dir / "mail").glob("*/plan-*.jsonl"))


def send(ws: Workspace, tmp_path: Path, *extra: str) -> Any:
    return Cli(ws)(
        "mail",
        "send",
        "--users",
        str(tmp_path / "list.csv"),
        "--template",
        "no_pair",
        "--yes",
        *extra,
        ok=False,
    )


TO_PROBLEMS = [
    ("name", "社員\r\nBcc: all@example.jp", "line break or control character (U+000D)"),
    ("name", "社員\n太郎", "(U+000A)"),
    ("name", "社員\x00太郎", "(U+0000)"),
    ("name", "社員\u2028太郎", "(U+2028)"),
    ("name", "社員\x85太郎", "(U+0085)"),
    ("name", "名" * 101, "too long (101 characters, at most 100)"),
    ("email", "u0013@example.jp,boss@example.jp", "not one email address"),
    ("email", "u0013@example.jp boss@example.jp", "not one email address"),
    ("email", "社員 <u0013@example.jp>", "characters mail servers can't take"),
    ("email", "山田@example.jp", "characters mail servers can't take"),
    ("email", '"a b"@example.jp', "not one plain email address"),
    ("email", "u0013@localhost", "not one plain email address"),
    ("email", "u0013@", "not one email address"),
    ("email", "u0013@example.jp\r\nBcc: x@example.jp", "can't take"),
]


@pytest.mark.parametrize(("column", "value", "what"), TO_PROBLEMS)
def test_a_recipient_who_cannot_be_addressed_is_left_out_and_the_rest_sent(
    mail_ws: Workspace, tmp_path: Path, column: str, value: str, what: str
) -> None:
    """One person's name or address never stops a run: they are left out, with why."""
    tamper(mail_ws, "0013", **{column: value})
    with SmtpServer() as server:
        use_smtp(mail_ws, server)
        result = send(mail_ws, tmp_path)
        assert result.exit_code == 0, result.stderr
        received = sorted(a for r in server.handler.received for a in r.rcpt_tos)
    assert received == sorted(f"u{uid}@example.jp" for uid in PEOPLE if uid != "0013")
    assert "0013: a name or address a mail cannot go to" in result.stderr and what in result.stderr
    assert "Bcc" not in result.stderr and "\x00" not in result.stderr
    ledger = Ledger(mail_ws)
    try:
        assert "0013" not in {row.user_id for row in ledger.rows("no_pair-list")}
    finally:
        ledger.close()


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("第一\x07営業部", "(U+0007)"),
        ("部" * 300, "too long"),
        # Decoded by Python and every mail program: it would arrive as 「INJ」.
        ("=?utf-8?q?INJ?=", "holds =?utf-8?q?INJ?=, which mail programs read as encoded"),
    ],
)
def test_a_bad_subject_refuses_the_whole_run_before_anything_is_sent(
    mail_ws: Workspace, tmp_path: Path, value: str, what: str
) -> None:
    # The subject carries a template variable, as an edited template may.
    template = mail_ws.mail_templates_dir / "no_pair.txt"
    text = template.read_text(encoding="utf-8")
    template.write_text(
        text.replace("subject: ", "subject: {{ user.department }}：", 1), encoding="utf-8"
    )
    tamper(mail_ws, "0013", department=value)
    with SmtpServer() as server:
        use_smtp(mail_ws, server)
        result = send(mail_ws, tmp_path)
        assert result.exit_code == 1, result.stderr
        assert "Internal error" not in result.stderr
        assert "header problem(s); nothing was sent" in result.stderr
        assert "user 0013: Subject:" in result.stderr and what in result.stderr
        assert server.handler.received == []  # not even the three before it
        assert server.handler.connections == 0
    nothing_recorded(mail_ws)


def test_people_left_out_are_mailed_by_a_later_run_once_fixed(
    mail_ws: Workspace, tmp_path: Path
) -> None:
    tamper(mail_ws, "0011", name="社員\r\n太郎")
    tamper(mail_ws, "0014", email="u0014@example.jp;x@example.jp")
    with SmtpServer() as server:
        use_smtp(mail_ws, server)
        first = send(mail_ws, tmp_path)
        assert first.exit_code == 0, first.stderr
        assert (
            "0011: a name or address" in first.stderr and "0014: a name or address" in first.stderr
        )
        assert len(server.handler.received) == 3
        tamper(mail_ws, "0011", name="社員 太郎")
        tamper(mail_ws, "0014", email="u0014@example.jp")
        (tmp_path / "later.csv").write_text("user_id\n0011\n0014\n", encoding="utf-8")
        later = Cli(mail_ws)(
            "mail",
            "send",
            "--users",
            str(tmp_path / "later.csv"),
            "--template",
            "no_pair",
            "--yes",
        )
        assert later.exit_code == 0
        received = sorted(a for r in server.handler.received for a in r.rcpt_tos)
        names = {r.message["To"].addresses[0].display_name for r in server.handler.received}
    assert received == sorted(f"u{uid}@example.jp" for uid in PEOPLE)
    assert "社員 太郎" in names


def test_dry_run_plan_and_preview_leave_them_out_too(mail_ws: Workspace, tmp_path: Path) -> None:
    tamper(mail_ws, "0012", name="社員\r\n次郎")
    cli = Cli(mail_ws)
    listed = ["--users", str(tmp_path / "list.csv"), "--template", "no_pair"]
    for command in (["send", *listed, "--dry-run"], ["plan", *listed]):
        result = cli("mail", *command)
        assert "0012: a name or address a mail cannot go to" in result.stderr, command
    assert len(list(mail_ws.outbox_dir.rglob("*.eml"))) == len(PEOPLE) - 1
    preview = cli("mail", "preview", *listed, "--user", "0012", ok=False)
    assert (
        preview.exit_code == 1
        and "left out: a name or address a mail cannot go to" in preview.stderr
    )
    # said in the reader's language throughout: the field too (it said 氏名 in English)
    assert "(name: contains a line break" in preview.stderr and "氏名" not in preview.stderr
    nothing_recorded(mail_ws)


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("from_addr", "office@example.jp, boss@example.jp", "kops.yaml: mail: From:"),
        ("reply_to", "reply@example", "kops.yaml: mail: Reply-To:"),
        # A line break is refused when kops.yaml is read, with its line.
        ("from_name", "事務局\nBcc: all@example.jp", "mail.from_name: the text holds a control"),
    ],
)
def test_a_bad_sender_in_kops_yaml_refuses_the_run(
    mail_ws: Workspace, tmp_path: Path, setting: str, value: str, expected: str
) -> None:
    with SmtpServer() as server:
        use_smtp(mail_ws, server, **{setting: value})
        result = send(mail_ws, tmp_path)
        assert result.exit_code == 1 and expected in result.stderr, result.stderr
        assert server.handler.received == []
    nothing_recorded(mail_ws)


def test_to_test_address_is_checked_before_the_first_test_mail(
    mail_ws: Workspace, tmp_path: Path
) -> None:
    with SmtpServer() as server:
        use_smtp(mail_ws, server)
        result = send(mail_ws, tmp_path, "--to-test", "me@example.jp,you@example.jp")
        assert result.exit_code == 1
        assert "--to-test 'me@example.jp,you@example.jp': the address is not one" in (result.stderr)
        assert server.handler.received == []


@pytest.mark.parametrize("tester", ["", " ", "notanaddress"])
def test_an_empty_or_broken_tester_address_is_refused_before_anything_is_sent(
    mail_ws: Workspace, tmp_path: Path, tester: str
) -> None:
    """`--to-test ""` was taken as no tester: the real run went to everyone."""
    with SmtpServer() as server:
        use_smtp(mail_ws, server)
        before = tree_digest(mail_ws.root)
        result = send(mail_ws, tmp_path, "--to-test", tester)
        assert result.exit_code == 1 and f"--to-test {tester!r}: " in result.stderr
        assert "e.g. --to-test me@example.co.jp" in result.stderr
        assert server.handler.received == []
    assert tree_digest(mail_ws.root) == before


@pytest.mark.parametrize(
    "command",
    [
        ("mail", "send", "--segment", "no_prep"),
        ("report", "divisions", "--all-advisors", "--mail"),
        ("seminar", "invite", "month1"),
    ],
)
def test_a_dry_run_with_a_tester_is_refused_not_turned_into_a_send_command(
    sample_copy: Workspace, command: tuple[str, ...]
) -> None:
    """`--to-test me@… --dry-run` wrote the audience's mails and printed 「送るには: kops mail
    send … --yes」 without --to-test: copied, it mailed all 27."""
    before = tree_digest(sample_copy.root)
    result = Cli(sample_copy)(*command, "--to-test", "me@example.jp", "--dry-run", ok=False)
    assert result.exit_code == 1 and "--dry-run and --to-test: choose one" in result.stderr
    assert "kops mail send" not in result.stderr
    assert tree_digest(sample_copy.root) == before


def test_a_resumed_run_is_checked_again(mail_ws: Workspace, tmp_path: Path) -> None:
    """kops.yaml or the stored plan may change between two invocations of one run."""
    from kakeai_ops.mail.plan import plan_dir

    cli = Cli(mail_ws)
    listed = ["--users", str(tmp_path / "list.csv"), "--template", "no_pair", "--yes"]
    with SmtpServer() as server:
        use_smtp(mail_ws, server)
        cli("mail", "send", *listed, "--limit", "1")
        assert len(server.handler.received) == 1
        use_smtp(mail_ws, server, reply_to="reply@example.jp\nBcc: all@example.jp")
        resumed = cli("mail", "send", *listed, ok=False)
        assert "mail.reply_to: the text holds a control character" in resumed.stderr
        assert resumed.exit_code == 1 and len(server.handler.received) == 1
        use_smtp(mail_ws, server, reply_to="kakeai-office@example.co.jp")
        (path,) = plan_dir(mail_ws, "no_pair-list").glob("plan-*.jsonl")
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        lines[3]["name"] = "社員\r\nBcc: all@example.jp"
        path.write_text(
            "".join(json.dumps(x, ensure_ascii=False, sort_keys=True) + "\n" for x in lines),
            encoding="utf-8",
        )
        edited = cli("mail", "send", *listed, ok=False)
        assert edited.exit_code == 1 and "not the plan the ledger recorded" in edited.stderr
        assert len(server.handler.received) == 1


def test_advisor_names_and_addresses_from_kops_yaml_are_checked(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    import yaml

    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"] = {
        "営業\n本部長": {"email": "eigyo@example.jp", "name": "営業 一郎", "scope": ["営業本部"]},
        "製造本部長": {
            "email": "a@example.jp,b@example.jp",
            "name": "製造 二郎",
            "scope": ["製造本部"],
        },
        "開発本部長": {"email": "kaihatsu@example.jp", "name": "開発 三郎", "scope": ["開発本部"]},
    }
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    run = ["report", "divisions", "--all-advisors", "--out", str(tmp_path / "r"), "--mail"]
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        result = Cli(sample_copy)(*run, "--yes", ok=False)
        # A line break in a name is refused when kops.yaml is read.
        assert result.exit_code == 1
        assert "advisors.営業\\u000a本部長: the key holds a control character" in result.stderr
        data = yaml.load(
            sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
        )
        data["advisors"]["営業本部長"] = data["advisors"].pop("営業\n本部長")
        sample_copy.config_path.write_text(
            yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), "utf-8"
        )
        result = Cli(sample_copy)(*run, "--yes", ok=False)
        assert result.exit_code == 1 and "1 header problem(s)" in result.stderr
        assert "user advisor:製造本部長: To: the address is not one" in result.stderr
        assert server.handler.received == []
    nothing_recorded(sample_copy)


def test_text_that_cannot_be_encoded_is_named() -> None:
    """A lone surrogate (an undecodable byte) can't reach a snapshot, but a template can hold it."""
    from kakeai_ops.mail.headers import address_problem, text_problem

    assert text_problem("社員\udc85", 100) == "contains a character that can't be encoded (U+DC85)"
    assert text_problem("社員 太郎", 100) is None
    assert address_problem("社員", "taro.yamada+1on1@example.co.jp") is None
    assert address_problem("社員", "a..b@example.jp") == "the address is not one email address"
    assert address_problem("社員", "") == "has no email address"


def test_a_header_fold_problem_is_found_as_the_standard_library_finds_it() -> None:
    """fold_problem builds and folds through the message's own (remembering) policy: a value
    it passes is one policy.SMTP folds, and one it refuses is one policy.SMTP refuses."""
    from email import errors, policy
    from email.headerregistry import Address

    from kakeai_ops.mail.headers import fold_problem

    def stdlib_refuses(header: str, value: object) -> bool:
        try:
            policy.SMTP.header_factory(header, value).fold(policy=policy.SMTP)
        except (ValueError, TypeError, IndexError, UnicodeError, errors.MessageError):
            return True
        return False

    values: list[tuple[str, object]] = [
        ("Subject", "x" * 1200),
        ("Subject", "全角　スペース" * 120),
        ("Subject", "=?utf-8?q?broken word"),
        ("Subject", "\udc80 a lone surrogate"),
        ("Subject", ""),
        ("From", Address(display_name="KAKEAI事務局", addr_spec="office@example.jp")),
        ("From", Address(display_name='a "quoted", name', addr_spec="a@example.jp")),
        ("Reply-To", Address(display_name="名" * 300, addr_spec="b@example.jp")),
    ]
    for _ in range(2):  # the second time from memory
        for header, value in values:
            assert (fold_problem(header, value) is not None) == stdlib_refuses(header, value)
