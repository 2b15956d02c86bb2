"""People beside mails in the review deck (jobs/monthly_review/mail_counts.py): what a run
left out, what became of each awarded person's mail, and the words the slide says, on a
real workspace's ledger (SQLite), with damaged records a hand-edited kops.db may hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kakeai_ops.analyses.mail_effect import Difference, difference
from kakeai_ops.jobs.monthly_review.figures import AwardNotices, MailRun, Milestones
from kakeai_ops.jobs.monthly_review.mail_counts import (
    award_notices,
    left_out,
    left_out_words,
    milestone_mails,
    notice_parts,
    unmeasured_words,
)
from kakeai_ops.jobs.workspace_init import init_workspace
from kakeai_ops.store.ledger import Ledger, LedgerRow


@pytest.mark.parametrize(
    "description",
    [
        None,
        "",
        "not json {",
        "[1, 2]",
        '"excluded"',
        json.dumps({"excluded": "no_email"}),
        json.dumps({"excluded": None}),
        json.dumps({"excluded": {"no_email": "2", "retired": -1, "on_leave": 1.5}}),
    ],
)
def test_a_damaged_description_leaves_nobody_out_rather_than_failing(description: object) -> None:
    assert left_out(description) == {}


def test_a_description_gives_its_reasons_in_order() -> None:
    stored = json.dumps({"excluded": {"no_email": 2, "on_leave": 1, "retired": 0}})
    assert left_out(stored) == {"no_email": 2, "on_leave": 1}
    assert left_out_words({"no_email": 1}) == "1人はメールアドレスなし"
    assert left_out_words({"no_email": 2, "on_leave": 1}) == (
        "3人は宛先から除外: メールアドレスなし 2人、休職・休業中 1人"
    )
    assert left_out_words({}) == ""


def _run(
    ledger: Ledger, run_id: str, binding: object, rows: list[tuple[str, str]], **excluded: int
) -> None:
    meta = {
        "run_id": run_id,
        "description": {"excluded": excluded},
        "planned": len(rows),
        "binding": binding if isinstance(binding, str) else json.dumps(binding),
    }
    ledger.create_run(
        meta,
        [
            LedgerRow(
                user,
                user,
                f"{user}@x.example",
                user,
                "campaign.awarded",
                "announcement",
                state,
                f"<{run_id}{user}@x>",
                {},
            )
            for user, state in rows
        ],
    )


def test_each_awarded_person_is_counted_once_under_what_became_of_their_mail(
    tmp_path: Path,
) -> None:
    """Two award runs (the second after more awards), one rehearsal, a run of another
    campaign and one with a damaged binding: the parts add up to the awarded people."""
    ws = init_workspace(tmp_path / "ws")
    ledger = Ledger(ws)
    try:
        ours = {"kind": "awarded", "value": "c1"}
        _run(ledger, "r1", ours, [("u1", "written"), ("u2", "written")], no_email=1)
        _run(ledger, "r2", ours, [("u1", "sent"), ("u4", "deferred")], no_email=1, already_told=1)
        _run(ledger, "r3", {"kind": "awarded", "value": "c2"}, [("u5", "sent")])
        _run(ledger, "r4", "{not json", [("u6", "sent")])
    finally:
        ledger.close()
    awarded = {"u1", "u2", "u3", "u4", "u5", "u7"}
    notices = award_notices(ws, "c1", awarded)
    # u1 sent (its rehearsal before counts once), u2 rehearsed only, u4 deferred, u3 had no
    # address in the last run, u5 and u7 were told by no run of c1.
    assert (notices.sent, notices.written, notices.deferred) == (1, 1, 1)
    assert notices.left_out == {"no_email": 1, "not_planned": 2}
    assert notices.mails == 2
    parts = notice_parts(notices)
    assert parts == [
        "送信済み 1人",
        "書き出しのみ（未送信） 1人",
        "後日送信 1人",
        "メールアドレスなし 1人",
        "まだ配信していない 2人",
    ]
    assert sum(int(p.rsplit(" ", 1)[1].removesuffix("人")) for p in parts) == len(awarded)


def test_no_run_yet_says_nobody_was_mailed(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    notices = award_notices(ws, "c1", {"u1", "u2"})
    assert notices == AwardNotices(left_out={"not_planned": 2})
    assert award_notices(ws, "c1", set()) == AwardNotices()


def test_milestone_mails_are_said_only_when_they_differ_from_the_notices() -> None:
    same = Milestones(due_manager=1, due_member=2, delivered=0, people=3)
    assert milestone_mails(same) == ""
    both = Milestones(due_manager=2, due_member=2, delivered=0, people=3, left_out={"no_email": 1})
    assert milestone_mails(both) == (
        "。送るとメール 2通（3人のうち 1人はメールアドレスなし、上司と部下の両方の節目は1通にまとめます）"
    )
    assert milestone_mails(Milestones(0, 0, 0)) == ""


def _mail_run(effect: Difference | None, note: str = "") -> MailRun:
    return MailRun(
        "r", "2026-11-24T10:00:00+09:00", "no_prep", "0002", 0, 0, 0, 8, effect, None, note
    )


def test_why_a_run_is_not_measured_is_said_in_japanese_with_its_figures() -> None:
    """The deck and its workbook are Japanese: the reason kept in the Difference (the mail
    report's English message id) never reaches them as it is."""
    import pandas as pd

    groups = pd.DataFrame(
        {
            "group": ["mailed", "holdout"],
            "users": [7, 8],
            "in_snapshot": [7, 8],
            "left_stuck_point": [2, 1],
        }
    )
    too_small = difference(groups)  # 7 and 8 people, fewer than the 10 a difference needs
    assert not too_small.measured
    assert unmeasured_words(_mail_run(too_small)) == (
        "測定できません（送付 7人・比較群 8人。差は各10人以上で出します）"
    )
    assert unmeasured_words(_mail_run(difference(groups, minimum=5))) == ""  # measured: no words
    not_yet = Difference(0, 0, 0, 0, reason="no snapshot after the run")
    assert unmeasured_words(_mail_run(not_yet)) == (
        "まだ測定できません（送信後のデータがまだありません）"
    )
    no_holdout = difference(groups.assign(users=[7, 0]))
    # No later data will change either (「まだ」 told the room to wait for next month).
    assert unmeasured_words(_mail_run(no_holdout)) == "測定できません（比較群がありません）"
    # No effect at all (a seminar's invitation): the run's own note.
    note = "対象がスタックポイントではないため効果測定なし"
    assert unmeasured_words(_mail_run(None, note)) == note
    for effect in (too_small, not_yet, no_holdout):
        assert not any(ch.isascii() and ch.isalpha() for ch in unmeasured_words(_mail_run(effect)))
