"""What every command shares, met with hostile input: a --reason with terminal codes or pages
of text, a date option given a day that does not exist."""

from __future__ import annotations

import pytest

from conftest import SAMPLE, Cli, tree_digest
from kakeai_ops.workspace import Workspace


def test_a_reason_with_terminal_codes_or_pages_of_text_is_refused(sample_copy: Workspace) -> None:
    """--reason goes into the audit log and is shown back on terminals and in sheets: an
    ESC sequence (stored as typed) or a line separator is refused
    by the option's name, as is a reason of pages; nothing is recorded."""
    attendance = str(SAMPLE / "seminar" / "month1-attendance.csv")
    cli = Cli(sample_copy)
    before = tree_digest(sample_copy.root)
    for reason, said in (
        ("\x1b[2J社外で開催", "U+001B"),
        ("社外で\u2028開催", "U+2028"),
        ("社外で開催\u202e", "U+202E"),
        ("長" * 1001, "at most 1,000"),
    ):
        refused = cli(
            "seminar", "attendance", "month2", attendance, "--force", "--reason", reason, ok=False
        )
        assert refused.exit_code != 0
        assert "--reason" in refused.stderr and said in refused.stderr, refused.stderr
        assert "\x1b" not in refused.stderr
    assert tree_digest(sample_copy.root) == before
    excluded = cli("interview", "exclude", "000104", "--reason", "辞退\x1b[31m", ok=False)
    assert "--reason" in excluded.stderr and "U+001B" in excluded.stderr
    assert tree_digest(sample_copy.root) == before


@pytest.mark.parametrize(
    "args",
    [
        ("segment", "--since"),
        ("seminar", "themes", "--since"),
        ("campaign", "milestones", "--mark-delivered", "--before"),
        ("interview", "record", "000104", "000120", "--date"),
    ],
)
def test_every_date_option_reads_dates_one_way(sample_ws: Workspace, args: tuple[str, ...]) -> None:
    """One parser (dates.parse_date) behind every date option: a day that does not exist is
    refused naming the option, before anything is read or written."""
    before = tree_digest(sample_ws.root)
    refused = Cli(sample_ws)(*args, "2026/02/30", ok=False, env={"KOPS_LANG": "en"})
    assert f"{args[-1]}: '2026/02/30' is not a date" in refused.stderr, refused.stderr
    assert tree_digest(sample_ws.root) == before
