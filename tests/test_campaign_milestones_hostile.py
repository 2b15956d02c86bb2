"""kops campaign milestones --mark-delivered before a day the data does not reach, or before any 1on1."""

from __future__ import annotations

from conftest import Cli, tree_digest
from kakeai_ops.workspace import Workspace


def test_mark_delivered_before_a_day_the_data_does_not_reach_is_refused(
    sample_copy: Workspace,
) -> None:
    """--before 2026-12-01 on data to 2026-11-20 said 'Recorded … reached before
    2026-12-01', but the milestones of 11-21..11-30 were not recorded and would be mailed
    later: refused, naming both days; nothing written."""
    from kakeai_ops.mail.milestone_mail import delivered_milestones

    cli = Cli(sample_copy)
    before = tree_digest(sample_copy.root)
    late = cli("campaign", "milestones", "--mark-delivered", "--before", "2026-12-01", ok=False)
    assert late.exit_code == 1
    assert "--before 2026-12-01 is after the data" in late.stderr
    assert "2026-11-20" in late.stderr
    assert tree_digest(sample_copy.root) == before
    assert delivered_milestones(sample_copy).empty
    # The day after the data's last is what the default means: allowed.
    cli("campaign", "milestones", "--mark-delivered", "--before", "2026-11-21")
    assert not delivered_milestones(sample_copy).empty


def test_mark_delivered_before_any_1on1_says_none_was_reached(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    early = cli("campaign", "milestones", "--mark-delivered", "--before", "1990-01-01", ok=False)
    assert "no milestone was reached before 1990-01-01" in early.stderr
    assert "already recorded" not in early.stderr
