"""The campaign draw: gather its inputs, record it, verify it, explain it.

The draw itself is ``analyses.draw`` (pure); this module gathers its inputs
(entries, eligibility, earlier winners), records it and checks it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...analyses import draw_rules, streaks
from ...calendar import BusinessCalendar
from ...clock import now_text
from ...config import Campaign, Settings
from ...errors import KopsError
from ...i18n import N_, _
from ...model import record
from ...store import (
    SnapshotInfo,
    Tables,
    audit,
    awards,
    campaign_draws,
    campaign_entries,
    draw_audit,
    draw_entrants,
    latest_snapshot,
    list_snapshots,
    load_tables,
    os_user,
    record_draw,
    resolve_snapshot,
)
from ...workspace import Workspace


def judge(tables: Tables, campaign: Campaign, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """Per user: division, eligible, employment_status (active|leave|retired)."""
    calendar = BusinessCalendar(settings.calendar.company_holidays)
    users = streaks.eligibility(tables, campaign, calendar, as_of).users
    status = tables.users.set_index("user_id")["employment_status"]
    frame = users[["user_id", "name", "division", "eligible"]].copy()
    frame["employment_status"] = frame["user_id"].map(status).fillna("retired")
    return frame


def judge_latest(ws: Workspace, settings: Settings, campaign: Campaign) -> pd.DataFrame | None:
    """Eligibility as of the newest snapshot, or None when nothing was ingested."""
    snap = latest_snapshot(ws)
    if snap is None or snap.as_of is None:
        return None
    return judge(load_tables(snap), campaign, settings, snap.as_of)


@dataclass(frozen=True)
class DrawBasis:
    """Where a draw judges eligibility: a snapshot and an as-of date nobody picks."""

    snapshot: SnapshotInfo
    as_of: dt.date
    why: str  # said when another --snapshot/--as-of is refused


def draw_basis(ws: Workspace, campaign: Campaign, drawn: dict[str, Any] | None) -> DrawBasis:
    """The snapshot and date a draw judges eligibility at.

    A redraw judges at the first draw's; a campaign with an entry deadline at the
    deadline, in the first snapshot whose data reaches it; otherwise the latest
    snapshot. Never an operator's choice: another date or snapshot would change
    who is eligible, and so the winners."""
    if drawn is not None:
        snap = resolve_snapshot(ws, str(drawn["snapshot"]))
        day = dt.date.fromisoformat(str(drawn["as_of"]))
        return DrawBasis(
            snap,
            day,
            _("draw {draw} judged at {day} (snapshot {snapshot})").format(
                draw=drawn["draw_no"], day=day, snapshot=snap.id
            ),
        )
    if campaign.entry_deadline is not None:
        deadline = campaign.entry_deadline
        day = deadline.date() if isinstance(deadline, dt.datetime) else deadline
        dated = [s for s in list_snapshots(ws) if s.as_of is not None]
        covering = [s for s in dated if s.as_of is not None and s.as_of >= day]
        if covering:
            snap = covering[0]
            return DrawBasis(
                snap,
                day,
                _("the entry deadline {day} (snapshot {snapshot})").format(
                    day=day, snapshot=snap.id
                ),
            )
        if dated:  # the data ends before the deadline: judged where it ends
            snap = dated[-1]
            assert snap.as_of is not None
            return DrawBasis(
                snap,
                snap.as_of,
                _("the end of the data before the deadline, {day} (snapshot {snapshot})").format(
                    day=snap.as_of, snapshot=snap.id
                ),
            )
    snap = resolve_snapshot(ws, None)
    if snap.as_of is None:
        raise KopsError(
            _("snapshot {snapshot} has no held 1on1 or login to date it by").format(
                snapshot=snap.id
            )
        )
    return DrawBasis(
        snap,
        snap.as_of,
        _("the latest snapshot {snapshot} ({day})").format(snapshot=snap.id, day=snap.as_of),
    )


def judge_for_draw(
    ws: Workspace, settings: Settings, campaign: Campaign, basis: DrawBasis
) -> pd.DataFrame:
    """Eligibility at the basis; who is on leave or retired as the latest snapshot says
    (a winner who left since the deadline is not drawn again)."""
    judged = judge(load_tables(basis.snapshot), campaign, settings, basis.as_of)
    latest = latest_snapshot(ws)
    if latest is not None and latest.id != basis.snapshot.id:
        users = load_tables(latest, only=("users",)).users
        status = users.set_index("user_id")["employment_status"]
        judged["employment_status"] = judged["user_id"].map(status).fillna("retired")
    return judged


def check_not_awarded_to_all(ws: Workspace, campaign_id: str) -> None:
    """Refuse entries or a draw for a campaign already awarded to everyone eligible.

    Awards made before any draw went to everyone eligible, and the award mail told them
    so. Entries then turned it into a campaign by draw: the draw's 「次に」 led to
    「ご希望に添えない結果」 for people who had been told they had the right."""
    awarded = awards(ws, campaign_id)
    if awarded.empty or not campaign_draws(ws, campaign_id).empty:
        return
    raise KopsError(
        _(
            "campaign '{campaign}' was awarded to everyone eligible ({n:,} people, from "
            "{first}): a draw now would tell some of them they were not drawn"
        ).format(campaign=campaign_id, n=len(awarded), first=str(awarded["awarded_at"].min())[:10]),
        hint=_(
            "a prize with limited places is a campaign of its own: add one to kops.yaml "
            "(campaigns:) and take its entries there"
        ),
    )


def previous_winners(ws: Workspace, campaign_id: str) -> set[str]:
    """Who won another campaign: drawn in its current draw, or awarded (kops campaign award)."""
    drawn = draw_entrants(ws)
    given = awards(ws)
    return set(drawn.loc[drawn["won"] & (drawn["campaign"] != campaign_id), "user_id"]) | set(
        given.loc[given["campaign"] != campaign_id, "user_id"]
    )


# --- the draw ---------------------------------------------------------------------


def draw_pool(
    ws: Workspace, campaign_id: str, campaign: Campaign, judged: pd.DataFrame
) -> pd.DataFrame:
    """Every entry with whether it goes into the draw and why not (user_id, division, …)."""
    entries = campaign_entries(ws, campaign_id)
    if entries.empty:
        raise KopsError(
            _("campaign '{campaign}' has no entries").format(campaign=campaign_id),
            hint=_("record them first: {command}").format(
                command=f"kops campaign entries {campaign_id} entries.csv"
            ),
        )
    return draw_rules.entrant_status(entries, judged, winners_left_out(ws, campaign_id, campaign))


def winners_left_out(ws: Workspace, campaign_id: str, campaign: Campaign) -> set[str]:
    """The previous winners this campaign's draw leaves out (exclude_previous_winners)."""
    return previous_winners(ws, campaign_id) if campaign.exclude_previous_winners else set()


