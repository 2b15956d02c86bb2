"""kops interview shortlist --explain with ids that lost their zeros or came swapped says what was probably meant."""

from __future__ import annotations

from conftest import Cli
from kakeai_ops.workspace import Workspace


def test_explain_says_what_was_probably_meant(sample_copy: Workspace) -> None:
    """--explain 104 105 (zeros lost in a spreadsheet) and the ids swapped said only 'no
    formed pair'; the refusal now names the pair that exists, and ids in the right order
    that only lost their zeros are taken as that pair."""
    import pandas as pd

    from kakeai_ops.store import latest_snapshot, load_tables

    snap = latest_snapshot(sample_copy)
    assert snap is not None
    pairs = load_tables(snap).pairs
    formed = pairs[pairs["accepted_at"].notna()].iloc[0]
    manager, member = str(formed["manager_id"]), str(formed["member_id"])
    assert manager.startswith("0") and isinstance(formed, pd.Series)
    cli = Cli(sample_copy)
    # Zeros lost, the order right: taken as the pair, and said (as `segment --explain 120`).
    short = cli(
        "interview", "shortlist", "--explain", manager.lstrip("0"), member, env={"KOPS_QUIET": "0"}
    )
    assert f"'{manager.lstrip('0')}' is taken as {manager} (its leading zeros added)" in (
        short.stderr
    )
    assert f"({manager}) → " in short.stdout and f"({member})" in short.stdout
    swapped = cli("interview", "shortlist", "--explain", member, manager, ok=False)
    assert f"did you mean {manager} {member}?" in swapped.stderr, swapped.stderr
    assert "give the manager's id first" in swapped.stderr
    # Ids that name no pair either way: the hint is not about the order.
    nobody = cli("interview", "shortlist", "--explain", "999998", "999999", ok=False)
    assert "manager's id first" not in nobody.stderr
    assert "`kops interview shortlist --format csv` lists the candidate pairs" in nobody.stderr
