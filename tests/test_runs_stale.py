"""Mail from old data asks first: --yes alone does not skip it, --stale-ok does.

The sample's snapshot 0002 runs to 2026-11-20; on 2026-12-06 it is 16 days old,
older than rules.stale_days (7).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Cli, tree_digest
from kakeai_ops.cli.shared import Session
from kakeai_ops.errors import KopsError
from kakeai_ops.mail import runs
from kakeai_ops.workspace import Workspace
from mailing import SEGMENT, states
from test_report import ADVISORS

LATE = {"KOPS_NOW": "2026-12-06T10:00:00+09:00"}
SOON = {"KOPS_NOW": "2026-11-25T10:00:00+09:00"}
OLD = "snapshot 0002 is 16 days old: its data runs to 2026-11-20 and today is 2026-12-06"


def stale_after(ws: Workspace, days: int, **more: Any) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["rules"]["stale_days"] = days
    data.update(more)
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def test_the_default_is_a_week() -> None:
    from pathlib import Path

    import kakeai_ops
    from kakeai_ops.config import Rules

    assert Rules().stale_days == 7
    shipped = Path(kakeai_ops.__file__).parent / "resources" / "kops.yaml"
    assert "  stale_days: 7 " in shipped.read_text(encoding="utf-8")


def test_yes_alone_does_not_send_from_old_data(sample_copy: Workspace) -> None:
    stale_after(sample_copy, 7)
    before = tree_digest(sample_copy.root)
    result = Cli(sample_copy)("mail", "send", *SEGMENT, "--yes", env=LATE, ok=False)
    assert result.exit_code == 1
    assert f"not sending from old data: {OLD}" in result.stderr
    assert "rules.stale_days: 7" in result.stderr and "--stale-ok" in result.stderr
    assert tree_digest(sample_copy.root) == before
    assert states(sample_copy) == Counter()


def test_stale_ok_sends_and_says_so(sample_copy: Workspace) -> None:
    stale_after(sample_copy, 7)
    result = Cli(sample_copy)("mail", "send", *SEGMENT, "--yes", "--stale-ok", env=LATE)
    assert OLD in result.stderr and "sending anyway: --stale-ok" in result.stderr
    assert sum(states(sample_copy).values()) > 0


def test_fresh_data_and_a_longer_setting_do_not_ask(sample_copy: Workspace) -> None:
    stale_after(sample_copy, 7)
    cli = Cli(sample_copy)
    fresh = cli("mail", "send", *SEGMENT, "--yes", "--limit", "1", env=SOON)
    assert "days old" not in fresh.stderr
    stale_after(sample_copy, 16)  # 16 days is not older than 16
    later = cli("mail", "send", *SEGMENT, "--yes", env=LATE)
    assert "days old" not in later.stderr


def test_a_dry_run_only_warns(sample_copy: Workspace) -> None:
    stale_after(sample_copy, 7)
    result = Cli(sample_copy)("mail", "send", *SEGMENT, "--dry-run", env=LATE)
    assert OLD in result.stderr and "Warning" in result.stderr
    # Its 「送るには」 command is refused as printed that day: the line after it says so.
    lines = result.stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("To send: kops mail send"))
    assert "or add --stale-ok to send from it anyway" in lines[at + 1]
    refused = Cli(sample_copy)(
        *lines[at].removeprefix("To send: kops ").split(), env=LATE, ok=False
    )
    assert "not sending from old data" in refused.stderr


def test_seminar_invitations_ask_too(sample_copy: Workspace) -> None:
    stale_after(sample_copy, 7)
    cli = Cli(sample_copy)
    refused = cli("seminar", "invite", "month1", "--tbd", "--yes", env=LATE, ok=False)
    assert f"not sending from old data: {OLD}" in refused.stderr
    cli("seminar", "invite", "month1", "--tbd", "--yes", "--stale-ok", env=LATE)


def test_advisor_reports_are_not_mailed_from_old_data(sample_copy: Workspace, tmp_path) -> None:
    stale_after(sample_copy, 7, advisors=ADVISORS)
    cli = Cli(sample_copy)
    args = ["report", "divisions", "--all-advisors", "--out", str(tmp_path / "r"), "--mail"]
    before = tree_digest(sample_copy.root)
    refused = cli(*args, "--yes", env=LATE, ok=False)
    assert f"not sending from old data: {OLD}" in refused.stderr
    assert not list(sample_copy.outbox_dir.rglob("*.eml"))
    # Asked before the reports were made: none written, none recorded as shared (they
    # were both, and `kops audit` listed them as published).
    assert not (tmp_path / "r").exists()
    assert "Wrote" not in refused.stderr
    after = tree_digest(sample_copy.root)
    assert {name for name in after if after[name] != before.get(name)} <= {"kops.log"}
    cli(*args, "--yes", "--stale-ok", env=LATE)
    assert len(list(sample_copy.outbox_dir.rglob("*.eml"))) == len(ADVISORS)


class Agreeing:
    """An operator at a terminal who answers the question."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.warned: list[str] = []
        self.asked: list[str] = []

    def warn(self, text: str) -> None:
        self.warned.append(text)

    def confirm(self, question: str) -> None:
        self.asked.append(question)
        if not self.answer:
            raise KopsError("cancelled; nothing was sent")


