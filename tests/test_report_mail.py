"""`report divisions --mail` like every mailing: --dry-run, --to-test, --limit."""

from __future__ import annotations

import datetime as dt
import json
import shlex
from collections import Counter
from pathlib import Path

from conftest import Cli
from kakeai_ops.mail.dry_run import TO_SEND
from kakeai_ops.mail.plan import outbox_folder
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from mailing import use_smtp
from smtp_server import SmtpServer
from test_report import ADVISORS, with_advisors


def _runs(ws: Workspace) -> dict[str, Counter[str]]:
    ledger = Ledger(ws)
    try:
        return {run: Counter(r.state for r in ledger.rows(run)) for run in ledger.runs()["run_id"]}
    finally:
        ledger.close()


def test_the_dry_run_lists_advisor_address_file_and_hidden_figures(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    out = tmp_path / "out"
    args = ["report", "divisions", "--all-advisors", "--out", str(out), "--mail"]
    dry = cli(*args, "--dry-run", env={"COLUMNS": "250"})
    for name, config in ADVISORS.items():
        assert name in dry.stdout and config["email"] in dry.stdout
    assert "figures_hidden" in dry.stdout and "division-report-" in dry.stdout
    assert "Nothing was sent or recorded" in dry.stderr
    assert _runs(sample_copy) == {}
    (run_id,) = {p.name.rsplit("-", 2)[0] for p in (sample_copy.root / "outbox").iterdir()}
    assert run_id
    # The printed command sends it, as the dry run said.
    line = next(x for x in dry.stderr.splitlines() if x.startswith(TO_SEND))
    words = shlex.split(line.removeprefix(TO_SEND))
    assert words[:5] == ["kops", "report", "divisions", "--all-advisors", "--mail"]
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli(*words[1:])
        assert {r.rcpt_tos[0] for r in server.handler.received} == {
            c["email"] for c in ADVISORS.values()
        }


def test_to_test_and_limit(sample_copy: Workspace, tmp_path: Path) -> None:
    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    args = ["report", "divisions", "--all-advisors", "--out", str(tmp_path / "out"), "--mail"]
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli(*args, "--to-test", "tester@example.jp", "--yes")
        received = server.handler.received
        assert len(received) == len(ADVISORS)
        assert {r.rcpt_tos[0] for r in received} == {"tester@example.jp"}
        assert all(len(list(r.message.iter_attachments())) == 1 for r in received)
        assert _runs(sample_copy) == {}  # the real ledger is untouched
        log = json.loads(cli("audit", "--format", "json").stdout)
        assert log[0]["action"] == "mail test" and log[0]["count"] == len(ADVISORS)
        first = cli(*args, "--limit", "1", "--yes")
        assert "this time sent 1." in first.stderr
        (counts,) = _runs(sample_copy).values()
        assert counts == Counter({"sent": 1, "planned": len(ADVISORS) - 1})
        cli(*args, "--yes")
        (counts,) = _runs(sample_copy).values()
        assert counts == Counter({"sent": len(ADVISORS)})
        real = [r.rcpt_tos[0] for r in server.handler.received[len(ADVISORS) :]]
    assert Counter(real) == Counter({c["email"]: 1 for c in ADVISORS.values()})


def test_the_safety_options_go_with_mail(sample_copy: Workspace, tmp_path: Path) -> None:
    with_advisors(sample_copy)
    result = Cli(sample_copy)(
        "report", "divisions", "--all-advisors", "--out", str(tmp_path), "--dry-run", ok=False
    )
    assert "--yes, --stale-ok, --dry-run, --to-test and --limit go with --mail" in result.stderr
    for option in ("--yes", "--stale-ok"):  # a reader who typed them expects a mailing
        refused = Cli(sample_copy)(
            "report", "divisions", "--all-advisors", "--out", str(tmp_path), option, ok=False
        )
        assert refused.exit_code == 1 and "go with --mail: nothing was mailed" in refused.stderr
    assert not outbox_folder(sample_copy, "x").parent.exists() or not any(
        outbox_folder(sample_copy, "x").parent.iterdir()
    )


def test_an_advisor_mail_names_the_scope_as_people_say_it(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """The HRBP whose scope is two 部署 of 開発本部 reads 「開発本部 製品開発部・品質保証部」 in
    the subject and the body, not kops.yaml's 「開発本部/製品開発部、開発本部/品質保証部」; a
    whole 事業部 is its name. Each mail is addressed to the one its scope belongs to, and
    its attachment is named by that scope, the period and the data's day."""
    import email
    from email import policy

    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    out = tmp_path / "out"
    cli("report", "divisions", "--all-advisors", "--out", str(out), "--mail", "--dry-run")
    said = {}
    for path in (sample_copy.root / "outbox").rglob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        names = [part.get_filename() for part in message.iter_attachments()]
        said[message["To"].addresses[0].addr_spec] = (str(message["Subject"]), body, names)
    expected = {"営業本部長": "営業本部", "開発HRBP": "開発本部 製品開発部・品質保証部"}
    assert set(said) == {config["email"] for config in ADVISORS.values()}
    for name, words in expected.items():
        subject, body, names = said[ADVISORS[name]["email"]]
        # The attachment is named for its reader (the data's day: 2026-11-20), not
        # division-report-<advisor key>-<hash>.xlsx as in the folder.
        assert names == [f"1on1実施状況レポート_{words}_直近90日_20261120.xlsx"], names
        assert subject.startswith(f"【KAKEAI事務局】{words}の 1on1 実施状況レポート 直近"), subject
        assert f"{words}の 1on1 の実施状況をまとめたレポート" in body
        assert "/" not in subject
        # The period compared with, as the workbook's sheets name it (前期間): the 90 days
        # before the 90 days ending on the data's day, 2026-11-20.
        end = dt.date(2026, 11, 20)
        before_end = end - dt.timedelta(days=90)
        before_start = before_end - dt.timedelta(days=89)
        before = (
            f"{before_start.year}年{before_start.month}月{before_start.day}日〜"
            f"{before_end.month}月{before_end.day}日"
        )
        assert f"前期間（{before}）と比べています" in body, body
        # (秘匿) is named as <5 is: an HRBP's file hides as many of those as of <5.
        assert "「<5」" in body and "「(秘匿)」" in body
        assert "事業部は前期間" not in body  # her row is two 部署 of 開発本部, not a 事業部
        assert "よろしくお願いいたします。" in body.split("――")[0]  # before the footer


def test_a_scope_is_said_once_per_division() -> None:
    from kakeai_ops.config import ScopeUnit
    from kakeai_ops.mail.advisors import scope_words

    units = [
        ScopeUnit(division="開発本部", department="製品開発部"),
        ScopeUnit(division="営業本部"),
        ScopeUnit(division="開発本部", department="品質保証部"),
        ScopeUnit(division="開発本部", department="製品開発部"),
        ScopeUnit(division="人事/総務", department="労務部"),
    ]
    assert scope_words(units) == "開発本部 製品開発部・品質保証部、営業本部、人事/総務 労務部"
    # A whole 事業部 covers its 部署: named alone.
    assert scope_words([*units, ScopeUnit(division="開発本部")]).startswith("開発本部、")


def test_a_second_as_of_on_one_snapshot_is_a_run_of_its_own(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """The run was named by period and snapshot only: the reports of another --as-of on
    the same snapshot resumed the first run, found everyone sent and mailed nobody, and the
    attachment was named with the snapshot's day, not the reports'."""
    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    args = ["report", "divisions", "--all-advisors", "--mail", "--yes"]
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli(*args, "--out", str(tmp_path / "a"))
        # The dry run's command sends what it showed: that day's reports, not the newest's.
        dry = cli(*args[:-1], "--out", str(tmp_path / "b"), "--as-of", "2026-11-13", "--dry-run")
        line = next(x for x in dry.stderr.splitlines() if x.startswith(TO_SEND))
        words = shlex.split(line.removeprefix(TO_SEND))
        assert words[words.index("--as-of") + 1] == "2026-11-13"
        # …of this snapshot, whatever is ingested before it is run.
        assert words[words.index("--snapshot") + 1] == "0002"
        cli(*words[1:])
        received = server.handler.received
    assert Counter(r.rcpt_tos[0] for r in received) == Counter(
        {c["email"]: 2 for c in ADVISORS.values()}
    )
    first, second = sorted(_runs(sample_copy))
    assert second == f"{first}-20261113"
    # `mail status` gives each run its reports' day (both said the data's 2026-11-20).
    runs = {r["run_id"]: r for r in json.loads(cli("mail", "status", "--format", "json").stdout)}
    assert (runs[first]["as_of"], runs[second]["as_of"]) == ("2026-11-20", "2026-11-13")
    assert runs[first]["snapshot"] == runs[second]["snapshot"] == "0002"
    names = [next(a.get_filename() for a in r.message.iter_attachments()) for r in received]
    later = names[len(ADVISORS) :]
    assert all(n.endswith("_20261113.xlsx") for n in later), later
    assert all(not n.endswith("_20261113.xlsx") for n in names[: len(ADVISORS)])
    files = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert files and all("-20261113-" in f for f in files), files
