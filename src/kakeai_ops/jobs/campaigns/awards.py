"""`kops campaign award`: who is awarded (everyone eligible, or by draw only its winners)
and recording them once each, with the audit entry."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...analyses import streaks
from ...config import Campaign
from ...errors import KopsError
from ...i18n import _
from ...mail.campaign_audience import draw_state
from ...store import awards, record_action, record_awards
from ...workspace import Workspace


@dataclass(frozen=True)
class Awardees:
    """Whom a campaign awards now: ``people`` are rows of the eligibility table."""

    people: pd.DataFrame
    draw_no: int | None = None  # awarded by this draw (None: to everyone eligible)
    winners: int = 0
    not_drawn: int = 0  # eligible, but not among the draw's winners


def awardees(
    ws: Workspace, campaign_id: str, campaign: Campaign, result: streaks.Eligibility
) -> Awardees:
    """Everyone eligible; a campaign awarded by draw, only the winners of its current draw
    (a prize with limited places never goes to everyone eligible: the others were told
    they were not drawn), and nothing before it is drawn."""
    eligible = result.users[result.users["eligible"]]
    state = draw_state(ws, campaign_id, campaign)
    if not state.by_draw:
        return Awardees(eligible)
    if not state.drawn:
        raise KopsError(
            _(
                "campaign '{campaign}' is awarded by draw ({why}) and has not been drawn; "
                "nothing was awarded"
            ).format(campaign=campaign_id, why=state.why()),
            hint=_("{command}, then award").format(
                command=f"kops campaign draw {campaign_id} --winners N --seed TEXT"
            ),
        )
    others = int((~eligible["user_id"].isin(state.winners)).sum())
    people = result.users[result.users["user_id"].isin(state.winners)]
    return Awardees(people, state.draw_no, len(state.winners), others)


def not_yet_awarded(ws: Workspace, campaign_id: str, people: pd.DataFrame) -> pd.DataFrame:
    """Those of ``people`` an award would add (a dry run)."""
    before = set(awards(ws, campaign_id)["user_id"])
    return people[~people["user_id"].isin(before)]


@dataclass(frozen=True)
class Awarded:
    fresh: pd.DataFrame  # the rows of ``people`` awarded now
    already: int  # of ``people``, those awarded before
    total: int  # awarded in all, now

    @property
    def not_chosen_now(self) -> int:
        """Awarded before but not among ``people`` now (no longer eligible, or not a
        winner): the part of ``total`` the other two counts leave out."""
        return self.total - len(self.fresh) - self.already


def award(ws: Workspace, campaign_id: str, people: pd.DataFrame, snapshot_id: str) -> Awarded:
    """Record ``people`` as awarded, once each; the audit log says how many were new."""
    fresh, already = record_awards(
        ws, campaign_id, people[["user_id", "run_start", "run_end"]], snapshot_id
    )
    if len(fresh):
        record_action(
            ws,
            "campaign award",
            target=campaign_id,
            count=len(fresh),
            snapshot=snapshot_id,
            detail={"awarded_before": already},
        )
    shown = people[people["user_id"].isin(fresh["user_id"])]
    return Awarded(shown, already, len(awards(ws, campaign_id)))
