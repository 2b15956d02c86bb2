"""What `seminar invite` and `seminar remind` send, decided in the core: whom, checked
against the seminar's date and the clock (KOPS_NOW), before any run starts."""

from __future__ import annotations

import pytest

from conftest import SAMPLE, Cli
from kakeai_ops.config import load_settings
from kakeai_ops.errors import KopsError
from kakeai_ops.jobs.seminars.mailings import plan_invitation, plan_reminder
from kakeai_ops.mail.audience_kinds import Listed, Theme
from kakeai_ops.store import seminar_attendance
from kakeai_ops.workspace import Workspace
from test_seminar import october, sent  # noqa: F401  (the fixture)

BEFORE = "2026-10-21T10:00:00+09:00"  # the Month1 seminar is on 2026-10-28
AFTER = "2026-10-29T10:00:00+09:00"


def test_an_invitation_before_the_day_and_none_after(
    october: Workspace,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = load_settings(october.config_path)
    monkeypatch.setenv("KOPS_NOW", BEFORE)
    planned = plan_invitation(october, settings, "month1", division="営業本部")
    assert planned.spec.who == Theme(("not_activated", "no_pair", "no_1on1", "no_rating"))
    assert planned.spec.division == "営業本部" and planned.run_id is None
    monkeypatch.setenv("KOPS_LANG", "en")
    with pytest.raises(KopsError, match="drop --division"):
        plan_invitation(october, settings, "month1", division="営業本部", correction=True)
    monkeypatch.setenv("KOPS_NOW", AFTER)
    with pytest.raises(KopsError):
        plan_invitation(october, settings, "month1")


def test_the_recording_goes_to_those_who_did_not_attend_after_the_day(
    october: Workspace,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cli = Cli(october)
    cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": BEFORE})
    cli("seminar", "attendance", "month1", str(SAMPLE / "seminar" / "month1-attendance.csv"))
    settings = load_settings(october.config_path)
    monkeypatch.setenv("KOPS_LANG", "en")
    monkeypatch.setenv("KOPS_NOW", BEFORE)
    with pytest.raises(KopsError, match="remind after it"):
        plan_reminder(october, settings, "month1")
    monkeypatch.setenv("KOPS_NOW", AFTER)
    reminder = plan_reminder(october, settings, "month1")
    invited = sent(october, "seminar.month1-month1")
    attended = seminar_attendance(october, "month1")
    assert set(reminder.absent) == set(invited) - attended and reminder.absent
    assert reminder.spec.who == Listed(reminder.absent)
    assert reminder.counts.invited == len(invited)
    assert reminder.counts.attended == len(attended) and reminder.attendance_recorded
