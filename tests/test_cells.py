"""``privacy/cells.py``: a published figure and its copies."""

from __future__ import annotations

import dataclasses

import pytest

from kakeai_ops.privacy.cells import CELL_FIELDS, PRIMARY, Cell


def _cell() -> Cell:
    return Cell(
        table="overview",
        period="30d",
        division="営業本部",
        department="第一営業部",
        metric="held",
        unit="meetings",
        raw=7.0,
        size=4,
        threshold=5,
        depends=(1, 2),
        node=("a", 1),
    )


def test_a_changed_copy_is_what_dataclasses_replace_gives() -> None:
    cell = _cell()
    changes = {"state": PRIMARY, "parts": (3, 4), "named": False, "also": ((5, 6),)}
    copy = cell.changed(**changes)
    expected = dataclasses.replace(cell, **changes)
    assert {f: getattr(copy, f) for f in CELL_FIELDS} == {
        f: getattr(expected, f) for f in CELL_FIELDS
    }
    assert copy is not cell and type(copy) is Cell
    # The original is untouched, and the copy is its own object afterwards.
    assert cell.state == "" and cell.parts is None and cell.named
    copy.state = ""
    copy.depends = (9,)
    assert cell.depends == (1, 2)


def test_a_changed_copy_refuses_a_field_cells_do_not_have() -> None:
    with pytest.raises(TypeError, match="statee"):
        _cell().changed(statee=PRIMARY)
