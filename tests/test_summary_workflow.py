"""`kops seminar list` in the core: one row per seminar of kops.yaml, whom each invites
by key and in words, and attendance counted against the invitation run."""

from __future__ import annotations

from conftest import SAMPLE, Cli
from kakeai_ops.config import load_settings
from kakeai_ops.jobs.seminars.summary_workflow import seminar_list
from kakeai_ops.store import seminar_attendance
from kakeai_ops.workspace import Workspace
from test_seminar import october, sent  # noqa: F401  (the fixture)


def test_each_seminar_with_its_audience_and_attendance(october: Workspace) -> None:  # noqa: F811
    cli = Cli(october)
    cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"})
    cli("seminar", "attendance", "month1", str(SAMPLE / "seminar" / "month1-attendance.csv"))
    settings = load_settings(october.config_path)
    listed = seminar_list(october, settings)
    rows = listed.rows.set_index("seminar")
    assert list(rows.index) == list(settings.seminars)
    assert rows.loc["month2", "invites"] == "no_prep"
    assert rows.loc["month1", "invites"] == "not_activated, no_pair, no_1on1, no_rating"
    # A theme of managers only: never 「+ managers」, which Excel reads as a formula.
    assert rows.loc["month4", "invites"] == "managers"
    words = dict(zip(listed.rows["seminar"], listed.invites_in_words, strict=True))
    assert words["month2"] == "事前準備なし"
    assert words["month4"] == "上司全員"
    invited = set(sent(october, "seminar.month1-month1"))
    attended = seminar_attendance(october, "month1")
    assert rows.loc["month1", "invited"] == len(invited) > 0
    assert rows.loc["month1", "attended"] == len(attended)
    assert rows.loc["month1", "uninvited"] == len(attended - invited)
    assert rows.loc["month2", "invited"] == 0
    # Not held yet, no list taken: no 出席 at all, rather than 「0」 of them.
    assert rows.loc["month2", ["attended", "uninvited"]].isna().all()
    # The day and time as every list writes a moment (not str()'s 12:15:00); none yet: blank.
    assert rows.loc["month1", "date"] == "2026-10-28 12:15"
    assert rows.loc["month2", "date"] == ""
    shown = cli("seminar", "list", env={"KOPS_LANG": "ja"}).stdout
    assert "2026-10-28 12:15" in shown and "12:15:00" not in shown
