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
    renamed: int = 0  # 事業部/部署 whose people are all under a name new to this export
    renamed_people: int = 0  # the people of those (not counted as moved)
    pairs_formed: int = 0
    pairs_dissolved: int = 0
    new_manager: int = 0  # 部下 in both, paired with other managers now
    # In both, 休職・休業 now and not before (no mail reaches them from now on), or back.
    went_on_leave: int = 0
    back_from_leave: int = 0

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
    places_then, places_now = _places(was), _places(now)
    old_place, new_place = places_then.loc[both], places_now.loc[both]
    moved = old_place.to_numpy() != new_place.to_numpy()
    renamed, renamed_people = _renamed(places_then, places_now, old_place[moved], new_place[moved])
    old_pairs, new_pairs = _pairs(before_pairs), _pairs(pairs)
    # A 部下 of a formed pair then and now whose pairs differ has other managers now.
    members = {member for _m, member in old_pairs} & {member for _m, member in new_pairs}
    changed = {member for _m, member in old_pairs ^ new_pairs} & members
    on_leave_then = was.loc[both, "employment_status"].astype(str).eq("leave").to_numpy()
    on_leave_now = now.loc[both, "employment_status"].astype(str).eq("leave").to_numpy()
    return OrganisationChanges(
        left=len(was.index.difference(now.index)),
        joined=len(now.index.difference(was.index)),
        moved=int(moved.sum()) - renamed_people,
        renamed=renamed,
        renamed_people=renamed_people,
        pairs_formed=len(new_pairs - old_pairs),
        pairs_dissolved=len(old_pairs - new_pairs),
        new_manager=len(changed),
        went_on_leave=int((~on_leave_then & on_leave_now).sum()),
        back_from_leave=int((on_leave_then & ~on_leave_now).sum()),
    )


def _places(frame: pd.DataFrame) -> pd.Series:
    """Each person's 事業部/部署 as one string (as Python strings: compared by the thousand)."""
    division = frame["division"].fillna("").astype(str).to_numpy(dtype=object)
    department = frame["department"].fillna("").astype(str).to_numpy(dtype=object)
    return pd.Series(division + "/" + department, index=frame.index, dtype=object)


def _renamed(
    places_then: pd.Series, places_now: pd.Series, moved_from: pd.Series, moved_to: pd.Series
) -> tuple[int, int]:
    """Units renamed, and their people: a 事業部/部署 no one is in any more whose people all
    went to one name nobody was under before (a 事業部 renamed moves everyone in it)."""
    gone = set(places_then) - set(places_now)
    new = set(places_now) - set(places_then)
    sizes = places_then.value_counts()
    units = people = 0
    moves: dict[tuple[str, str], int] = {}
    for pair in zip(moved_from.astype(str), moved_to.astype(str), strict=True):
        moves[pair] = moves.get(pair, 0) + 1
    for (source, target), count in moves.items():
        if source in gone and target in new and count == int(sizes.get(source, 0)):
            units += 1
            people += count
    return units, people


def _current(users: pd.DataFrame) -> pd.DataFrame:
    frame = current_users(users)
    columns = ["division", "department", "employment_status"]
    return frame.set_index(frame["user_id"].astype(str))[columns]


def _pairs(pairs: pd.DataFrame) -> set[tuple[str, str]]:
    formed = formed_pairs(pairs)
    # Arrays of Python strings first: iterating the Arrow columns costs a call per id.
    managers = formed["manager_id"].astype(str).to_numpy(dtype=object)
    members = formed["member_id"].astype(str).to_numpy(dtype=object)
    return set(zip(managers, members, strict=True))
