"""The kinds of audience a mail run can reach, one small class each (a tagged union).

Each kind names itself with ``kind`` (the word stored in a run's binding, see binding.py)
and says what it stands for with ``value()`` (the rest of that binding's key). Neither
is an option's spelling: the command line may rename its options, and runs recorded
under the old names still resume.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar


@dataclass(frozen=True)
class Segment:
    """Users whose primary stuck point is ``key``."""

    key: str
    kind: ClassVar[str] = "segment"

    def value(self) -> Any:
        return self.key


@dataclass(frozen=True)
class Flag:
    """Everyone with the stuck point ``key`` among their flags."""

    key: str
    kind: ClassVar[str] = "flag"

    def value(self) -> Any:
        return self.key


@dataclass(frozen=True)
class Awarded:
    """Users awarded in a campaign."""

    campaign: str
    kind: ClassVar[str] = "awarded"

    def value(self) -> Any:
        return self.campaign


@dataclass(frozen=True)
class Winners:
    """The winners of a campaign's current draw."""

    campaign: str
    kind: ClassVar[str] = "winners"

    def value(self) -> Any:
        return self.campaign


@dataclass(frozen=True)
class NotDrawn:
    """The entrants of a campaign's current draw who were not drawn."""

    campaign: str
    kind: ClassVar[str] = "not_drawn"

    def value(self) -> Any:
        return self.campaign


@dataclass(frozen=True)
class NotEligible:
    """The entrants of a campaign who did not meet its condition."""

    campaign: str
    kind: ClassVar[str] = "not_eligible"

    def value(self) -> Any:
        return self.campaign


@dataclass(frozen=True)
class Milestones:
    """Users due a milestone message."""

    kind: ClassVar[str] = "milestones"

    def value(self) -> Any:
        return True


@dataclass(frozen=True)
class UsersFile:
    """The users listed in a CSV/XLSX file (bound by the file's content, not its path)."""

    path: Path
    kind: ClassVar[str] = "users"

    def value(self) -> Any:
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()[:16]
        except OSError:
            return None  # a missing file is reported with the audience


@dataclass(frozen=True)
class Theme:
    """A seminar theme's audience: these primary stuck points, and/or every manager."""

    stuck_points: tuple[str, ...] = ()
    managers: bool = False
    kind: ClassVar[str] = "theme"

    def value(self) -> Any:
        return {"stuck_points": list(self.stuck_points), "managers": self.managers}


@dataclass(frozen=True)
class Listed:
    """An explicit list of user ids (e.g. invited but did not attend).

    Not part of the binding: the list is derived from recorded data (who attended),
    like the snapshot, and resuming sends the frozen plan.
    """

    user_ids: tuple[str, ...]
    kind: ClassVar[str] = "list"

    def value(self) -> Any:
        return None


AudienceKind = (
    Segment
    | Flag
    | Awarded
    | Winners
    | NotDrawn
    | NotEligible
    | Milestones
    | UsersFile
    | Theme
    | Listed
)
CAMPAIGN_KINDS = (Awarded, Winners, NotDrawn, NotEligible)


def campaign_of(who: AudienceKind | None) -> str | None:
    """The campaign an audience is about, if any."""
    return who.campaign if isinstance(who, CAMPAIGN_KINDS) else None
