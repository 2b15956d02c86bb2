"""`kops campaign draw` as one job: the rules a draw is asked under (a redraw needs a
reason and an earlier draw, no draw while entries are open, no other snapshot or as-of
than its basis), its basis and entrants, and the draw recorded. The CLI parses the
options, calls these and shows the result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...analyses import draw_rules
from ...clock import now
from ...config import Campaign, Settings
from ...errors import KopsError
from ...i18n import _
from ...model import record
from ...store import campaign_draws, resolve_snapshot
from ...workspace import Workspace
from . import draws
from .entries import deadline_limit


@dataclass(frozen=True)
class DrawRequest:
    """What `kops campaign draw` was asked for."""

    winners: int | None = None
    per_division: int | None = None
    seed: str | None = None
    redraw: bool = False
    reason: str | None = None


def check_request(
    ws: Workspace, campaign_id: str, campaign: Campaign, request: DrawRequest
) -> None:
    """Refuse a draw asked for the wrong way: a redraw without a reason or before any
    draw, a reason without a redraw, a draw while entries are still open, or one for a
    campaign already awarded to everyone eligible."""
    draws.check_not_awarded_to_all(ws, campaign_id)
    if request.redraw and not (request.reason and request.reason.strip()):
        raise KopsError(
            _("--redraw needs --reason TEXT"),
            hint=_("e.g. {example}").format(example='--reason "当選者の退職のため"'),
        )
    if request.reason and not request.redraw:
        raise KopsError(_("--reason is for --redraw"))
    if request.redraw and campaign_draws(ws, campaign_id).empty:
        raise KopsError(
            _("--redraw: campaign '{campaign}' has not been drawn yet").format(
                campaign=campaign_id
            ),
            hint=_("draw it first, without --redraw"),
        )
    deadline = campaign.entry_deadline
    if deadline is not None and now().replace(tzinfo=None) < deadline_limit(deadline):
        raise KopsError(
            _("entries to '{campaign}' are open until {deadline}").format(
                campaign=campaign_id, deadline=deadline
            ),
            hint=_("draw after the deadline, so that every entry is in the draw"),
        )


def current_basis(
    ws: Workspace, campaign_id: str, campaign: Campaign
) -> tuple[dict[str, Any] | None, draws.DrawBasis]:
    """The campaign's current draw (None before the first) and what a draw judges on."""
    recorded = campaign_draws(ws, campaign_id)
    current = recorded[recorded["current"] == 1]
    drawn = None if current.empty else record(current.iloc[0])
    return drawn, draws.draw_basis(ws, campaign, drawn)


def check_basis(
    ws: Workspace, basis: draws.DrawBasis, snapshot: str | None, as_of: dt.date | None
) -> None:
    """A draw judges eligibility at its basis; another --snapshot or --as-of is refused
    (it would change who is eligible, and so who wins)."""
    if snapshot is not None and resolve_snapshot(ws, snapshot).id != basis.snapshot.id:
        raise KopsError(
            _("{option}: a draw judges eligibility at {basis}").format(
                option=f"--snapshot {snapshot}", basis=basis.why
            ),
            hint=_("leave out {option}").format(option="--snapshot"),
        )
    if as_of is not None and as_of != basis.as_of:
        raise KopsError(
            _("{option}: a draw judges eligibility at {basis}").format(
                option=f"--as-of {as_of}", basis=basis.why
            ),
            hint=_("leave out {option}").format(option="--as-of"),
        )


@dataclass(frozen=True)
class DrawSetting:
    """The entrants of a draw, judged at its basis."""

    drawn: dict[str, Any] | None
    basis: draws.DrawBasis
    judged: pd.DataFrame
    pool: pd.DataFrame


def draw_setting(
    ws: Workspace,
    settings: Settings,
    campaign_id: str,
    campaign: Campaign,
    drawn: dict[str, Any] | None,
    basis: draws.DrawBasis,
) -> DrawSetting:
    judged = draws.judge_for_draw(ws, settings, campaign, basis)
    pool = draws.draw_pool(ws, campaign_id, campaign, judged)
    return DrawSetting(drawn, basis, judged, pool)


@dataclass(frozen=True)
class DrawOutcome:
    number: int
    seed: str
    result: draw_rules.DrawResult
    per_division: int | None
    winners: pd.DataFrame  # position, user_id, name, division, key, over_cap


def draw_campaign(
    ws: Workspace,
    campaign_id: str,
    campaign: Campaign,
    setting: DrawSetting,
    request: DrawRequest,
) -> DrawOutcome:
    """Draw (or redraw, with the announced seed and numbers of the draw it replaces) and
    record it."""
    winners, per_division = request.winners, request.per_division
    if request.redraw and setting.drawn is not None:
        chosen, winners, per_division = draws.redraw_choices(
            setting.drawn, request.seed, winners, per_division, campaign
        )
    if winners is None:
        raise KopsError(
            _("--winners N is required"), hint=_("e.g. {example}").format(example="--winners 5")
        )
    if not request.redraw:
        chosen = draws.choose_seed(campaign_id, campaign, request.seed)
    number, result = draws.run_draw(
        ws,
        campaign_id,
        setting.pool,
        chosen,
        winners,
        per_division,
        setting.basis.snapshot.id,
        setting.basis.as_of,
        request.reason.strip() if request.redraw and request.reason else None,
    )
    names = setting.judged.set_index("user_id")["name"]
    frame = pd.DataFrame(
        [
            {
                "position": p.position,
                "user_id": p.user_id,
                "name": names.get(p.user_id, ""),
                "division": p.division,
                "key": p.key,
                "over_cap": p.over_cap,
            }
            for p in result.picks
            if p.won
        ]
    )
    return DrawOutcome(number, chosen, result, per_division, frame)
