"""Who a run holds out (not mailed) to measure its effect: exactly round(n × share) people,
stratified by role where the audience has more than one, chosen by a stable per-(run, user)
draw, so the same people are held out on every rerun.

A holdout or a mailed group smaller than ``privacy.min_group`` can never be shown by
``kops mail report``; such a send is refused unless the operator says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ..analyses.mail_effect import MIN_GROUP as EFFECT_MINIMUM
from ..errors import KopsError
from ..i18n import N_, _
from ..privacy.rules import is_small, shows
from .audience import Recipient, holdout_share


def half_up(value: Fraction) -> int:
    """round() as people count: 2.5 → 3 (Python's round() would give 2)."""
    return int(value + Fraction(1, 2))


def held_out(recipients: Sequence[Recipient], run_id: str, pct: float) -> set[str]:
    """The items held out: round(n × pct%) in all, each role's share by largest remainder,
    within a role those with the lowest stable draw."""
    if pct <= 0 or not recipients:
        return set()
    share = Fraction(str(pct)) / 100
    total = half_up(len(recipients) * share)
    strata: dict[str, list[Recipient]] = {}
    for recipient in recipients:
        role = str((recipient.context.get("user") or {}).get("role") or "")
        strata.setdefault(role, []).append(recipient)
    exact = {role: len(people) * share for role, people in strata.items()}
    counts = {role: int(value) for role, value in exact.items()}
    # The people left to place go to the roles with the largest remainders (ties by name).
    rest = total - sum(counts.values())
    for role in sorted(exact, key=lambda r: (-(exact[r] - counts[r]), r))[:rest]:
        counts[role] += 1
    chosen: set[str] = set()
    for role, people in strata.items():
        ranked = sorted(people, key=lambda r: (holdout_share(run_id, r.user_id), r.item))
        chosen |= {r.item for r in ranked[: counts[role]]}
    return chosen


def check_measurable(run_id: str, audience: int, held: int, min_group: int, anyway: bool) -> None:
    """Refuse a holdout whose groups ``kops mail report`` could never show."""
    if held == 0 and audience == 0:
        return
    mailed = audience - held
    small = [
        # Each group with its unit: 「比較群 1と送付 0人」 read the 1 as no count of people.
        _("{group} {count} people").format(group=_(name), count=count)
        for name, count in ((N_("holdout"), held), (N_("mailed"), mailed))
        if is_small(count, min_group)
    ]
    if small and not anyway:
        raise KopsError(
            _(
                "run {run_id}: --holdout leaves {groups}, under privacy.min_group "
                "({min_group}): `kops mail report` could never show the effect; nothing was sent"
            ).format(run_id=run_id, groups=_(" and ").join(small), min_group=min_group),
            hint=_(
                "a larger audience or share measures it; --holdout-anyway sends as asked, "
                "or drop --holdout"
            ),
        )


def measurable_share(audience: int, min_group: int) -> int | None:
    """The smallest usual holdout share (percent) whose both groups reach ``min_group``
    and the difference's own minimum (mail_effect.MIN_GROUP: 10 each, for its interval),
    or None when the audience is too small for any. (A share of 20% of 27 holds out 5:
    shown, and never measured: 「まだ測定できません」 for good.)"""
    least = max(min_group, EFFECT_MINIMUM)
    for pct in USUAL_SHARES:
        held = half_up(audience * Fraction(pct, 100))
        if shows(held, least) and shows(audience - held, least):
            return pct
    return None


def short_below(audience: int, min_group: int, share: int) -> tuple[int, int] | None:
    """Why not the usual share below ``share``: (that share, the least each group needs),
    its held-out group being smaller than that (the mailed one, larger there than at
    ``share``, never is); None where ``share`` is the smallest. (The deck called 50% 「the
    least that measures」, where 36% would: it is the least of the usual shares.)"""
    lower = [pct for pct in USUAL_SHARES if pct < share]
    return (lower[-1], max(min_group, EFFECT_MINIMUM)) if lower else None


# The shares a holdout is suggested in: round, so a room reads them at a glance.
USUAL_SHARES = (10, 20, 30, 50)
