"""The privacy audit: can anything the report publishes give away a hidden cell?

Pure (cells in, findings or more hidden cells out). It plays the attacker who
holds every published figure of one report:

- **Sums.** The company's people and 1on1 counts are the sums of its
  divisions', a division's the sums of its departments', per period, metric,
  topic and 対応. With the visible figures as constants, each hidden count is a
  variable bounded by what its label says (``<10`` → 0…9; ``(秘匿)`` → at least
  the threshold, since it was not small), and linear programming (HiGHS) gives
  the attacker's best interval for every hidden cell.
- **Shares.** A visible share, published to a whole percent, ties its count to
  its table's total within ±0.5 %; those inequalities join the programme.
- **Ratios.** A share, average or rate is hidden with any count it is computed
  from (``depends``); among the children of a visible parent ratio, never
  exactly one is hidden (parent × total minus the others would give it back).

A primary-suppressed count (``<k``) passes when the attacker's interval still
covers 0…k−1, i.e. the publication told them nothing beyond the label. Where
it does not, :func:`protect` hides one more count (``(秘匿)``) and tries
again: a visible count in a relation that binds at the attacker's optimum
(non-zero dual), not one another all-visible sum gives straight back, the
smallest first. The sums form a hierarchy (a count appears as a child once and
as a parent once), so their constraint matrix is a network matrix, totally
unimodular: the LP bounds, rounded inward, are the integer bounds. The share
inequalities break that property, so where they take part both ends of the
label's range (0 and k−1) are also checked in whole numbers (HiGHS MILP).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import KopsError
from ..i18n import _
from .cells import PRIMARY, SECONDARY, Cell
from .lp import (
    Finding,
    Relations,
    additive_relations,
    components,
    narrowed,
    parents,
    remembered,
)
from .outcomes import OUTCOMES

RATIO_UNITS = ("share", "average", "rate")


class PrivacyAuditError(KopsError):
    """A report would publish something from which a hidden figure can be worked out."""


def audit(cells: Sequence[Cell], passed: set[int] | None = None) -> list[Finding]:
    """Every way the published cells give away more than their labels allow (hidden
    counts in ``passed`` are not solved again; those that pass are added to it)."""
    findings = [
        Finding(i, f"shown although {c.size} people < {c.threshold}")
        for i, c in enumerate(cells)
        if not c.hidden and c.unit != "trend" and c.size < c.threshold
    ]
    findings += [
        Finding(i, f"shown although it is computed from hidden cell {d}")
        for i, c in enumerate(cells)
        if not c.hidden
        for d in c.depends
        if cells[d].hidden
    ]
    findings += [
        Finding(lone, "the only hidden child of a shown ratio") for lone in lone_ratios(cells)
    ]
    for component, rows in components(cells):
        findings += narrowed(cells, component, rows, passed=passed)
    return findings


def check(cells: Sequence[Cell]) -> None:
    """Raise unless the audit finds nothing: called before any report is written.
    Cells equal, field for field, to cells that passed pass without solving again
    (the report is checked when it is built and again before it is written)."""
    OUTCOMES.decide([cells], "check", lambda: _check(cells))


def _check(cells: Sequence[Cell]) -> None:
    findings = audit(cells)
    if findings:
        first = findings[0]
        cell = cells[first.cell]
        where = "/".join(p for p in (cell.division, cell.department) if p) or "全社"
        raise PrivacyAuditError(
            f"privacy audit: {len(findings)} cell(s) could be worked out, e.g. {cell.table} "
            f"{where} {cell.metric} {cell.topic or ''} {cell.response or ''} "
            f"({first.reason}); nothing was written",
            hint=_("this is a bug in kops' suppression; please report it with the command line"),
        )


def protect_report(cells: list[Cell]) -> tuple[int, int]:
    """One report's cells protected (``protect``), then settled (``settle``: never a
    refusal) and checked; how many each of the first two hid. Decided once for cells
    equal field for field (``outcomes``)."""

    def step() -> tuple[int, int]:
        audited = protect(cells)
        fallback = settle(cells)
        check(cells)
        return audited, fallback

    return OUTCOMES.decide([cells], "report", step)


def protect(cells: list[Cell]) -> int:
    """Hide more cells until the audit passes; returns how many it hid."""
    before = sum(c.hidden for c in cells)
    _propagate(cells)
    settled: set[frozenset[int]] = set()
    # Hiding more only ever widens what an attacker can conclude (a constant
    # becomes a variable whose range includes it, a share constraint goes), so a
    # cell that passed once keeps passing: it is not solved again.
    passed: set[int] = set()
    # A cell narrowed in one round usually still is in the next (one complement
    # rarely frees it): solved first, before witnesses are looked for.
    suspects: set[int] = set()
    while True:
        failing: list[tuple[list[Finding], list[int]]] = []
        for component, rows in components(cells):
            if frozenset(component) in settled:
                continue
            found = narrowed(cells, component, rows, True, passed, suspects)
            suspects.update(finding.cell for finding in found)
            if found:
                failing.append((found, component))
            else:
                settled.add(frozenset(component))
        if not failing:
            break
        relations = additive_relations(cells)
        choices = set()
        for found, component in failing:
            # One complement per group and round: the programme is solved again
            # before the next, so no more is hidden than needed.
            for finding in found:
                choice = _cheapest(cells, finding.frees, relations)
                if choice is None:
                    choice = _cheapest_complement(cells, [finding.cell], relations)
                if choice is None:
                    choice = _cheapest_complement(cells, component, relations)
                if choice is not None:
                    choices.add(choice)
                    break
        if not choices:
            break  # nothing left to hide: check() will refuse the report
        for choice in choices:
            cells[choice].state = SECONDARY
        _propagate(cells)
    while choices := _ratio_complements(cells):
        for choice in choices:
            cells[choice].state = SECONDARY
        _propagate(cells)
    return sum(c.hidden for c in cells) - before


def _propagate(cells: list[Cell]) -> None:
    """A figure computed from a hidden one is hidden too, with its label."""
    changed = True
    while changed:
        changed = False
        for cell in cells:
            if not cell.depends or cell.state != "":  # ``hidden``, inline: a hot loop
                continue
            hidden = [cells[d] for d in cell.depends if cells[d].state != ""]
            if hidden:
                primary = [d for d in hidden if d.state == PRIMARY]
                if primary:
                    cell.state = PRIMARY
                    cell.threshold = max(d.threshold for d in primary)
                else:
                    cell.state = SECONDARY
                changed = True


def lone_ratios(cells: Sequence[Cell]) -> list[int]:
    return [hidden for hidden, _family in _lone_families(cells)]


def _lone_families(cells: Sequence[Cell]) -> list[tuple[int, list[int]]]:
    """Ratios hidden alone under a shown parent ratio: (the hidden one, parent + siblings)."""
    lone = []
    for parent, kids in remembered("ratios", cells, _ratio_parents).items():
        if cells[parent].hidden:
            continue
        hidden = [k for k in kids if cells[k].hidden]
        if len(hidden) == 1:
            lone.append((hidden[0], [parent, *kids]))
    return lone


def _ratio_parents(cells: Sequence[Cell]) -> dict[int, list[int]]:
    return parents(cells, RATIO_UNITS)


def _ratio_complements(cells: Sequence[Cell]) -> set[int]:
    """For each lone hidden ratio, the sibling with the fewest people (or, when it
    has none, the parent: an only child equals its parent)."""
    choices = set()
    for _lone, (parent, *kids) in _lone_families(cells):
        visible = [k for k in kids if not cells[k].hidden and not cells[k].released]
        choices.add(min(visible, key=lambda k: (cells[k].size, k)) if visible else parent)
    return choices


def _cheapest(cells: Sequence[Cell], frees: Sequence[int], relations: Relations) -> int | None:
    """Of the visible counts that would loosen what pins a cell, the one that
    costs least: not given straight back by another all-visible sum, then the
    smallest."""
    # A figure already published (released) is known: hiding it frees nothing.
    visible = [i for i in frees if not cells[i].hidden and not cells[i].released]
    if not visible:
        return None
    pinned = _pinned(cells, relations)
    return min(visible, key=lambda i: (i in pinned, float(cells[i].raw or 0), i))


def _pinned(cells: Sequence[Cell], relations: Relations) -> set[int]:
    """Visible counts that some sum with every other member visible gives away anyway
    (a 事業部 whose 部署 are all shown): hiding them alone frees nothing."""
    pinned: set[int] = set()
    for parent, kids in relations:
        hidden = [i for i in (parent, *kids) if cells[i].hidden]
        if not hidden:
            pinned.update((parent, *kids))
    return pinned


def _cheapest_complement(
    cells: Sequence[Cell], tied: list[int], relations: Relations
) -> int | None:
    """When no relation binds visibly: a visible count in a sum or share with the
    ``tied`` hidden cells; siblings before parents and children."""
    wanted = set(tied)
    pinned = _pinned(cells, relations)
    candidates: list[tuple[bool, int, float, int]] = []
    for parent, kids in relations:
        if wanted.isdisjoint((parent, *kids)):
            continue
        for other in (parent, *kids):
            if other not in wanted and not cells[other].hidden and not cells[other].released:
                rank = 0 if other in kids and not wanted.isdisjoint(kids) else 1
                candidates.append((other in pinned, rank, float(cells[other].raw or 0), other))
    for cell in cells:
        if not wanted.isdisjoint(cell.denominator):
            for other in cell.denominator:
                if other not in wanted and not cells[other].hidden and not cells[other].released:
                    candidates.append((other in pinned, 0, float(cells[other].raw or 0), other))
    return min(candidates)[3] if candidates else None


SETTLE_ROUNDS = 50


def settle(cells: list[Cell]) -> int:
    """The fallback when complements chosen one by one leave something to work out:
    every visible figure tied to a finding (its sums, its share's counts, what it is
    computed from) is hidden as well, until the audit finds nothing. Coarse, never a
    refusal: every organisation gets a report. Returns how many it hid."""
    before = sum(c.hidden for c in cells)
    # Hiding more only widens what an attacker can conclude: a count that passed once
    # is not solved again.
    passed: set[int] = set()
    for _round in range(SETTLE_ROUNDS):
        findings = audit(cells, passed)
        if not findings:
            break
        hidden = sum(c.hidden for c in cells)
        relations = additive_relations(cells)
        for finding in findings:
            cell = cells[finding.cell]
            if not cell.hidden and not cell.released:
                cell.state = SECONDARY
            tied = {finding.cell, *finding.frees}
            for parent, kids in relations:
                if finding.cell in (parent, *kids):
                    tied.update((parent, *kids))
            for other in cells:
                if finding.cell in other.denominator or other.numerator == finding.cell:
                    tied.update(other.denominator)
            for index in tied:
                if not cells[index].hidden and not cells[index].released:
                    cells[index].state = SECONDARY
        _propagate(cells)
        if sum(c.hidden for c in cells) == hidden:
            break  # nothing left to hide (figures published earlier): check() refuses
    return sum(c.hidden for c in cells) - before
