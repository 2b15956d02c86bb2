"""A run id stands for the audience, template and options it was first planned with."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.mail.plan import load_plan, plan_dir
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from smtp_server import SmtpServer
from test_mail_command import SEGMENT, states, use_smtp

# Two plain notices for anyone: a run id's binding is about the choices, not about
# what a template says (templates that name a stuck point reach only people who have it).
SUBJECTS = {
    "notice_a": "【KAKEAI事務局】1on1 のご案内 A",
    "notice_b": "【KAKEAI事務局】1on1 のご案内 B",
}


@pytest.fixture(autouse=True)
def _notices(sample_copy: Workspace) -> None:
    for name, subject in SUBJECTS.items():
        (sample_copy.mail_templates_dir / f"{name}.txt").write_text(
            f"subject: {subject.removeprefix('【KAKEAI事務局】')}\nkind: nudge\n---\n"
            "{{ name }} {{ honorific }}\n\nお知らせです。\n",
            encoding="utf-8",
        )


def ledger_templates(ws: Workspace, run: str) -> dict[str, str]:
    ledger = Ledger(ws)
    try:
        return {row.email: row.template for row in ledger.rows(run)}
    finally:
        ledger.close()


def test_same_id_with_another_template_is_refused(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli(
            "mail",
            "send",
            *SEGMENT,
            "--template",
            "notice_a",
            "--id",
            "nov",
            "--limit",
            "2",
            "--yes",
        )
        before = states(sample_copy, "nov")
        conflicting = ("mail", "send", *SEGMENT, "--template", "notice_b", "--id", "nov", "--yes")
        other = cli(*conflicting, ok=False)
        assert other.exit_code == 1 and "Internal error" not in other.stderr
        assert "run 'nov' was planned with other choices; nothing was sent" in other.stderr
        assert "--template: notice_a (stored) → notice_b" in other.stderr
        assert "--id nov-2" in other.stderr  # how to proceed
        again = cli(*conflicting, env={"KOPS_LANG": "ja"}, ok=False)  # as the secretariat reads it
        assert "配信 'nov' は別の選択で計画されています。何も送っていません:" in again.stderr
        assert "新しい配信ID（--id nov-2）" in again.stderr
        assert "--template: notice_a（記録済み）→ notice_b" in again.stderr
        assert len(server.handler.received) == 2
        assert states(sample_copy, "nov") == before
        # The same options resume the run.
        resumed = cli("mail", "send", *SEGMENT, "--template", "notice_a", "--id", "nov", "--yes")
        assert "Resuming run nov" in resumed.stderr
        subjects = {str(r.message["Subject"]) for r in server.handler.received}
    assert all(s.startswith(SUBJECTS["notice_a"]) for s in subjects)
    assert set(ledger_templates(sample_copy, "nov").values()) == {"notice_a"}


def test_a_derived_id_with_other_options_is_refused(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    cli("mail", "send", *SEGMENT, "--limit", "1", "--yes")
    held = cli("mail", "send", *SEGMENT, "--holdout", "10", "--yes", ok=False)
    assert "run 'no_prep.member-2026-11' was planned with other choices" in held.stderr
    assert "--holdout: 0 (stored) → 10" in held.stderr
    assert states(sample_copy)["written"] == 1


def test_a_users_list_is_bound_by_its_content(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    listed = tmp_path / "list.csv"
    listed.write_text("user_id\n000120\n000162\n", encoding="utf-8")
    args = ["mail", "send", "--users", str(listed), "--template", "notice_a", "--yes"]
    cli(*args, "--limit", "1")
    listed.write_text("user_id\n000120\n000176\n", encoding="utf-8")
    changed = cli(*args, ok=False)
    assert "--users (file content):" in changed.stderr and changed.exit_code == 1
    japanese = cli(*args, env={"KOPS_LANG": "ja"}, ok=False)
    assert "--users（ファイルの内容）: " in japanese.stderr and "（記録済み）→ " in japanese.stderr


def test_advisor_reports_mailed_twice_resume_instead_of_crashing(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    from test_report import with_advisors

    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    args = ["report", "divisions", "--all-advisors", "--out", str(tmp_path / "r"), "--mail"]
    cli(*args, "--yes")
    again = cli(*args, "--yes")
    assert "Nothing left to send" in again.stderr
    assert len(list(sample_copy.outbox_dir.rglob("*.eml"))) == 2


def queued(logs: list[Path]) -> bool:
    """A process says it waits for the workspace lock: it cannot render before the
    holder (waiting on the database) lets go, so waiting longer for its plan is idle."""
    return any("waiting up to" in log.read_text(encoding="utf-8") for log in logs)


def sample_users(cli: Cli, count: int) -> list[str]:
    rows = csv.DictReader(io.StringIO(cli("segment", "--list", "--format", "csv").stdout))
    return [r["user_id"] for r in rows if r["email"] and r["employment"] == "在籍"][:count]


@pytest.mark.parametrize("templates", [("notice_a", "notice_b"), ("notice_a", "notice_a")])
def test_two_sends_started_at_once_never_mix_plans(
    sample_copy: Workspace, tmp_path: Path, templates: tuple[str, str]
) -> None:
    """Two processes, one run id: each person gets one message, the one the ledger records.

    To make both reach the moment of storing their plan together, the test holds
    the state database's write lock (as any other kops writing would) until both
    have rendered and written their plan files, then lets them race for it.
    """
    cli = Cli(sample_copy)
    people = sample_users(cli, 80)
    listed = tmp_path / "list.csv"
    listed.write_text("user_id\n" + "\n".join(people) + "\n", encoding="utf-8")
    Ledger(sample_copy).close()  # the schema is current before the lock is taken
    blocker = sqlite3.connect(sample_copy.db_path, timeout=30, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        env = {
            **os.environ,
            "KOPS_WORKSPACE": str(sample_copy.root),
            "KOPS_QUIET": "1",
            "KOPS_LOCK_TIMEOUT": "120",  # where commands queue for the workspace
        }
        logs = [tmp_path / f"kops-{n}.log" for n in range(len(templates))]
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kakeai_ops",
                    "mail",
                    "send",
                    "--users",
                    str(listed),
                    "--template",
                    template,
                    "--id",
                    "race",
                    "--yes",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log.open("w", encoding="utf-8"),
            )
            for template, log in zip(templates, logs, strict=True)
        ]
        plans = plan_dir(sample_copy, "race")
        deadline = time.monotonic() + 20  # below the processes' 30 s wait for the database
        while time.monotonic() < deadline and len(list(plans.glob("plan-*.jsonl"))) < len(
            set(templates)
        ):
            if list(plans.glob("plan-*.jsonl")):  # the first is there: the other has 5 s
                deadline = min(deadline, time.monotonic() + 5)
                if queued(logs):  # ...unless it waits for the workspace the first holds
                    break
            time.sleep(0.05)
        both_rendered = len(list(plans.glob("plan-*.jsonl"))) == len(set(templates))
        if both_rendered:
            time.sleep(0.5)  # from writing its plan to waiting on the database: a moment
        blocker.execute("ROLLBACK")
        blocker.close()
        codes = [p.wait(timeout=300) for p in processes]
        results = [(c, log.read_text(encoding="utf-8")) for c, log in zip(codes, logs, strict=True)]
        received = list(server.handler.received)
    for _, stderr in results:
        assert "Internal error" not in stderr and "Traceback" not in stderr, stderr
        assert "IntegrityError" not in stderr
    assert any(code == 0 for code, _ in results), results
    if templates[0] != templates[1]:
        loser = next(stderr for code, stderr in results if code != 0)
        assert "run 'race' was planned with other choices" in loser
        if both_rendered:  # the INSERT decided, not an earlier look at the ledger
            assert "was planned by another kops meanwhile" in loser
    recorded = ledger_templates(sample_copy, "race")
    got = Counter(a for r in received for a in r.rcpt_tos)
    assert got == Counter({email: 1 for email in recorded})  # everyone exactly once
    assert len(got) == len(people)
    for message in received:
        template = recorded[message.rcpt_tos[0]]
        assert str(message.message["Subject"]).startswith(SUBJECTS[template])
    plan = load_plan(sample_copy, "race")
    assert {m.email: m.template for m in plan.messages} == recorded
    assert len(list(plan_dir(sample_copy, "race").glob("plan-*.jsonl"))) == 1


def test_a_seminar_invited_by_division_is_continued_as_it_began(october_copy: Workspace) -> None:
    """`seminar invite month1 --division 営業本部` then without it: refused, with a hint to
    add --id, an option `seminar invite` does not have. The hint says what is true of a
    seminar: its invitations are one run, continued with its first options."""
    from seminar_setup import date_month1

    date_month1(october_copy)
    cli = Cli(october_copy)
    at = {"KOPS_NOW": "2026-10-21T10:00:00+09:00"}
    cli("seminar", "invite", "month1", "--division", "営業本部", "--yes", env=at)
    refused = cli("seminar", "invite", "month1", "--yes", env=at, ok=False)
    assert refused.exit_code != 0 and "planned with other choices" in refused.stderr
    assert "--id" not in refused.stderr
    assert "a seminar's invitations are one run" in refused.stderr
    cli("seminar", "invite", "month1", "--division", "営業本部", "--yes", env=at)  # continues
