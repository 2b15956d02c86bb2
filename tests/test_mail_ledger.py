"""`kops mail status` as the secretariat reads it beside the deck: each run says whom it left
out when it was planned, and why, recounted from kops.db, the outbox and the users export
of the sample month (`kops demo`) without kops."""

from __future__ import annotations

import email
import json
import re
import shlex
import shutil
import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

import pytest

import sample_recount as recount
from conftest import SAMPLE, Cli
from kakeai_ops.workspace import Workspace

AWARD_RUN = "campaign.awarded-exec-1on1-2026h2"


def _id(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _address(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _users() -> dict[str, dict[str, str]]:
    return {
        _id(r["ユーザーID"]): r
        for r in recount.read(SAMPLE / "2026-11" / "users.csv").to_dict("records")
    }


@pytest.fixture(scope="module")
def month(demo_run: tuple[Path, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample month, copied: `mail status` records what it showed."""
    root = tmp_path_factory.mktemp("status") / "ws"
    shutil.copytree(demo_run[0], root)
    return root


def test_each_run_says_whom_it_left_out_and_why(month: Path) -> None:
    """付与済み 78, 77 award mails: the run's row says 1 left out, メールアドレスなし 1人."""
    with sqlite3.connect(month / "state" / "kops.db") as db:
        awarded = {
            _id(u)
            for (u,) in db.execute(
                "SELECT user_id FROM awards WHERE campaign = ?", ("exec-1on1-2026h2",)
            )
        }
    users = _users()
    (folder,) = [p for p in (month / "outbox").iterdir() if p.name.startswith(AWARD_RUN + "-")]
    told = {
        _address(email.message_from_bytes(p.read_bytes())["To"].rsplit("<", 1)[-1].rstrip(">"))
        for p in folder.glob("*.eml")
    }
    left = {u for u in awarded if _address(users[u]["メールアドレス"]) not in told}
    assert left and all(not users[u]["メールアドレス"].strip() for u in left)

    cli = Cli(Workspace(month))
    runs = {r["run_id"]: r for r in json.loads(cli("mail", "status", "--format", "json").stdout)}
    award = runs[AWARD_RUN]
    assert (award["messages"], award["left_out"]) == (len(told), len(left))
    assert award["messages"] + award["left_out"] == len(awarded)
    for run in runs.values():  # the count is the sum of its reasons, and none is made up
        said = [part.rsplit(": ", 1) for part in filter(None, run["left_out_reasons"].split(", "))]
        assert sum(int(n) for _, n in said) == run["left_out"], run

    shown = cli("mail", "status", env={"KOPS_LANG": "ja", "COLUMNS": "300"}).stdout
    (line,) = [row for row in shown.splitlines() if AWARD_RUN in row]
    cells = [c.strip() for c in line.strip("│ ").split("│")]
    assert cells[-2:] == [f"{len(left)}", f"メールアドレスなし {len(left)}人"]
    assert "除いた人数" in shown and "除いた理由" in shown  # headers may wrap after 宛先から


def test_a_month_that_left_no_one_out_shows_no_such_column(tmp_path: Path) -> None:
    from kakeai_ops.jobs.workspace_init import init_workspace

    ws = init_workspace(tmp_path / "ws")
    cli = Cli(ws)
    cli("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    cli("mail", "send", "--segment", "no_recurrence", "--role", "manager", "--yes")
    runs = json.loads(cli("mail", "status", "--format", "json").stdout)
    assert [r["left_out"] for r in runs] == [0]
    assert "left_out" not in cli("mail", "status").stdout


def test_the_list_of_runs_is_written_to_a_file_when_asked(month: Path, tmp_path: Path) -> None:
    """`kops mail status --out runs.xlsx` wrote nothing and said nothing (the list ignored
    --out): it writes the list as the terminal shows it, one row a run, recounted from
    kops.db."""
    from openpyxl import load_workbook

    with sqlite3.connect(month / "state" / "kops.db") as db:
        stored = {
            run: n
            for run, n in db.execute(
                "SELECT r.run_id, COUNT(l.item) FROM mail_runs r"
                " LEFT JOIN mail_ledger l ON l.run_id = r.run_id GROUP BY r.run_id"
            )
        }
    path = tmp_path / "runs.xlsx"
    result = Cli(Workspace(month))("mail", "status", "--out", str(path), env={"KOPS_LANG": "ja"})
    assert str(path) in result.stderr.replace("\n", "")
    sheet = load_workbook(path).worksheets[0]
    header = [str(c.value).replace("\n", "") for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(2, values_only=True)}
    assert set(rows) == set(stored)
    for run, n in stored.items():
        assert rows[run]["人数（比較群を含む）"] == n, run
    award = rows[AWARD_RUN]
    assert award["宛先から除いた人数"] == 1 and award["実行の状態"] == "書き出しのみ（未送信）"
    assert sheet.cell(2, header.index("作成日時") + 1).is_date


def test_suppressing_an_id_no_user_has_warns_of_a_typo(sample_copy: Workspace) -> None:
    """`kops mail suppress 00104` (a digit short) put 00104 on the list and said it was
    added: the person meant, 000104, went on being mailed."""
    from conftest import Cli

    cli = Cli(sample_copy)
    typo = cli("mail", "suppress", "9000104", "--reason", "配信不要の返信")
    said = typo.stderr.replace("\n", " ")
    assert "9000104 is not a user id in the latest snapshot" in said, said
    assert "kops mail unsuppress 9000104" in said
    known = cli("mail", "suppress", "000104", "--reason", "配信不要の返信")
    assert "not a user id" not in known.stderr


def test_an_unsuppress_hint_is_a_command_that_runs(sample_copy: Workspace) -> None:
    """`kops mail unsuppress bad address` (unquoted) failed with 「unexpected extra argument」."""
    cli = Cli(sample_copy)
    done = cli("mail", "suppress", "bad address", "--reason", "a typo")
    (line,) = [x for x in done.stderr.splitlines() if "kops mail unsuppress" in x]
    command = re.search(r"`(kops mail unsuppress [^`]*)`", line)
    assert command is not None and "'bad address'" in command.group(1)
    cli(*shlex.split(command.group(1))[1:])
    assert "bad address" not in cli("mail", "suppressed", "--format", "csv").stdout


def test_a_seminars_runs_name_their_own_command_or_say_the_seminar_is_over(
    seminar_copy: Workspace,
) -> None:
    """`mail status` of a seminar's run said 「計画したコマンドをもう一度」: its invitation after
    the seminar is refused, its reminder is `seminar remind`. Each is now said as it is."""
    cli = Cli(seminar_copy)
    listed = json.loads(cli("mail", "status", "--format", "json").stdout)
    (invite,) = [r["run_id"] for r in listed if str(r["run_id"]).startswith("seminar.month1")]
    before = cli("mail", "status", invite, env={"KOPS_NOW": "2026-10-27T10:00:00+09:00"})
    assert "To go on with this run: kops seminar invite month1 --yes" in before.stdout
    after = cli("mail", "status", invite, env={"KOPS_NOW": "2026-10-29T10:00:00+09:00"})
    assert "The seminar is over: invitations not sent by now are not sent any more" in after.stdout
    assert "kops seminar invite" not in after.stdout
    # Its invitations only written to the outbox: not 「going on with the run sends them」
    # beside 「not sent any more」.
    assert "written to the outbox only" in after.stdout
    assert "sends them" not in after.stdout


def test_a_recording_run_after_rehearsed_invitations_says_it_cannot_go_on(
    seminar_copy: Workspace,
) -> None:
    """Invitations and the recording only written to the outbox, then mail.transport smtp:
    the recording run's status said 「kops seminar remind month1 --yes」 to go on, which
    refuses (nobody was invited for real). It says why instead."""
    from mailing import configure

    cli = Cli(seminar_copy)
    cli("seminar", "remind", "month1", "--yes", env={"KOPS_NOW": "2026-11-05T10:00:00+09:00"})
    configure(seminar_copy, transport="smtp")
    status = cli("mail", "status", "seminar.recording-month1")
    assert "nobody was invited for real, so nobody is told of the recording" in status.stdout
    assert "seminar remind" not in status.stdout and "sends them" not in status.stdout
    refused = cli("seminar", "remind", "month1", "--yes", ok=False)  # as the status says
    assert "nobody was invited for real" in refused.stderr


def test_a_runs_file_says_no_message_id_nor_attempt_where_none_was_made(
    month: Path, tmp_path: Path
) -> None:
    """The holdout (never mailed) had Message-IDs, and mails only written to the outbox
    read 送信の試行回数 1: recounted from kops.db's states."""
    from openpyxl import load_workbook

    run = "no_prep.member-2026-10"
    with sqlite3.connect(month / "state" / "kops.db") as db:
        states = dict(db.execute("SELECT user_id, state FROM mail_ledger WHERE run_id = ?", (run,)))
    assert {"holdout", "written"} <= set(states.values())
    path = tmp_path / "run.xlsx"
    Cli(Workspace(month))("mail", "status", run, "--out", str(path), env={"KOPS_LANG": "ja"})
    sheet = load_workbook(path).worksheets[0]
    header = [str(c.value).replace("\n", "") for c in sheet[1]]
    for row in sheet.iter_rows(2, values_only=True):
        record = dict(zip(header, row, strict=True))
        state = states[str(record["社員番号"])]
        if state in ("holdout", "suppressed"):
            assert not record["Message-ID"], record
        if state == "written":
            assert record["送信の試行回数"] == 0 and record["Message-ID"], record
