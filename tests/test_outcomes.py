"""A step of the audit asked again of cells equal field for field takes what it decided
then (privacy/outcomes.py): the same states, the same answer, without solving again;
anything that differs, a step that raised, or an outcome pushed out is solved anew."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from factories import organisation
from kakeai_ops.jobs import division_report
from kakeai_ops.jobs.division_report import build_publication
from kakeai_ops.privacy.cells import PRIMARY, SECONDARY, Cell
from kakeai_ops.privacy.outcomes import OUTCOMES, Outcomes
from test_giveback import sum_cell as count
from test_publication import ADVISORS, SHAPE, settings


def company() -> list[Cell]:
    return [count(None, 100), count("A", 3), count("B", 30), count("C", 67)]


class Hide:
    """A step that hides A (primary) and B (complement) and says how many it hid."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, cells: list[Cell]) -> Any:
        def step() -> int:
            self.calls += 1
            cells[1].state, cells[1].threshold = PRIMARY, 7
            cells[2].state = SECONDARY
            return 2

        return step


def test_equal_cells_take_the_states_and_answer_decided_before() -> None:
    outcomes, hide = Outcomes(1000), Hide()
    first = company()
    assert outcomes.decide([first], "hide", hide(first)) == 2
    again = company()  # new objects, equal field for field
    assert outcomes.decide([again], "hide", hide(again)) == 2
    assert hide.calls == 1
    assert [(c.state, c.threshold) for c in again] == [(c.state, c.threshold) for c in first]
    assert [c.shown for c in again] == ["100", "<7", "(秘匿)", "67"]


@pytest.mark.parametrize(
    "change", [("raw", 31.0), ("size", 31), ("threshold", 10), ("state", SECONDARY)]
)
def test_a_cell_that_differs_in_any_field_is_decided_anew(change: tuple[str, Any]) -> None:
    outcomes, hide = Outcomes(1000), Hide()
    first = company()
    outcomes.decide([first], "hide", hide(first))
    other = company()
    setattr(other[2], *change)
    outcomes.decide([other], "hide", hide(other))
    assert hide.calls == 2


def test_the_same_cells_asked_another_way_are_decided_anew() -> None:
    outcomes, hide = Outcomes(1000), Hide()
    for how in ("hide", "hide in a set"):
        cells = company()
        outcomes.decide([cells], how, hide(cells))
    assert hide.calls == 2


def test_a_step_that_raised_is_not_remembered() -> None:
    outcomes = Outcomes(1000)
    calls: list[int] = []

    def refuse() -> None:
        calls.append(1)
        raise ValueError("nothing was written")

    for _ in range(2):
        with pytest.raises(ValueError):
            outcomes.decide([company()], "check", refuse)
    assert len(calls) == 2


def test_outcomes_beyond_the_cells_kept_are_forgotten_oldest_first() -> None:
    outcomes, hide = Outcomes(kept_cells=8), Hide()  # two lists of four cells
    lists = [company() for _ in range(3)]
    for number, cells in enumerate(lists):
        cells[0].raw = float(100 + number)  # three different lists
        outcomes.decide([cells], "hide", hide(cells))
    assert hide.calls == 3
    for number in (2, 1, 0):  # the newest two are known; the oldest was pushed out
        cells = company()
        cells[0].raw = float(100 + number)
        outcomes.decide([cells], "hide", hide(cells))
    assert hide.calls == 4


def _states(publication: division_report.Publication) -> list[list[tuple[str, int]]]:
    return [[(c.state, c.threshold) for c in report.cells] for report in publication.family]


def test_a_publication_remembered_is_the_publication_solved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Solved twice from scratch and once from memory, a publication set of advisors
    hides the same cells the same way; from memory nothing is protected again."""
    when = dt.date(2026, 11, 20)
    tables, config = organisation(SHAPE), settings(ADVISORS)
    OUTCOMES.forget()
    solved = build_publication(tables, config, when, "30d")
    OUTCOMES.forget()
    again = build_publication(tables, config, when, "30d")
    assert sum(s != "" for report in _states(solved) for s, _t in report) > 0, "weak test"
    assert _states(again) == _states(solved)

    def refuse(*_args: Any) -> None:
        raise AssertionError("protected again")

    monkeypatch.setattr(division_report, "protect_set", refuse)
    monkeypatch.setattr(division_report, "give_back", refuse)
    remembered = build_publication(tables, config, when, "30d")
    assert _states(remembered) == _states(solved)
    assert [r.given_back for r in remembered.family] == [r.given_back for r in solved.family]
    assert [r.hidden_by_audit for r in remembered.family] == [
        r.hidden_by_audit for r in solved.family
    ]
