"""Who a campaign's outcome mails reach: its draw state and the entrants who did not
qualify. A campaign that takes entries (or has a draw_seed) is awarded by draw."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..analyses import draw_rules
from ..config import Campaign
from ..errors import KopsError
from ..i18n import _
from ..store import campaign_draws, campaign_entries, draw_entrants
from ..workspace import Workspace


@dataclass(frozen=True)
class DrawState:
    """Whether a campaign is awarded by draw and, if drawn, to whom."""

    by_draw: bool  # entries were taken or a draw_seed is set: the prize goes to winners
    drawn: bool
    draw_no: int | None
    winners: list[str]
    not_drawn: list[str]
    entries: int

    def why(self) -> str:
        return "it takes entries" if self.entries else "it has a draw_seed"


def draw_state(ws: Workspace, campaign_id: str, campaign: Campaign) -> DrawState:
    entries = campaign_entries(ws, campaign_id)
    drawn = draw_entrants(ws, campaign_id)
    draws_ = campaign_draws(ws, campaign_id)
    current = draws_[draws_["current"] == 1]
    return DrawState(
        by_draw=bool(len(entries) or campaign.draw_seed or len(draws_)),
        drawn=not current.empty,
        draw_no=None if current.empty else int(current.iloc[0]["draw_no"]),
        winners=sorted(drawn.loc[drawn["won"], "user_id"]),
        not_drawn=sorted(drawn.loc[~drawn["won"], "user_id"]),
        entries=len(entries),
    )


def not_eligible_entrants(
    ws: Workspace, campaign_id: str, campaign: Campaign, judged: pd.DataFrame
) -> list[str]:
    """The entrants who did not meet the campaign's condition, those on leave too: they
    are never mailed (on leave), but the run lists them left out, where they were in no
    run and no list (the not-drawn are those drawn)."""
    entries = campaign_entries(ws, campaign_id)
    if entries.empty:
        raise KopsError(
            _("campaign '{campaign}' has no entries").format(campaign=campaign_id),
            hint=_("record them first: kops campaign entries {campaign} entries.csv").format(
                campaign=campaign_id
            ),
        )
    pool = draw_rules.entrant_status(entries, judged, set())
    met = pool["user_id"].map(judged.set_index("user_id")["eligible"]).eq(True)
    failed = (pool["reason"] == "not_eligible") | ((pool["reason"] == "on_leave") & ~met)
    return sorted(pool.loc[failed, "user_id"])