def choose_seed(campaign_id: str, campaign: Campaign, seed: str | None) -> str:
    """The announced seed: --seed or the campaign's draw_seed, never a surprise default."""
    configured = campaign.draw_seed
    if seed is not None and configured is not None and seed != configured:
        raise KopsError(
            _(
                "--seed '{seed}' differs from the announced draw_seed '{announced}' in kops.yaml"
            ).format(seed=seed, announced=configured),
            hint=_(
                "draw with the seed you announced; change kops.yaml only if the announcement "
                "changed"
            ),
        )
    chosen = seed if seed is not None else configured
    if chosen is None or not chosen.strip():
        raise KopsError(
            _("campaign '{campaign}' has no seed for the draw").format(campaign=campaign_id),
            hint=_(
                "announce a seed before the draw (e.g. the date and a public number such as "
                "that day's closing index) and pass it as --seed TEXT, or write it in kops.yaml "
                "as draw_seed"
            ),
        )
    return chosen


def run_draw(
    ws: Workspace,
    campaign_id: str,
    pool: pd.DataFrame,
    seed: str,
    winners: int,
    per_division: int | None,
    snapshot: str,
    as_of: dt.date,
    reason: str | None,
) -> tuple[int, draw_rules.DrawResult]:
    entrants = [
        draw_rules.Entrant(u, d)
        for u, d in zip(
            pool.loc[pool["in_draw"], "user_id"], pool.loc[pool["in_draw"], "division"], strict=True
        )
    ]
    if not entrants:
        raise KopsError(
            _("nobody who entered campaign '{campaign}' is eligible as of {as_of}").format(
                campaign=campaign_id, as_of=as_of
            ),
            hint=_("`kops campaign list` shows the entries; {command}").format(
                command=f"`kops campaign eligible {campaign_id}`"
            ),
        )
    result = draw_rules.draw(entrants, seed, winners, per_division)
    number = record_draw(
        ws,
        {
            "campaign": campaign_id,
            "drawn_at": now_text(),
            "drawn_by": os_user(),
            "algorithm": draw_rules.ALGORITHM,
            "seed": seed,
            "winners": winners,
            "per_division": per_division,
            "entrants": len(result.picks),
            "fingerprint": result.fingerprint,
            "snapshot": snapshot,
            "as_of": as_of.isoformat(),
            "reason": reason,
        },
        [(p.user_id, p.division, p.position, p.won) for p in result.picks],
    )
    detail: dict[str, Any] = {
        "draw": number,
        "seed": seed,
        "entrants": len(result.picks),
        "fingerprint": result.fingerprint,
        "winners": result.winners,
    }
    if reason:
        detail["redraw_reason"] = reason
    audit(
        ws,
        "campaign redraw" if reason else "campaign draw",
        scope=campaign_id,
        snapshot=snapshot,
        rows=len(result.winners),
        detail=detail,
    )
    return number, result


