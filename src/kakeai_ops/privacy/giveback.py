"""Give back the complements the final audit shows unnecessary.

Complements are chosen one at a time while the attacker's programme still finds
something, and the fallback (``audit.settle``) hides whole families at once; a
complement chosen early can become unnecessary once later ones are hidden. So,
once the publication set passes, each complementary count is shown again on
trial, the largest first (the people behind it, then its value), with the
figures computed only from it; the audit is solved again where that changes
anything, for the set and for every report holding the figure; the figure stays
shown when nothing can be worked out, else it is hidden again.

The order is fixed by what the figures are (table, unit, names), never by the
order they were built in, so the same structure gives the same choice month
after month.

Where the set spans a month's family (its quarter and the quarter's other
months, tied by time), each trial solves programmes over all of them: there only
the rows (the overview and 部署 tables, where a complement hides a unit the
meeting wants to discuss) are tried; the topic and 対応 tables keep the
complements chosen for them (the smallest that frees the cell).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from .audit import lone_ratios
from .cells import COUNT_UNITS, PRIMARY, SECONDARY, Cell
from .lp import additive_relations, components, narrowed
from .outcomes import OUTCOMES
from .publication import joint_cells

ROW_TABLES = ("overview", "departments")


def _order(cell: Cell) -> tuple[object, ...]:
    """Largest first; ties by the figure's names, so the choice follows the structure."""
    return (
        -cell.size,
        -float(cell.raw or 0),
        cell.table,
        cell.period,
        cell.division or "",
        cell.department or "",
        cell.metric,
        cell.topic or "",
        cell.response or "",
    )


def _dependents(cells: Sequence[Cell], shown: set[int]) -> list[int]:
    """Complements computed only from figures now shown (a share of a count given
    back): they add nothing the figures do not say, so they go back with them."""
    out: list[int] = []
    changed = True
    while changed:
        changed = False
        for i, cell in enumerate(cells):
            if i in shown or cell.state != SECONDARY or cell.unit in COUNT_UNITS:
                continue
            depends = set(cell.depends)
            if depends & shown and all(not cells[d].hidden or d in shown for d in depends):
                shown.add(i)
                out.append(i)
                changed = True
    return out


def give_back(
    reports: Sequence[list[Cell]],
    companies: int = 1,
    tables: Collection[str] | None = None,
    earlier: int = 0,
) -> int:
    """Show again every complement of the set (of ``tables`` only, when given) that
    nothing needs; returns how many figures (of the joint set) were given back. A
    command builds the same set more than once (the review deck builds the report its
    slides and its record share): the trials are the same, decided once (``outcomes``)."""
    how = ("give back", companies, None if tables is None else tuple(tables), earlier)
    return OUTCOMES.decide(reports, how, lambda: _give_back(reports, companies, tables, earlier))


def _give_back(
    reports: Sequence[list[Cell]], companies: int, tables: Collection[str] | None, earlier: int
) -> int:
    joint, where = joint_cells(reports, companies)
    holders: dict[int, list[tuple[int, int]]] = {}
    # The last ``earlier`` reports were published before (read back from the record):
    # they are in the set's programme, but a figure shown now does not change them.
    for number, positions in enumerate(where[: len(where) - earlier]):
        for index, position in enumerate(positions):
            holders.setdefault(position, []).append((number, index))
    wanted = [
        i
        for i, c in enumerate(joint)
        if c.state == SECONDARY and (tables is None or c.table in tables)
    ]
    counts = sorted(
        (i for i in wanted if joint[i].unit in COUNT_UNITS), key=lambda i: _order(joint[i])
    )
    others = sorted(
        (i for i in wanted if joint[i].unit not in COUNT_UNITS), key=lambda i: _order(joint[i])
    )
    given = 0
    for candidate in [*counts, *others]:
        if joint[candidate].state != SECONDARY or candidate not in holders:
            continue  # given back with its count already, or only in an earlier file
        trial = [candidate]
        if joint[candidate].unit in COUNT_UNITS:
            trial += [i for i in _dependents(joint, {candidate}) if i in holders]
        if any(joint[i].released for i in trial):
            continue
        if _try(joint, reports, holders, trial):
            given += len(trial)
    return given


def _try(
    joint: list[Cell],
    reports: Sequence[list[Cell]],
    holders: Mapping[int, list[tuple[int, int]]],
    trial: list[int],
) -> bool:
    """Show ``trial`` in the set and in every report holding it; keep it when no
    attacker (of the set, or of one report) learns anything, else hide it again."""
    before: list[tuple[Cell, str]] = []
    touched: dict[int, list[int]] = {}
    for position in trial:
        before.append((joint[position], joint[position].state))
        for number, index in holders.get(position, []):
            cell = reports[number][index]
            if cell.state == PRIMARY or cell.released:
                return False  # small in some report: hidden for itself there
            before.append((cell, cell.state))
            touched.setdefault(number, []).append(index)
    for cell, _ in before:
        cell.state = ""
    # One report's programme is small and fails as often as the set's: it goes first.
    safe = all(
        audit_local(reports[number], indexes) for number, indexes in touched.items()
    ) and audit_local(joint, trial)
    if not safe:
        for cell, state in before:
            cell.state = state
    return safe


def audit_local(cells: Sequence[Cell], changed: Sequence[int]) -> bool:
    """The audit of ``cells`` after ``changed`` were shown, where it can differ from
    the last audit that passed: the checks of single figures everywhere (cheap), the
    attacker's programme only for the groups of hidden counts the shown figures
    take part in (every other group's relations are as they were)."""
    for cell in cells:
        if cell.hidden:
            continue
        if cell.unit != "trend" and cell.size < cell.threshold:
            return False
        if any(cells[d].hidden for d in cell.depends):
            return False
    if lone_ratios(cells):
        return False
    shown = set(changed)
    for parent, kids in additive_relations(cells):
        members = (parent, *kids)
        if shown.isdisjoint(members):
            continue
        hidden = [i for i in members if cells[i].hidden]
        if len(hidden) == 1 and cells[hidden[0]].state == PRIMARY:
            return False  # the sum gives it straight back: no programme needed
    tied: set[int] = set()
    for i in changed:
        cell = cells[i]
        tied.update(cell.denominator)
        if cell.numerator is not None:
            tied.add(cell.numerator)
    for component, rows in components(cells):
        near = [row for row in rows if not shown.isdisjoint(row.frees)]
        if tied.isdisjoint(component) and not near:
            continue
        # The cells in a relation with what was shown are the likeliest to be
        # narrowed: solved first, before any witness is looked for, so a failing
        # trial (most are) stops early.
        first = {i for row in near for i in row.coefficients} | tied
        component = sorted(component, key=lambda i: (i not in first, i))
        if narrowed(cells, component, rows, True, suspects=first):
            return False
    return True
