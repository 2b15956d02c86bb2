"""The snapshot `kops review` compares with: the one before by default, a named one only
when it is earlier."""

from __future__ import annotations

import pytest

from kakeai_ops.errors import KopsError
from kakeai_ops.jobs.monthly_review import compared_snapshot
from kakeai_ops.store import resolve_snapshot
from kakeai_ops.workspace import Workspace


def test_the_one_before_by_default_none_for_the_first(sample_ws: Workspace) -> None:
    first, second = resolve_snapshot(sample_ws, "1"), resolve_snapshot(sample_ws, "2")
    found = compared_snapshot(sample_ws, second, None)
    assert found is not None and found.id == first.id == "0001"
    assert compared_snapshot(sample_ws, first, None) is None
    named = compared_snapshot(sample_ws, second, "1")
    assert named is not None and named.id == "0001"


@pytest.mark.parametrize(
    ("current", "compare", "said"),
    [
        ("2", "2", "snapshot 0002 compared with itself"),
        ("1", "2", "snapshot 0001 compared with a later snapshot (0002)"),
    ],
)
def test_itself_or_a_later_one_is_refused(
    sample_ws: Workspace, current: str, compare: str, said: str
) -> None:
    with pytest.raises(KopsError) as refused:
        compared_snapshot(sample_ws, resolve_snapshot(sample_ws, current), compare)
    assert str(refused.value) == said
    assert "kops status" in (refused.value.hint or "")
