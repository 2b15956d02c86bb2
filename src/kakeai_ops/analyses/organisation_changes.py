"""What changed in the organisation between two snapshots: who left, joined or moved,
which pairs were formed or dissolved, whose manager changed.

`kops ingest` said only 「置き換え（前回 254行）」: the secretariat copies movers into
KAKEAI's アドバイザー settings and wants to know whom a month's mails and reports now
count elsewhere. Pure: two snapshots' users and pairs in, counts out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .definitions import current_users, formed_pairs


@dataclass(frozen=True)
class OrganisationChanges:
    left: int = 0  # retired since, or no longer in the export
    joined: int = 0  # current users the snapshot before did not have
    moved: int = 0  # current in both, in another 事業部 or 部署
    pairs_formed: int = 0
    pairs_dissolved: int = 0
    new_manager: int = 0  # 部下 in both, paired with other managers now

    def any(self) -> bool:
        return any(vars(self).values())


def organisation_changes(
    before_users: pd.DataFrame,
    before_pairs: pd.DataFrame,
    users: pd.DataFrame,
    pairs: pd.DataFrame,
) -> OrganisationChanges:
    was, now = _current(before_users), _current(users)
    both = was.index.intersection(now.index)
    place = ["division", "department"]
    moved = (
        was.loc[both, place].fillna("").astype(str) != now.loc[both, place].fillna("").astype(str)
    ).any(axis=1)
    old_pairs, new_pairs = _pairs(before_pairs), _pairs(pairs)
    managers_then, managers_now = _managers(before_pairs), _managers(pairs)
    members = managers_then.index.intersection(managers_now.index)
    return OrganisationChanges(
        left=len(was.index.difference(now.index)),
        joined=len(now.index.difference(was.index)),
        moved=int(moved.sum()),
        pairs_formed=len(new_pairs - old_pairs),
        pairs_dissolved=len(old_pairs - new_pairs),
        new_manager=int((managers_then[members] != managers_now[members]).sum()),
    )


def _current(users: pd.DataFrame) -> pd.DataFrame:
    frame = current_users(users)
    return frame.set_index(frame["user_id"].astype(str))[["division", "department"]]


def _pairs(pairs: pd.DataFrame) -> set[tuple[str, str]]:
    formed = formed_pairs(pairs)
    return set(zip(formed["manager_id"].astype(str), formed["member_id"].astype(str), strict=True))


def _managers(pairs: pd.DataFrame) -> pd.Series:
    """Per 部下 of a formed pair, their managers (sorted, joined)."""
    formed = formed_pairs(pairs)
    grouped = formed["manager_id"].astype(str).groupby(formed["member_id"].astype(str).to_numpy())
    return grouped.agg(lambda ids: ",".join(sorted(set(ids))))
