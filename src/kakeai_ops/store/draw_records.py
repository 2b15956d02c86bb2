"""Campaign entries and draws: each draw keeps its seed and its list of entrants."""

from __future__ import annotations

from contextlib import closing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a table is read: `kops --help` never needs it
    import pandas as pd

from ..clock import now_text
from ..errors import KopsError
from ..i18n import _
from ..workspace import Workspace
from .state import connect, insert_new, read_frame

DRAW_FIELDS = (
    "campaign",
    "draw_no",
    "drawn_at",
    "drawn_by",
    "algorithm",
    "seed",
    "winners",
    "per_division",
    "entrants",
    "fingerprint",
    "snapshot",
    "as_of",
    "reason",
    "current",
)


def add_entries(ws: Workspace, campaign: str, rows: list[tuple[str, str | None, str]]) -> int:
    """Record (user_id, entered_at, source) entries; a person already entered is kept as is.

    Returns how many were new.
    """
    stamp = now_text()
    return insert_new(
        ws,
        "INSERT OR IGNORE INTO campaign_entries"
        " (campaign, user_id, entered_at, source, recorded_at) VALUES (?, ?, ?, ?, ?)",
        [(campaign, user, entered, source, stamp) for user, entered, source in rows],
    )


def campaign_entries(ws: Workspace, campaign: str | None = None) -> pd.DataFrame:
    select = "SELECT campaign, user_id, entered_at, source, recorded_at FROM campaign_entries"
    with closing(connect(ws)) as db:
        return read_frame(db, select, "ORDER BY campaign, user_id", "campaign", campaign)


def record_draw(
    ws: Workspace, draw: dict[str, Any], entrants: list[tuple[str, str, int, bool]]
) -> int:
    """Store a draw (DRAW_FIELDS but draw_no/current) and its entrants
    (user_id, division, position, won) as the campaign's current draw; returns its number.

    Refused when the campaign has a draw already, unless ``draw["reason"]`` says why
    it is drawn again; the earlier draws stay, marked as no longer current.
    """
    campaign = draw["campaign"]
    with closing(connect(ws)) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            last = db.execute(
                "SELECT MAX(draw_no) FROM campaign_draws WHERE campaign = ?", (campaign,)
            ).fetchone()[0]
            if last is not None and not draw.get("reason"):
                raise KopsError(
                    _("campaign '{campaign}' has been drawn already (draw {number})").format(
                        campaign=campaign, number=last
                    ),
                    hint=_(
                        "`kops campaign draw {campaign} --verify` checks it; to draw again, "
                        "give --redraw --reason TEXT (recorded in the audit log)"
                    ).format(campaign=campaign),
                )
            number = (last or 0) + 1
            db.execute("UPDATE campaign_draws SET current = 0 WHERE campaign = ?", (campaign,))
            row = {**draw, "draw_no": number, "current": 1}
            db.execute(
                f"INSERT INTO campaign_draws ({', '.join(DRAW_FIELDS)})"
                f" VALUES ({', '.join('?' for _field in DRAW_FIELDS)})",
                tuple(row.get(name) for name in DRAW_FIELDS),
            )
            db.executemany(
                "INSERT INTO campaign_draw_entrants"
                " (campaign, draw_no, user_id, division, position, won)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(campaign, number, u, d, p, int(w)) for u, d, p, w in entrants],
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return number


def campaign_draws(ws: Workspace, campaign: str | None = None) -> pd.DataFrame:
    """Every draw (current and earlier), oldest first."""
    select = f"SELECT {', '.join(DRAW_FIELDS)} FROM campaign_draws"
    with closing(connect(ws)) as db:
        return read_frame(db, select, "ORDER BY campaign, draw_no", "campaign", campaign)


def draw_entrants(ws: Workspace, campaign: str | None = None) -> pd.DataFrame:
    """The entrants of each campaign's current draw: user_id, division, position, won."""
    with closing(connect(ws)) as db:
        frame = read_frame(
            db,
            "SELECT e.campaign, e.draw_no, e.user_id, e.division, e.position, e.won"
            " FROM campaign_draw_entrants e JOIN campaign_draws d"
            " ON d.campaign = e.campaign AND d.draw_no = e.draw_no",
            "ORDER BY e.campaign, e.position",
            "e.campaign",
            campaign,
            where="d.current = 1",
        )
    frame["won"] = frame["won"].astype(bool)
    return frame


def draw_audit(ws: Workspace, campaign: str, number: int) -> dict[str, Any] | None:
    """What the audit log recorded when draw ``number`` of ``campaign`` was made (its
    seed, entrant count, fingerprint and winners), or None when it has no entry."""
    import json

    with closing(connect(ws)) as db:
        rows = db.execute(
            "SELECT detail FROM audit WHERE command IN ('campaign draw', 'campaign redraw')"
            " AND scope = ? ORDER BY id",
            (campaign,),
        ).fetchall()
    for (text,) in rows:
        try:
            detail = json.loads(text) if text else {}
        except ValueError:
            continue
        if isinstance(detail, dict) and detail.get("draw") == number:
            return detail
    return None
