"""A seminar in figures: attendance by stuck point and 事業部, satisfaction, interests,
grouped free text and emerging themes, and who moved on by a later snapshot. Pure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from . import segment as segmentation


@dataclass
class Summary:
    by_stuck_point: pd.DataFrame
    by_division: pd.DataFrame
    satisfaction: pd.DataFrame
    average_satisfaction: float  # NaN without scores
    interests: pd.DataFrame
    free_text: pd.DataFrame  # per keyword group: answers (or <min_group), examples
    themes: pd.DataFrame  # emerging themes (survey_text.THEME_COLUMNS)
    movement: pd.DataFrame | None
    invited: int
    attended: int
    answers: int


def summarise(
    invited: pd.DataFrame,  # user_id, stuck_point (at the invitation)
    attended: set[str],
    answers: pd.DataFrame,
    users: pd.DataFrame,
    free_text: tuple[pd.DataFrame, pd.DataFrame],  # keyword groups and emerging themes
    later: pd.DataFrame | None,  # segment result of a later snapshot, or None
) -> Summary:
    """The figures of one seminar; the free text is summarised beforehand (``survey_text``)."""
    invited = invited.copy()
    invited["attended"] = invited["user_id"].isin(attended)
    invited = invited.merge(users[["user_id", "division"]], on="user_id", how="left")

    def table(by: str) -> pd.DataFrame:
        grouped = invited.groupby(by, sort=True)
        frame = pd.DataFrame({"invited": grouped.size(), "attended": grouped["attended"].sum()})
        frame["rate"] = frame["attended"] / frame["invited"]
        return frame.reset_index()

    by_stuck = table("stuck_point")
    by_stuck["label"] = by_stuck["stuck_point"].map(
        lambda k: segmentation.BY_KEY[k].label if k in segmentation.BY_KEY else k
    )
    scores = answers["satisfaction"].dropna().astype(int)
    satisfaction = (
        scores.value_counts().sort_index().rename_axis("score").reset_index(name="answers")
    )
    counts: Counter[str] = Counter(t for chosen in answers["interests"] for t in chosen)
    interests = pd.DataFrame(
        sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), columns=["interest", "answers"]
    )
    movement = None
    if later is not None:
        later_points = later.set_index("user_id")["stuck_point"]
        rows = []
        for attended_flag, label in ((True, "attended"), (False, "invited, did not attend")):
            part = invited[invited["attended"] == attended_flag]
            present = part[part["user_id"].isin(later_points.index)]
            before = present["stuck_point"].map(segmentation.ORDER)
            after = present["user_id"].map(later_points).map(segmentation.ORDER)
            moved = int((after > before).sum())
            rows.append(
                {
                    "group": label,
                    "users": len(part),
                    "in_snapshot": len(present),
                    "moved_on": moved,
                    "share_moved_on": moved / len(present) if len(present) else None,
                }
            )
        movement = pd.DataFrame(rows)
    return Summary(
        by_stuck_point=by_stuck,
        by_division=table("division"),
        satisfaction=satisfaction,
        average_satisfaction=float(scores.mean()) if len(scores) else float("nan"),
        interests=interests,
        free_text=free_text[0],
        themes=free_text[1],
        movement=movement,
        invited=len(invited),
        attended=int(invited["attended"].sum()),
        answers=len(answers),
    )
