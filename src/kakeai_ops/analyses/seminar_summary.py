"""A seminar in figures: attendance by stuck point and 事業部, satisfaction, interests,
grouped free text and emerging themes, and who moved on by a later snapshot. Pure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from .. import glossary
from . import segmentation
from .seminar_movement import movement

UNINVITED = "uninvited"
UNINVITED_LABEL = "招待外の参加"


@dataclass
class Summary:
    by_stuck_point: pd.DataFrame
    by_division: pd.DataFrame
    satisfaction: pd.DataFrame
    average_satisfaction: float  # NaN without scores
    interests: pd.DataFrame  # 知りたいテーマ (the survey's choices), ranked: interest, answers
    free_text: pd.DataFrame  # per keyword group: answers (or <min_group), examples
    themes: pd.DataFrame  # emerging themes (survey_text.THEME_COLUMNS)
    movement: pd.DataFrame | None  # seminar_movement.MOVEMENT_COLUMNS, both groups overall
    movement_by_stuck_point: pd.DataFrame | None  # the same within each stuck point
    movement_mix_note: str  # said when the groups' stuck point mixes differ
    invited: int  # 案内: reached by the invitation run
    attended: int  # 出席: everyone on the attendance list
    invited_attended: int  # of them, invited
    uninvited: int  # 招待外の参加: on the list without an invitation
    answers: int  # アンケート回答
    interest_answers: int  # answers that chose at least one theme: n of the ranking
    answers_from_attendees: int
    answers_not_on_list: int  # answers from people not on the attendance list
    # Of ``invited``, those whose invitation was only written to the outbox (a rehearsal
    # workspace counts them as invited; the reader is told they were not sent).
    rehearsed: int = 0
    unsent: int = 0  # written only and not in ``invited`` (the transport is smtp now)


def summarise(
    invited: pd.DataFrame,  # user_id, stuck_point (at the invitation)
    attended: set[str],
    answers: pd.DataFrame,
    users: pd.DataFrame,
    free_text: tuple[pd.DataFrame, pd.DataFrame],  # keyword groups and emerging themes
    later: pd.DataFrame | None,  # segment result of a later snapshot, or None
    minimum: int = 5,  # privacy.min_group: a smaller group's outcome is not shown
    scale: tuple[int, int] | None = None,  # the satisfaction scale (min, max)
) -> Summary:
    """The figures of one seminar; the free text is summarised beforehand
    (``analyses.survey_text``)."""
    invited = invited.copy()
    invited["attended"] = invited["user_id"].isin(attended)
    divisions = users.drop_duplicates("user_id").set_index("user_id")["division"]
    invited["division"] = invited["user_id"].map(divisions)
    uninvited = sorted(set(attended) - set(invited["user_id"]))
    walk_ins = pd.DataFrame(
        {"user_id": uninvited, "division": [divisions.get(u) for u in uninvited]}
    )

    by_stuck = _by_stuck_point(invited, uninvited)
    by_division = _by_division(invited, walk_ins)
    scores = answers["satisfaction"].dropna().astype(int)
    satisfaction = _satisfaction(scores, scale)
    interests, chose = _interests(answers["interests"])
    moved = None if later is None else movement(invited, later, minimum)
    on_list = answers["user_id"].isin(set(attended))
    return Summary(
        by_stuck_point=by_stuck,
        by_division=by_division,
        satisfaction=satisfaction,
        average_satisfaction=float(scores.mean()) if len(scores) else float("nan"),
        interests=interests,
        free_text=free_text[0],
        themes=free_text[1],
        movement=None if moved is None else moved.overall,
        movement_by_stuck_point=None if moved is None else moved.by_stuck_point,
        movement_mix_note="" if moved is None else moved.mix_note,
        invited=len(invited),
        attended=int(invited["attended"].sum()) + len(uninvited),
        invited_attended=int(invited["attended"].sum()),
        uninvited=len(uninvited),
        answers=len(answers),
        interest_answers=chose,
        answers_from_attendees=int(on_list.sum()),
        answers_not_on_list=int((~on_list).sum()),
    )


def _by_stuck_point(invited: pd.DataFrame, uninvited: list[str]) -> pd.DataFrame:
    """Per stuck point at the invitation: invited, attended and the rate, in the funnel's
    order; attendees without an invitation as a row of their own."""
    grouped = invited.groupby("stuck_point", sort=True)
    by_stuck = pd.DataFrame({"invited": grouped.size(), "attended": grouped["attended"].sum()})
    by_stuck["rate"] = by_stuck["attended"] / by_stuck["invited"]
    by_stuck = by_stuck.reset_index()
    # In the funnel's order, as every stuck point table is.
    by_stuck = by_stuck.sort_values(
        "stuck_point", key=lambda k: k.map(segmentation.ORDER).fillna(len(segmentation.KEYS))
    ).reset_index(drop=True)
    by_stuck["label"] = by_stuck["stuck_point"].map(
        lambda k: segmentation.BY_KEY[k].label if k in segmentation.BY_KEY else k
    )
    if uninvited:
        # Attendees without an invitation have no stuck point at the invitation: one row of
        # their own, so the column adds up to everyone on the attendance list.
        row = {"stuck_point": UNINVITED, "invited": 0, "attended": len(uninvited)}
        by_stuck = pd.concat(
            [by_stuck, pd.DataFrame([{**row, "rate": None, "label": UNINVITED_LABEL}])],
            ignore_index=True,
        )
    by_stuck["invited"] = by_stuck["invited"].astype(int)
    return by_stuck


def _satisfaction(scores: pd.Series, scale: tuple[int, int] | None) -> pd.DataFrame:
    """Answers per satisfaction score."""
    counted = scores.value_counts()
    # Every point of the scale, a score nobody gave as 0 answers (a true zero).
    points = range(scale[0], scale[1] + 1) if scale else sorted(counted.index)
    return (
        counted.reindex(points, fill_value=0)
        .rename_axis("satisfaction")
        .reset_index(name="answers")
    )


def _interests(chosen_themes: pd.Series) -> tuple[pd.DataFrame, int]:
    """The themes people want to know about, ranked, and how many answers chose any."""
    counts: Counter[str] = Counter(t for chosen in chosen_themes for t in chosen)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    # People, not answers: one answer chooses several themes.
    interests = pd.DataFrame(ranked, columns=["interest", "chosen_by"])
    chose = sum(1 for chosen in chosen_themes if len(chosen))
    # Competition ranking (1, 1, 1, 4): equal counts share a rank.
    interests.insert(0, "interest_rank", interests["chosen_by"].rank(method="min", ascending=False))
    interests["interest_rank"] = interests["interest_rank"].astype(int)
    interests["share"] = interests["chosen_by"] / chose if chose else None
    interests.attrs[glossary.SHEET_NOTE] = (
        f"割合は、テーマを一つ以上選んだ{chose:,}人に占める、そのテーマを選んだ人の割合です"
        "（複数回答のため、合計は100%を超えます）。"
    )
    return interests, chose


def _by_division(invited: pd.DataFrame, walk_ins: pd.DataFrame) -> pd.DataFrame:
    """Per 事業部: invited, invited who attended, the rate, attendees without an invitation,
    and everyone who attended."""
    grouped = invited.groupby("division", sort=True)
    frame = pd.DataFrame({"invited": grouped.size(), "invited_attended": grouped["attended"].sum()})
    frame["rate"] = frame["invited_attended"] / frame["invited"]
    extra = walk_ins.groupby("division", sort=True).size()
    frame = frame.reindex(frame.index.union(extra.index))
    frame["uninvited"] = extra.reindex(frame.index).fillna(0).astype(int)
    frame["invited"] = frame["invited"].fillna(0).astype(int)
    frame["invited_attended"] = frame["invited_attended"].fillna(0).astype(int)
    frame["attended"] = frame["invited_attended"] + frame["uninvited"]
    frame.index.name = "division"
    return frame.reset_index()[
        ["division", "invited", "invited_attended", "rate", "uninvited", "attended"]
    ]
