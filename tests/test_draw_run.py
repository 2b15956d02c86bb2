"""The rules a draw is asked under, called as the core (no CLI): a redraw needs a reason
and an earlier draw, a reason needs a redraw, and no draw while entries are open."""

from __future__ import annotations

import datetime as dt

import pytest

from kakeai_ops.config import load_settings
from kakeai_ops.errors import KopsError
from kakeai_ops.jobs.campaigns.draw_run import (
    DrawRequest,
    check_basis,
    check_request,
    current_basis,
)
from kakeai_ops.workspace import Workspace

CAMPAIGN = "exec-1on1-2026h2"


def _check(ws: Workspace, request: DrawRequest, **campaign_keys: object) -> None:
    campaign = load_settings(ws.config_path).campaigns[CAMPAIGN]
    check_request(ws, CAMPAIGN, campaign.model_copy(update=campaign_keys), request)


@pytest.mark.parametrize(
    ("request_", "said"),
    [
        (DrawRequest(redraw=True), "--redraw needs --reason TEXT"),
        (DrawRequest(redraw=True, reason="  "), "--redraw needs --reason TEXT"),
        (DrawRequest(reason="退職"), "--reason is for --redraw"),
        (DrawRequest(redraw=True, reason="退職"), "has not been drawn yet"),
    ],
)
def test_a_draw_asked_the_wrong_way_is_refused(
    sample_ws: Workspace, request_: DrawRequest, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "en")
    with pytest.raises(KopsError, match=said):
        _check(sample_ws, request_)


def test_no_draw_until_the_entry_deadline_has_passed(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "en")
    deadline = dt.date(2026, 12, 1)
    monkeypatch.setenv("KOPS_NOW", "2026-12-01T23:59:00+09:00")
    with pytest.raises(KopsError, match="open until 2026-12-01"):
        _check(sample_ws, DrawRequest(winners=1), entry_deadline=deadline)
    monkeypatch.setenv("KOPS_NOW", "2026-12-02T00:00:00+09:00")
    _check(sample_ws, DrawRequest(winners=1), entry_deadline=deadline)


def test_a_draw_judges_only_at_its_basis(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "en")
    campaign = load_settings(sample_ws.config_path).campaigns[CAMPAIGN]
    _drawn, basis = current_basis(sample_ws, CAMPAIGN, campaign)
    check_basis(sample_ws, basis, None, None)
    check_basis(sample_ws, basis, basis.snapshot.id, basis.as_of)
    other = "1" if basis.snapshot.id != "0001" else "2"
    with pytest.raises(KopsError, match=f"--snapshot {other}: a draw judges eligibility at"):
        check_basis(sample_ws, basis, other, None)
    day_before = basis.as_of - dt.timedelta(days=1)
    with pytest.raises(KopsError, match=f"--as-of {day_before:%Y-%m-%d}: a draw judges eligib"):
        check_basis(sample_ws, basis, None, day_before)