@dataclass(frozen=True)
class Verification:
    draw_no: int
    seed: str
    recorded_fingerprint: str
    fingerprint: str
    recorded_winners: list[str]
    winners: list[str]
    # What disagrees with the entries table or the audit log's record of the draw.
    elsewhere: tuple[str, ...] = ()

    @property
    def entrants_intact(self) -> bool:
        return self.fingerprint == self.recorded_fingerprint

    @property
    def ok(self) -> bool:
        return self.entrants_intact and self.winners == self.recorded_winners and not self.elsewhere


def current_draw(ws: Workspace, campaign_id: str) -> tuple[dict[str, Any], pd.DataFrame]:
    draws = campaign_draws(ws, campaign_id)
    current = draws[draws["current"] == 1]
    if current.empty:
        raise KopsError(
            _("campaign '{campaign}' has not been drawn").format(campaign=campaign_id),
            hint=f"kops campaign draw {campaign_id} --winners N --seed TEXT",
        )
    return record(current.iloc[0]), draw_entrants(ws, campaign_id)


def verify_draw(ws: Workspace, campaign_id: str) -> Verification:
    """Recompute the current draw from its recorded seed and entrants."""
    meta, entrants = current_draw(ws, campaign_id)
    if meta["algorithm"] != draw_rules.ALGORITHM:
        raise KopsError(
            _("draw uses algorithm '{algorithm}', unknown to this kops").format(
                algorithm=meta["algorithm"]
            )
        )
    people = [
        draw_rules.Entrant(u, d)
        for u, d in zip(entrants["user_id"], entrants["division"], strict=True)
    ]
    per_division = None if pd.isna(meta["per_division"]) else int(meta["per_division"])
    recorded = sorted(entrants.loc[entrants["won"], "user_id"])
    if not people:
        return Verification(
            int(meta["draw_no"]), str(meta["seed"]), str(meta["fingerprint"]), "", recorded, []
        )
    again = draw_rules.draw(people, str(meta["seed"]), int(meta["winners"]), per_division)
    return Verification(
        int(meta["draw_no"]),
        str(meta["seed"]),
        str(meta["fingerprint"]),
        again.fingerprint,
        recorded,
        sorted(again.winners),
        tuple(_cross_checks(ws, campaign_id, meta, entrants, recorded)),
    )


def _cross_checks(
    ws: Workspace,
    campaign_id: str,
    meta: dict[str, Any],
    entrants: pd.DataFrame,
    winners: list[str],
) -> list[str]:
    """The draw's record against the entries table and the audit log, which a change
    made to the draw tables alone (a seed rewritten with the positions recomputed, a
    place added) does not touch."""
    found = []
    entered = set(campaign_entries(ws, campaign_id)["user_id"])
    strangers = sorted(set(entrants["user_id"]) - entered)
    if strangers:
        found.append(f"entrants who never entered: {', '.join(strangers[:10])}")
    logged = draw_audit(ws, campaign_id, int(meta["draw_no"]))
    if logged is None:
        found.append("the audit log has no entry for this draw")
        return found
    checks = [
        ("seed", str(meta["seed"]), str(logged.get("seed"))),
        ("fingerprint", str(meta["fingerprint"]), str(logged.get("fingerprint"))),
        ("entrant count", str(len(entrants)), str(logged.get("entrants"))),
        ("winners", ", ".join(winners), ", ".join(sorted(logged.get("winners") or []))),
    ]
    for what, stored, audited in checks:
        if stored != audited:
            found.append(f"{what}: the draw tables say {stored}, the audit log {audited}")
    return found


