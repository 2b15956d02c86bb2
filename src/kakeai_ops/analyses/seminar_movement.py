"""Who moved on from their stuck point after a seminar: attendees against invitees who did
not come, as a comparison that cannot mislead. Pure.

- Every group has its n (``in_snapshot``: the invitees still in the later snapshot).
- A group of fewer than ``min_group`` people shows neither its count nor its share
  (``<5``): one person's progress must not be read off a small group. Nor is it given
  back by subtraction: a stuck point's rows add up to the 全体 row, so where the visible
  rows would pin a hidden count (48 invitees, 10 moved on: 0 + 0 + ? + 9), another row's
  count is hidden too (``(秘匿)``), the one with the most people first.
- Attending is the invitee's own choice, so the groups differ before the seminar; the
  caption says so (``SELF_SELECTION``), and the comparison is also made within each stuck
  point at the invitation, which matters when the groups' mixes differ (``mix_note``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..model import number, whole
from ..numbers import percent
from ..privacy.rules import COMPLEMENT, below, is_small
from . import segmentation
from .counting import cross_counts

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
    by_point = _complemented(pd.DataFrame(rows, columns=MOVEMENT_COLUMNS), overall)
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


def _complemented(by_point: pd.DataFrame, overall: pd.DataFrame) -> pd.DataFrame:
    """The rows with more counts hidden until none hidden can be worked out from the 全体
    row: each count hidden for being small (at most its group's people) must still be
    able to be 0 and to be all of them, given what the rows it adds up with show."""
    records = [{str(k): v for k, v in r.items()} for r in by_point.to_dict("records")]
    totals = dict(zip(overall["group"], overall["moved_on"], strict=True))
    for group in GROUP_LABELS:
        total = totals.get(group)
        if total is None or isinstance(total, str):
            continue  # the 全体 row is hidden itself: nothing to subtract from
        rows = [r for r in records if r["group"] == group]
        while True:
            hidden = [r for r in rows if isinstance(r["moved_on"], str)]
            shown = [r for r in rows if not isinstance(r["moved_on"], str)]
            rest = whole(total) - sum(whole(r["moved_on"]) for r in shown)
            people = [whole(r["in_snapshot"]) for r in hidden]
            small = [whole(r["in_snapshot"]) for r in hidden if r["moved_on"] != COMPLEMENT]
            if not hidden or not shown or _kept(small, sum(people), rest):
                break
            widest = max(shown, key=lambda r: whole(r["in_snapshot"]))
            widest["moved_on"] = COMPLEMENT
            widest["share_moved_on"] = None
    return pd.DataFrame(records, columns=MOVEMENT_COLUMNS)


def _kept(small: list[int], room: int, rest: int) -> bool:
    """Whether each count hidden for being small (at most its group's people) keeps its
    whole range, 0 to all of its group, when the hidden counts (at most ``room`` people
    in all) add up to ``rest``."""
    return all(most <= rest <= room - most for most in small)


def _mix(present: pd.DataFrame, points: list[str], minimum: int) -> tuple[bool, str]:
    """Whether the groups' stuck point mixes differ by ``MIX_GAP`` or more, and the
    sentence that says so (naming the widest gap only where both counts may be shown)."""
    counts = cross_counts(present["stuck_point"], present["group"]).reindex(
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
    return True, sentence + f"。{BY_STUCK_POINT_POINTER}"


# The summary's pointer to its own table of the movement per stuck point; a document
# without that table (the shared deck) says where it is instead.
BY_STUCK_POINT_POINTER = "スタックポイント別の比較を見てください。"
