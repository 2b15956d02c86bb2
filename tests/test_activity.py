"""The deck's mail slide: what its headline says of runs whose effect is not measured."""

from __future__ import annotations

from kakeai_ops.analyses.mail_effect import Difference
from kakeai_ops.jobs.monthly_review.activity import _when_measured
from kakeai_ops.jobs.monthly_review.figures import MailRun


def _run(reason: str) -> MailRun:
    effect = Difference(15, 2, 6, 1, reason=reason)
    return MailRun("r", "2026-11-24T10:00:00+09:00", "no_prep", "0002", 15, 0, 0, 6, effect)


def test_only_runs_awaiting_data_are_said_to_wait_for_the_next_ingest() -> None:
    """November's runs with December ingested, too small or without a holdout: the deck
    said 「効果は次のデータ取り込み後に分かります」, a month's wait no ingest would end."""
    too_small = _run("groups too small (mailed 15, holdout 6; at least 10 each)")
    no_holdout = _run("no holdout")
    awaiting = _run("no snapshot after the run")
    assert _when_measured([too_small, no_holdout]) == "効果を測れる配信はありません（理由は表に）"
    assert _when_measured([too_small, awaiting]) == "効果は次のデータ取り込み後に分かります"


def test_the_slide_lists_measured_runs_then_those_awaiting_data_first() -> None:
    """The slide shows six rows: the run its headline says to wait for was cut off under
    runs nothing will measure."""
    from kakeai_ops.jobs.monthly_review.activity import _first_shown

    runs = [_run("no holdout"), _run("no snapshot after the run"), _run("no holdout")]
    measured = MailRun(
        "m", "2026-11-24T10:00:00+09:00", "no_prep", "0002", 40, 0, 0, 20,
        Difference(40, 10, 20, 2, 0.15, 0.01, 0.3, status="measured"),
    )  # fmt: skip
    ordered = sorted([*runs, measured], key=_first_shown)
    assert ordered[0] is measured and ordered[1] is runs[1]
    assert ordered[2:] == [runs[0], runs[2]]


def test_runs_that_reached_someone_come_before_rehearsals() -> None:
    """14 nudges sent (no holdout: never measured) were cut off under 「…ほか 2行」 below
    rehearsals of none sent."""
    from kakeai_ops.jobs.monthly_review.activity import _first_shown

    rehearsals = [
        MailRun(
            f"o{i}", "2026-11-24T10:00:00+09:00", "no_prep", "0002", 0, 0, 0, 0, None, written=20
        )
        for i in range(6)
    ]
    sent = MailRun(
        "s", "2026-11-24T10:00:00+09:00", "lapsed", "0002", 14, 0, 0, 0,
        Difference(14, 2, 0, 0, reason="no holdout"),
    )  # fmt: skip
    ordered = sorted([*rehearsals, sent], key=_first_shown)
    assert ordered[0] is sent and ordered[1:] == rehearsals
