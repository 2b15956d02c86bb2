"""kops interview shortlist --explain with ids that lost their zeros or came swapped says what was probably meant."""

from __future__ import annotations

from conftest import Cli
from kakeai_ops.workspace import Workspace


def test_explain_says_what_was_probably_meant(sample_copy: Workspace) -> None:
    """--explain 104 105 (zeros lost in a spreadsheet) and the ids swapped said only 'no
    formed pair'; the refusal now names the pair that exists."""
    import pandas as pd

    from kakeai_ops.store import latest_snapshot, load_tables

    snap = latest_snapshot(sample_copy)
    assert snap is not None
    pairs = load_tables(snap).pairs
    formed = pairs[pairs["accepted_at"].notna()].iloc[0]
    manager, member = str(formed["manager_id"]), str(formed["member_id"])
    assert manager.startswith("0") and isinstance(formed, pd.Series)
    cli = Cli(sample_copy)
    short = cli(
        "interview", "shortlist", "--explain", manager.lstrip("0"), member.lstrip("0"), ok=False
    )
    assert f"did you mean {manager} {member}?" in short.stderr, short.stderr
    swapped = cli("interview", "shortlist", "--explain", member, manager, ok=False)
    assert f"did you mean {manager} {member}?" in swapped.stderr, swapped.stderr
