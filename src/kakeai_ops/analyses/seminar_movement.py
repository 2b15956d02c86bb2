"""Who moved on from their stuck point after a seminar: attendees against invitees who did
not come, as a comparison that cannot mislead. Pure.

- Every group has its n (``in_snapshot``: the invitees still in the later snapshot).
- A group of fewer than ``min_group`` people shows neither its count nor its share
  (``<5``): one person's progress must not be read off a small group.
- Attending is the invitee's own choice, so the groups differ before the seminar; the
  caption says so (``SELF_SELECTION``), and the comparison is also made within each stuck
  point at the invitation, which matters when the groups' mixes differ (``mix_note``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..model import number, whole
from ..numbers import percent
from ..privacy.rules import below, is_small
from . import segmentation

ATTENDED = "attended"
NOT_ATTENDED = "invited, did not attend"
GROUP_LABELS = {ATTENDED: "出席した人", NOT_ATTENDED: "出席しなかった人"}
ALL = "all"

SELF_SELECTION = (
    "出席は本人の選択です。もともと意欲の高い人が出席しやすいため、"
    "この差をそのままセミナーの効果とは読めません。"
)
# How far apart (in share of the group) a stuck point's weight must be for the mixes
# to count as different: then the overall comparison mostly compares stuck points.
MIX_GAP = 0.10

MOVEMENT_COLUMNS = [
    "stuck_point",
    "label",
    "group",
    "group_label",
    "users",
    "in_snapshot",
    "moved_on",
    "share_moved_on",
]


@dataclass
class Movement:
    overall: pd.DataFrame  # MOVEMENT_COLUMNS, stuck_point == "all"
    by_stuck_point: pd.DataFrame  # MOVEMENT_COLUMNS, one pair of rows per stuck point
    mix_differs: bool
    mix_note: str  # one sentence, or "" when the mixes are alike
    minimum: int


def movement(invited: pd.DataFrame, later: pd.DataFrame, minimum: int) -> Movement:
    """``invited``: user_id, stuck_point (at the invitation), attended (bool);
    ``later``: a ``segment`` result of a later snapshot."""
    later_points = later.set_index("user_id")["stuck_point"]
    frame = invited.assign(
        present=invited["user_id"].isin(later_points.index),
        group=invited["attended"].map({True: ATTENDED, False: NOT_ATTENDED}),
    )
    # As numbers even when nobody was invited: an empty column would keep the text dtype
    # and refuse the comparison.
    before = pd.to_numeric(frame["stuck_point"].map(segmentation.ORDER))
    after = pd.to_numeric(frame["user_id"].map(later_points).map(segmentation.ORDER))
    frame["moved"] = frame["present"] & (after > before)

    overall = pd.DataFrame(
        [_row(frame[frame["group"] == g], ALL, "全体", g, minimum) for g in GROUP_LABELS],
        columns=MOVEMENT_COLUMNS,
    )
    points = [k for k in segmentation.KEYS if k in set(frame["stuck_point"])]
    rows = [
        _row(
            frame[(frame["stuck_point"] == point) & (frame["group"] == g)],
            point,
            segmentation.BY_KEY[point].label,
            g,
            minimum,
        )
        for point in points
        for g in GROUP_LABELS
    ]
    by_point = pd.DataFrame(rows, columns=MOVEMENT_COLUMNS)
    differs, note = _mix(frame[frame["present"]], points, minimum)
    return Movement(overall, by_point, differs, note, minimum)


def _row(part: pd.DataFrame, point: str, label: str, group: str, minimum: int) -> dict[str, object]:
    present = int(part["present"].sum())
    moved = int(part["moved"].sum())
    hidden = is_small(present, minimum)
    return {
        "stuck_point": point,
        "label": label,
        "group": group,
        "group_label": GROUP_LABELS[group],
        "users": len(part),
        "in_snapshot": present,
        "moved_on": below(minimum) if hidden else moved,
        "share_moved_on": None if hidden else moved / present,
    }


def _mix(present: pd.DataFrame, points: list[str], minimum: int) -> tuple[bool, str]:
    """Whether the groups' stuck point mixes differ by ``MIX_GAP`` or more, and the
    sentence that says so (naming the widest gap only where both counts may be shown)."""
    counts = pd.crosstab(present["stuck_point"], present["group"]).reindex(
        index=points, columns=list(GROUP_LABELS), fill_value=0
    )
    totals = counts.sum()
    if (totals == 0).any() or len(points) < 2:
        return False, ""
    shares = counts / totals
    gap = (shares[ATTENDED] - shares[NOT_ATTENDED]).abs()
    if gap.max() < MIX_GAP:
        return False, ""
    widest = str(gap.idxmax())
    sentence = "出席した人としなかった人では招待時のスタックポイントの構成が違います"
    if not any(is_small(whole(n), minimum) for n in counts.loc[widest]):
        sentence += (
            f"（{segmentation.BY_KEY[widest].label}: 出席した人の"
            f"{percent(number(shares.loc[widest, ATTENDED]))}、出席しなかった人の"
            f"{percent(number(shares.loc[widest, NOT_ATTENDED]))}）"
        )
    return True, sentence + "。スタックポイント別の比較を見てください。"