def test_at_a_terminal_the_question_is_asked(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale_after(sample_copy, 7)
    monkeypatch.setenv("KOPS_NOW", LATE["KOPS_NOW"])
    yes = Agreeing(True)
    runs.check_fresh(Session(sample_copy), yes, None, stale_ok=False, real=True)  # type: ignore[arg-type]
    assert yes.asked == ["Send from this snapshot anyway?"] and OLD in yes.warned[0]
    no = Agreeing(False)
    with pytest.raises(KopsError, match="not sending from old data"):
        runs.check_fresh(Session(sample_copy), no, None, stale_ok=False, real=True)  # type: ignore[arg-type]


def test_mail_held_past_the_data_s_freshness_says_what_that_day_needs(
    sample_copy: Workspace,
) -> None:
    """「2026-12-05 以降に同じコマンドを実行すると送ります」, run on that day, was refused
    for old data (15 days, stale_days 7). The line says so, and --stale-ok then sends."""
    from mailing import reachable, use_smtp
    from smtp_server import SmtpServer

    cli = Cli(sample_copy)
    expected = reachable(cli)
    first = sorted(expected)[: len(expected) // 2]
    listed = sample_copy.root / "first.csv"
    listed.write_text("メールアドレス\n" + "\n".join(first) + "\n", encoding="utf-8")
    with SmtpServer() as server:
        use_smtp(sample_copy, server, frequency_cap={"nudge": {"max": 1, "days": 14}})
        stale_after(sample_copy, 7)
        earlier = ("--users", str(listed), "--template", "no_prep.member", "--id", "earlier")
        cli("mail", "send", *earlier, "--yes", env={"KOPS_NOW": "2026-11-20T10:00:00+09:00"})
        run = cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_NOW": "2026-11-24T10:00:00+09:00"})
        assert "from 2026-12-05" in run.stderr
        assert (
            "(by then snapshot 0002 is 15 days old, over rules.stale_days: ingest the latest "
            "exports first, or add --stale-ok)"
        ) in run.stderr
        day = {"KOPS_NOW": "2026-12-05T09:00:00+09:00"}
        refused = cli("mail", "send", *SEGMENT, "--yes", env=day, ok=False)
        assert refused.exit_code == 1 and "not sending from old data" in refused.stderr
        cli("mail", "send", *SEGMENT, "--yes", "--stale-ok", env=day)
        assert states(sample_copy) == Counter({"sent": len(expected)})


def test_invitations_held_past_their_seminar_are_said_to_arrive_too_late(
    sample_copy: Workspace,
) -> None:
    """A cap deferred 11 invitations to 12-10, after the seminar on 12-01: nothing said,
    and on the day the invitation was refused (it was over). The held line says so."""
    from kakeai_ops.mail.delivery import stale_by_then

    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["seminars"]["month1"]["date"] = "2026-12-01T12:15:00"
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    source = Session(sample_copy)
    invitation = {"kind": "theme", "seminar": "month1"}
    after = stale_by_then(source, dt.date(2026, 12, 10), invitation)
    assert "after the seminar (2026-12-01): held invitations would arrive too late" in after
    assert "after the seminar" not in stale_by_then(source, dt.date(2026, 11, 30), invitation)
    reminder = {"kind": "list", "seminar": "month1"}  # a recording reminder comes after it
    assert "after the seminar" not in stale_by_then(source, dt.date(2026, 12, 10), reminder)


def test_a_run_resumed_long_after_its_data_is_asked_about(october_copy: Workspace) -> None:
    """Rehearsed on October's data, sent on 11-25: the latest snapshot was fresh, so
    nothing asked before 13 mails stated 「2026年10月20日時点」 facts 36 days old (3 of those
    it reached had prepared since). As old data is: refused with --yes alone, naming a new
    run and --stale-ok; sent with --stale-ok, said."""
    from conftest import SAMPLE
    from mailing import use_smtp
    from smtp_server import SmtpServer

    cli = Cli(october_copy)
    cli("mail", "send", *SEGMENT, "--yes")  # the outbox: a rehearsal
    cli("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    stale_after(october_copy, 7)
    late = {"KOPS_NOW": "2026-11-25T10:00:00+09:00"}
    resume = ["mail", "send", *SEGMENT, "--id", "no_prep.member-2026-10", "--yes"]
    with SmtpServer() as server:
        use_smtp(october_copy, server)
        # The dry run just before said it had checked what the real run checks, and
        # nothing of the plan's age: it says the real run asks.
        rehearsed = cli(*resume[:-1], "--dry-run", env=late)
        assert "planned on data to 2026-10-20 (36 days ago)" in rehearsed.stdout + rehearsed.stderr
        assert "the real run asks first" in rehearsed.stdout + rehearsed.stderr
        # So does the status's command to go on with it.
        status = cli("mail", "status", "no_prep.member-2026-10", env=late).stdout
        assert "To go on with this run:" in status and "it asks first; --stale-ok" in status
        refused = cli(*resume, env=late, ok=False)
        assert refused.exit_code != 0 and server.handler.received == []
        assert "not sending a plan made on old data" in refused.stderr
        assert "--id no_prep.member-2026-10-2" in refused.stderr
        assert "--stale-ok" in refused.stderr
        resumed = cli(*resume, "--stale-ok", env=late)
        assert server.handler.received
    assert "this run was planned on data to 2026-10-20 (36 days ago)" in resumed.stderr
    assert "sending anyway: --stale-ok" in resumed.stderr


def test_the_age_asked_about_is_the_reports_snapshots(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """Reports of snapshot 0001 mailed: the check of old data named the newest snapshot
    (「0002 is 18 days old」) where the files were 0001's, a month older."""
    from test_report import with_advisors

    with_advisors(sample_copy)
    stale_after(sample_copy, 7)
    args = ["report", "divisions", "--all-advisors", "--out", str(tmp_path / "o"), "--mail"]
    args += ["--period", "month:2026-10", "--snapshot", "0001", "--dry-run"]
    run = Cli(sample_copy)(*args, env={"KOPS_NOW": "2026-12-08T09:00:00+09:00"})
    said = " ".join(run.stderr.split())
    assert "snapshot 0001 is 49 days old: its data runs to 2026-10-20" in said, said
    assert "snapshot 0002 is" not in said
