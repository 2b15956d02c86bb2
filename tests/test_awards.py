"""Awarding, called as the core: everyone eligible once each, an audit entry for the new
ones only; a campaign awarded by draw gives its winners only, and nothing before it is
drawn."""

from __future__ import annotations

import pytest

from kakeai_ops.analyses import streaks
from kakeai_ops.calendar import BusinessCalendar
from kakeai_ops.config import load_settings
from kakeai_ops.errors import KopsError
from kakeai_ops.jobs.campaigns.awards import award, awardees, not_yet_awarded
from kakeai_ops.store import audit_entries, latest_snapshot, load_tables
from kakeai_ops.workspace import Workspace

CAMPAIGN = "exec-1on1-2026h2"


def _judged(ws: Workspace, **keys: object) -> tuple[object, streaks.Eligibility, str]:
    settings = load_settings(ws.config_path)
    campaign = settings.campaigns[CAMPAIGN].model_copy(update=keys)
    snap = latest_snapshot(ws)
    assert snap is not None and snap.as_of is not None
    calendar = BusinessCalendar(settings.calendar.company_holidays)
    result = streaks.eligibility(load_tables(snap), campaign, calendar, snap.as_of)
    return campaign, result, snap.id


def test_everyone_eligible_is_awarded_once(sample_copy: Workspace) -> None:
    campaign, result, snap_id = _judged(sample_copy)
    chosen = awardees(sample_copy, CAMPAIGN, campaign, result)  # type: ignore[arg-type]
    eligible = set(result.users.loc[result.users["eligible"], "user_id"])
    assert chosen.draw_no is None and set(chosen.people["user_id"]) == eligible
    assert set(not_yet_awarded(sample_copy, CAMPAIGN, chosen.people)["user_id"]) == eligible
    first = award(sample_copy, CAMPAIGN, chosen.people, snap_id)
    again = award(sample_copy, CAMPAIGN, chosen.people, snap_id)
    assert len(first.fresh) == first.total == len(eligible) > 0 and first.already == 0
    assert len(again.fresh) == 0 and again.already == again.total == len(eligible)
    assert not_yet_awarded(sample_copy, CAMPAIGN, chosen.people).empty
    log = audit_entries(sample_copy, 100)
    assert list(log.loc[log["action"] == "campaign award", "count"]) == [len(eligible)]


def test_a_campaign_awarded_by_draw_is_refused_before_the_draw(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "en")
    campaign, result, _ = _judged(sample_copy, draw_seed="2026-10-20 39123.45")
    with pytest.raises(KopsError, match=r"is awarded by draw .* has not been drawn"):
        awardees(sample_copy, CAMPAIGN, campaign, result)  # type: ignore[arg-type]
    log = audit_entries(sample_copy, 100)
    assert not (log["action"] == "campaign award").any()
