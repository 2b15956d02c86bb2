"""The disclosure rules every published figure follows (docs/privacy.md).

This is the only place that compares a group's size with the minimum: a
report, the deck, ``mail report``, a seminar summary and its themes all ask
here whether a figure may be shown and how a hidden one reads.

- A figure of fewer than ``min_group`` people (``min_group_sensitive`` where a
  sensitive topic such as 心身の状態 is involved) is not shown. It reads
  ``<5`` / ``<10``, never 0 or blank: a group of no one is a small group too
  (a published 0 next to a ``<5`` would tell which groups are empty).
- A figure hidden only so that another cannot be subtracted reads ``(秘匿)``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..config import Settings
from ..config.rule_settings import Privacy

COMPLEMENT = "(秘匿)"


def minimum(privacy: Privacy | Settings, topic: str | None = None) -> int:
    """The smallest group whose figure may be shown (involving ``topic``)."""
    rules = privacy.privacy if isinstance(privacy, Settings) else privacy
    if topic is not None and topic in rules.sensitive_topics:
        return rules.min_group_sensitive
    return rules.min_group


def minimum_of(privacy: Privacy | Settings, topics: Iterable[str | None]) -> int:
    """The minimum of a figure that involves all of ``topics``: the strictest."""
    return max((minimum(privacy, t) for t in topics), default=minimum(privacy))


def is_small(people: int | float | None, threshold: int) -> bool:
    """True when a figure of ``people`` may not be shown (nobody counts as small)."""
    return people is None or people != people or people < threshold


def shows(people: int | float | None, threshold: int) -> bool:
    return not is_small(people, threshold)


def below(threshold: int) -> str:
    """The label of a figure hidden for being small: ``<5``."""
    return f"<{threshold}"


def count_or_label(count: int, threshold: int, people: int | None = None) -> int | str:
    """A count as published: the number, or ``<5`` when the ``people`` behind it
    (the count itself when not given) are too few; zero included."""
    return below(threshold) if is_small(count if people is None else people, threshold) else count


def share_or_none(count: int, total: int, threshold: int) -> float | None:
    """``count / total`` as published next to :func:`count_or_label`: None where the
    count is hidden (a share of a hidden count gives it back) or there is no total."""
    if not total or is_small(count, threshold):
        return None
    return count / total


def is_label(shown: str) -> bool:
    """What a hidden figure shows (``<5``, ``<10``, ``(秘匿)``, ``－``), or nothing."""
    return shown in ("", NO_CHANGE) or shown.startswith(("<", COMPLEMENT[0]))


NO_CHANGE = "－"
