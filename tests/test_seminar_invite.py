"""Seminar invitations: refused without date and URL unless --tbd, refused after the
seminar, and corrected with a 【訂正】 run of its own, against a real SMTP server."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from conftest import Cli
from kakeai_ops.workspace import Workspace
from mailing import plain, states, use_smtp
from smtp_server import SmtpServer

BEFORE = {"KOPS_NOW": "2026-10-15T10:00:00+09:00"}
INVITE_RUN = "seminar.month1-month1"


def _seminar(ws: Workspace, **values: str | None) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["seminars"]["month1"].update(values)
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


@pytest.fixture
def october(october_copy: Workspace) -> Workspace:
    return october_copy


def test_no_date_is_refused_unless_tbd_and_the_subject_has_single_brackets(
    october: Workspace,
) -> None:
    cli = Cli(october)
    refused = cli("seminar", "invite", "month1", "--yes", env=BEFORE, ok=False)
    assert "seminars.month1: date and url not set; nothing was sent" in refused.stderr
    # Every key to set is named (the hint named the date alone).
    assert "set seminars.month1.date and seminars.month1.url in kops.yaml, or pass --tbd" in (
        refused.stderr
    )
    # With the date set, the link alone is missing: --tbd (for a date) is not offered.
    _seminar(october, date="2026-10-28T12:15:00")
    linkless = cli("seminar", "invite", "month1", "--yes", env=BEFORE, ok=False)
    assert "set seminars.month1.url in kops.yaml (the invitation's link)" in linkless.stderr
    assert "--tbd" not in linkless.stderr
    _seminar(october, date=None)
    assert states(october, INVITE_RUN) == Counter()
    with SmtpServer() as server:
        use_smtp(october, server)
        cli("seminar", "invite", "month1", "--tbd", "--yes", env=BEFORE)
        received = server.handler.received
        assert received
        subject = str(received[0].message["Subject"])
    # No date yet: the subject names the seminar, the body says when it will be known.
    assert subject == "【KAKEAI事務局】オンラインセミナーのご案内「1on1をみんなどうやっているの？」"
    assert "■ 日時：決まり次第ご案内します" in plain(received[0].message)


def test_tbd_with_a_date_and_an_invitation_after_the_seminar_are_refused(
    october: Workspace,
) -> None:
    cli = Cli(october)
    _seminar(october, date="2026-10-28T12:15:00", url="https://meet.example/m1")
    tbd = cli("seminar", "invite", "month1", "--tbd", "--yes", env=BEFORE, ok=False)
    assert "--tbd, but the date is set (2026-10-28 12:15:00); nothing was sent" in tbd.stderr
    late = cli(
        "seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-28T13:00"}, ok=False
    )
    said = " ".join(late.stderr.split())
    assert "its date in kops.yaml (2026-10-28 12:15) has passed; an invitation after it" in said
    # The date may be a typo: where to correct it, before the recording for those who missed it.
    assert "correct seminars.month1.date in kops.yaml" in said
    assert "kops seminar remind month1" in said
    # 12:15 is when it began, not when it ended: the Japanese says it was held then.
    late_ja = cli(
        "seminar",
        "invite",
        "month1",
        "--yes",
        env={"KOPS_NOW": "2026-10-28T13:00", "KOPS_LANG": "ja"},
        ok=False,
    )
    assert (
        "kops.yaml の開催日時（2026-10-28 12:15）を過ぎています。開催の後に招待は送りません"
        in " ".join(late_ja.stderr.split())
    )
    assert "終わっています" not in late_ja.stderr
    assert states(october, INVITE_RUN) == Counter()
    # Earlier the same day it still goes out.
    cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-28T09:00"})
    assert states(october, INVITE_RUN)["written"] > 0


def test_a_correction_reaches_everyone_invited_naming_what_changed(october: Workspace) -> None:
    cli = Cli(october)
    never = cli("seminar", "invite", "month1", "--correction", "--yes", env=BEFORE, ok=False)
    assert "--correction, but nobody was invited yet" in never.stderr
    _seminar(october, url="https://meet.example/m1")
    with SmtpServer() as server:
        use_smtp(october, server)
        cli("seminar", "invite", "month1", "--tbd", "--yes", env=BEFORE)
        invited = Counter(a for r in server.handler.received for a in r.rcpt_tos)
        unchanged = cli(
            "seminar", "invite", "month1", "--correction", "--tbd", "--yes", env=BEFORE, ok=False
        )
        assert "nothing changed since the invitation" in unchanged.stderr
        _seminar(october, date="2026-10-28T12:15:00", url="https://meet.example/m1-new")
        corrected = cli("seminar", "invite", "month1", "--correction", "--yes", env=BEFORE)
        assert (
            "Correction: date_text: 日時は後日ご案内 → 2026年10月28日（水）12:15〜"
            in corrected.stderr
        )
        assert "Correction: url: https://meet.example/m1 → https://meet.example/m1-new" in (
            corrected.stderr
        )
        news = server.handler.received[sum(invited.values()) :]
        assert Counter(a for r in news for a in r.rcpt_tos) == invited
        message = news[0].message
        assert str(message["Subject"]).startswith("【KAKEAI事務局】【訂正】")
        # The corrected date, short enough for a phone's list of mails.
        assert "10/28(水) 12:15〜" in str(message["Subject"])
        body = plain(message)
        assert "■ 日時：2026年10月28日（水）12:15〜" in body and "訂正前：日時は後日ご案内" in body
        assert "https://meet.example/m1-new" in body
        # The same correction again: its own run, resumed, nothing sent twice.
        again = cli("seminar", "invite", "month1", "--correction", "--yes", env=BEFORE)
        assert "Nothing left to send" in again.stderr
        assert len(server.handler.received) == 2 * sum(invited.values())
    runs = cli("mail", "status", "--format", "csv").stdout
    correction = [line for line in runs.splitlines() if "-correction-" in line]
    assert len(correction) == 1 and correction[0].startswith(f"{INVITE_RUN}-correction-")


def test_the_invitation_lists_what_kops_yaml_says_the_seminar_covers(october: Workspace) -> None:
    """The secretariat who changes a seminar's content in kops.yaml changes the mail too:
    the invitation listed fixed topics of its own."""
    data = yaml.load(october.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["seminars"]["month1"].update(date="2026-10-28T12:15:00", url="https://meet.example/m1")
    data["seminars"]["month1"]["points"] = ["ペア招待の手順", "事前準備のコツ"]
    october.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    with SmtpServer() as server:
        use_smtp(october, server)
        Cli(october)("seminar", "invite", "month1", "--yes", env=BEFORE)
        body = plain(server.handler.received[0].message).replace("\r\n", "\n")
    theme = body.split("■ テーマ：", 1)[1].split("■ 日時：", 1)[0]
    # Nothing of its own beside them (it added a demo every seminar had to hold).
    assert theme.splitlines()[1:] == ["・ペア招待の手順", "・事前準備のコツ", ""]
    # No length is set, so none is stated (it said 30 minutes whatever the seminar took).
    assert re.findall(r"\d+\s*分", body) == []
    assert "■ 日時：2026年10月28日（水）12:15〜\n" in body


def test_the_invitation_states_the_length_kops_yaml_gives(october: Workspace) -> None:
    _seminar(october, date="2026-10-28T16:00:00", url="https://meet.example/m1")
    data = yaml.load(october.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["seminars"]["month1"]["minutes"] = 50
    october.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    with SmtpServer() as server:
        use_smtp(october, server)
        Cli(october)("seminar", "invite", "month1", "--yes", env=BEFORE)
        body = plain(server.handler.received[0].message).replace("\r\n", "\n")
    assert "使い方を 50 分でご紹介する" in body
    assert "■ 日時：2026年10月28日（水）16:00〜（50分）\n" in body
    assert [int(n) for n in re.findall(r"(\d+)\s*分", body)] == [50, 50]


def test_a_new_length_is_corrected_and_an_older_invitation_is_not_said_to_have_one(
    october: Workspace,
) -> None:
    """The invitation states the length kops.yaml gives; changed afterwards, the correction
    names it. An invitation recorded before lengths were is not said to have stated one."""
    from kakeai_ops.jobs.seminars.invitations import correction_changes

    _seminar(october, date="2026-10-28T12:15:00", url="https://meet.example/m1")
    data = yaml.load(october.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["seminars"]["month1"]["minutes"] = 30
    october.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    cli = Cli(october)
    with SmtpServer() as server:
        use_smtp(october, server)
        cli("seminar", "invite", "month1", "--yes", env=BEFORE)
        invited = len(server.handler.received)
        data = yaml.load(october.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        data["seminars"]["month1"]["minutes"] = 45
        october.config_path.write_text(
            yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
        )
        corrected = cli("seminar", "invite", "month1", "--correction", "--yes", env=BEFORE)
        assert "Correction: length_text: 30分 → 45分" in corrected.stderr
        news = server.handler.received[invited:]
        assert len(news) == invited, corrected.stderr
        body = plain(news[0].message).replace("\r\n", "\n")
        assert "■ 所要時間：45分\n　（訂正前：30分）\n" in body
        assert "■ 日時" not in body  # only what changed
    older = {"title": "t", "date_text": "d", "url": "u"}  # recorded before lengths were
    now = {**older, "length_text": "45分"}
    assert correction_changes(older, now) == ()


def test_invitations_sent_for_real_are_counted_as_sent(october: Workspace) -> None:
    """Invited through the server, the attendance line says 招待 N人 with nothing more; the
    same seminar rehearsed (the outbox) says the invitations were written only."""
    from kakeai_ops.jobs.seminars.summary_workflow import attendance_counts, invited_words

    _seminar(october, date="2026-10-28T12:15:00", url="https://example.jp/s")
    cli = Cli(october)
    with SmtpServer() as server:
        use_smtp(october, server)
        cli("seminar", "invite", "month1", "--yes", env=BEFORE)
        reached = len(server.handler.received)
    assert reached and states(october, INVITE_RUN) == Counter({"sent": reached})
    counts = attendance_counts(october, "month1", INVITE_RUN, rehearsal=True)
    assert (counts.invited, counts.rehearsed) == (reached, 0)
    assert invited_words(counts.invited, counts.rehearsed) == f"招待{reached}人"
    assert invited_words(10, 10) == "招待10人（書き出しのみ・未送信）"
    assert invited_words(10, 3, " ") == "招待 10人（うち書き出しのみ・未送信 3人）"


def test_invitations_written_then_the_transport_set_to_smtp_are_said_unsent(
    october: Workspace,
) -> None:
    """Rehearsed (the outbox), then mail.transport set to smtp for real: those invitations
    were never sent, so they are not 招待, and the line says they are there, unsent, rather
    than 「招待0人」 alone; `seminar list` gives them a column in either mode."""
    import csv
    import io

    from kakeai_ops.jobs.seminars.summary_workflow import attendance_counts, invited_words

    _seminar(october, date="2026-10-28T12:15:00", url="https://example.jp/s")
    cli = Cli(october)
    cli("seminar", "invite", "month1", "--yes", env=BEFORE)
    written = states(october, INVITE_RUN)["written"]
    assert written > 0 and states(october, INVITE_RUN) == Counter({"written": written})

    def listed() -> dict[str, str]:
        rows = csv.DictReader(io.StringIO(cli("seminar", "list", "--format", "csv").stdout))
        return next(r for r in rows if r["seminar"] == "month1")

    assert (listed()["invited"], listed()["written_only"]) == (str(written), str(written))
    rehearsal = attendance_counts(october, "month1", INVITE_RUN, rehearsal=True)
    assert (rehearsal.invited, rehearsal.rehearsed, rehearsal.unsent) == (written, written, 0)
    with SmtpServer() as server:
        use_smtp(october, server)
        assert (listed()["invited"], listed()["written_only"]) == ("0", str(written))
    real = attendance_counts(october, "month1", INVITE_RUN, rehearsal=False)
    assert (real.invited, real.rehearsed, real.unsent) == (0, 0, written)
    assert invited_words(0, 0, "", written) == f"招待0人（ほかに書き出しのみ・未送信 {written}人）"