# --- what list and explain show -------------------------------------------------------


def overview(
    ws: Workspace,
    campaign_id: str,
    campaign: Campaign,
    judged: Callable[[], pd.DataFrame | None],
) -> dict[str, Any]:
    """Entries, eligible entrants and winners of a campaign.

    ``judged`` is a callable returning the eligibility frame (or None when there
    is no data), called only when entries exist and no draw has fixed the entrants.
    """
    entries = campaign_entries(ws, campaign_id)
    drawn = draw_entrants(ws, campaign_id)
    if len(drawn):
        eligible: int | None = len(drawn)
        winners: int | None = int(drawn["won"].sum())
    else:
        winners = None
        frame = judged() if len(entries) else None
        eligible = (
            int(draw_pool(ws, campaign_id, campaign, frame)["in_draw"].sum())
            if frame is not None
            else (0 if entries.empty else None)
        )
    return {"entries": len(entries), "eligible_entrants": eligible, "winners": winners}


@dataclass(frozen=True)
class PersonDraw:
    entered: bool
    entered_at: str | None
    source: str | None
    drawn: bool  # the campaign has a draw
    draw_no: int | None
    seed: str | None
    in_draw: bool
    position: int | None
    entrants: int
    won: bool


def person(ws: Workspace, campaign_id: str, user_id: str) -> PersonDraw:
    entries = campaign_entries(ws, campaign_id)
    mine = entries[entries["user_id"] == user_id]
    draws_ = campaign_draws(ws, campaign_id)
    current = draws_[draws_["current"] == 1]
    drawn = draw_entrants(ws, campaign_id)
    row = drawn[drawn["user_id"] == user_id]
    entered_at = None if mine.empty else mine.iloc[0]["entered_at"]
    return PersonDraw(
        entered=not mine.empty,
        entered_at=None if entered_at is None or pd.isna(entered_at) else str(entered_at),
        source=None if mine.empty else str(mine.iloc[0]["source"]),
        drawn=not current.empty,
        draw_no=None if current.empty else int(current.iloc[0]["draw_no"]),
        seed=None if current.empty else str(current.iloc[0]["seed"]),
        in_draw=not row.empty,
        position=None if row.empty else int(row.iloc[0]["position"]),
        entrants=len(drawn),
        won=bool(not row.empty and row.iloc[0]["won"]),
    )


def redraw_choices(
    drawn: dict[str, Any],
    seed: str | None,
    winners: int | None,
    per_division: int | None,
    campaign: Campaign,
) -> tuple[str, int, int | None]:
    """A redraw keeps the announced seed and the number of places: another seed (or
    count) would let a draw be repeated until its result suits."""
    recorded_seed = str(drawn["seed"])
    recorded_winners = int(drawn["winners"])
    recorded_cap = None if pd.isna(drawn["per_division"]) else int(drawn["per_division"])
    for given, what in ((seed, "--seed"), (campaign.draw_seed, N_("draw_seed in kops.yaml"))):
        if given is not None and given != recorded_seed:
            raise KopsError(
                _(
                    "{what} '{given}' differs from the seed announced for this campaign's draw "
                    "('{seed}'): a redraw keeps it"
                ).format(what=_(what), given=given, seed=recorded_seed),
                hint=_(
                    "a new seed is a new draw: announce it and give the campaign a new id "
                    "in kops.yaml (its own entries, draw and audit entry)"
                ),
            )
    if winners is not None and winners != recorded_winners:
        raise KopsError(
            _(
                "--winners {winners}: the draw announced {places} place(s); a redraw keeps them"
            ).format(winners=winners, places=recorded_winners),
            hint=_("leave out {option}").format(option="--winners"),
        )
    if per_division is not None and per_division != recorded_cap:
        cap = _("a cap of {n}").format(n=recorded_cap) if recorded_cap else _("no cap")
        raise KopsError(
            _(
                "--per-division {given}: the draw was made with {cap} per 事業部; a redraw keeps it"
            ).format(given=per_division, cap=cap),
            hint=_("leave out {option}").format(option="--per-division"),
        )
    return recorded_seed, recorded_winners, recorded_cap
