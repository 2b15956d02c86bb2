"""The terminal consoles: made per invocation, so each run's width is its own."""

from __future__ import annotations

import pytest

from conftest import SAMPLE, Cli
from kakeai_ops.workspace import Workspace


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_each_invocation_takes_its_own_width(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A terminal that exports COLUMNS=80 must not fix the width of every later run.
    monkeypatch.setenv("COLUMNS", "80")
    cli = Cli(sample_ws)
    narrow = cli("segment", "--list", env={"COLUMNS": "80"})
    wide = cli("segment", "--list", env={"COLUMNS": "200"})
    assert _widest(narrow.stdout) <= 80
    assert _widest(wide.stdout) > 80
    again = cli("segment", "--list", env={"COLUMNS": "80"})
    assert _widest(again.stdout) <= 80


def test_piped_output_is_wide_without_columns(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    result = Cli(sample_ws)("segment", "--list", env={"COLUMNS": ""})
    assert 80 < _widest(result.stdout) <= 160


def test_ids_are_never_cut_and_other_columns_fold() -> None:
    import io

    import pandas as pd
    from rich.console import Console

    from kakeai_ops.cli.console import frame_table, people_table

    long_id = "no_recurrence.manager-2026-11-営業本部"
    frame = pd.DataFrame(
        {
            "run_id": [long_id, "seminar.month1-month1"],
            "segment_key": ["no_recurrence", None],
            "reason": ["対象がスタックポイントではないため効果測定なし" * 2, ""],
            "sent": [9, 65],
        }
    )
    for table in (people_table(frame), frame_table(frame)):
        buffer = io.StringIO()
        Console(file=buffer, width=70).print(table)
        text = buffer.getvalue()
        assert long_id in text  # whole, on one line
        assert "…" not in text  # nothing cut: the long text folds instead
        assert "効果測定なし" in text.replace("│", "").replace(" ", "").replace("\n", "")


def test_a_half_rounds_up_on_screen_as_in_the_workbook() -> None:
    """Excel shows 1/8 in a 0% cell as 13% and 4.25 in a 0.0 cell as 4.3: the terminal
    table of the same figures says the same (Python's format alone rounds half to even)."""
    import io

    import pandas as pd
    from rich.console import Console

    from kakeai_ops.cli.console import people_table

    frame = pd.DataFrame({"share": [0.125, 0.375, 1 / 3], "sukkiri_avg": [4.25, 3.75, 4.0]})
    buffer = io.StringIO()
    Console(file=buffer, width=80).print(people_table(frame))
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in buffer.getvalue().splitlines()]
    rows = [r for r in rows if r]
    assert rows == [["13%", "4.3"], ["38%", "3.8"], ["33%", "4.0"]]


def test_shares_and_scores_on_screen(sample_ws: Workspace) -> None:
    import re

    shown = Cli(sample_ws)("interview", "shortlist", "--n", "3", env={"COLUMNS": "200"}).stdout
    assert not re.search(r"\d\.\d{3,}", shown)  # no 0.9291, no 0.3333
    assert re.search(r"│ 0\.\d\d ", shown)  # scores with two decimals
    assert re.search(r"│ \d\.\d  ", shown)  # averages with one, as the report


def _at_a_terminal(args: list[str]) -> str:
    """What ``kops`` prints in a terminal (a pseudo-terminal), in Japanese: a status line
    is drawn only where a person watches, so a pipe would show nothing of it."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    environment = {**os.environ, "KOPS_LANG": "ja", "COLUMNS": "200"}
    environment.pop("KOPS_QUIET", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "kakeai_ops", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environment,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_at_a_terminal_long_work_says_in_japanese_what_it_does(ws: Workspace) -> None:
    month = SAMPLE / "2026-10"
    files = [str(month / name) for name in ("users.csv", "pairs.csv", "meetings.xlsx")]
    ingesting = _at_a_terminal(["ingest", "-w", str(ws.root), *files])
    # A step shows from the spinner's next frame (a twelfth of a second) for as long as it
    # takes: reading the 1on1 workbook always lasts longer than that.
    assert "meetings.xlsx を読んでいます" in ingesting
    reporting = _at_a_terminal(["report", "divisions", "-w", str(ws.root), "--format", "csv"])
    assert "レポートを作成し、非表示の値が割り出せないか監査しています" in reporting
    for english in ("reading", "ingesting", "writing the snapshot", "Building the reports"):
        assert english not in ingesting + reporting


def test_figures_with_a_hidden_one_stand_at_the_right() -> None:
    """3, <5 and (秘匿) in one column are figures: at the right, as a column of counts is;
    a column of words stays at the left."""
    import pandas as pd

    from kakeai_ops.cli.console import frame_table

    frame = pd.DataFrame(
        {"group": ["出席した人", "出席しなかった人", "全体"], "moved": [3, "<5", "(秘匿)"]},
        dtype=object,
    )
    table = frame_table(frame)
    assert [c.justify for c in table.columns] == ["left", "right"]
    mixed = frame.assign(moved=[3, "<5", "3人"])
    assert [c.justify for c in frame_table(mixed).columns] == ["left", "left"]


def test_a_moment_reads_to_the_minute_whatever_its_type() -> None:
    """A seminar's 日時 came as a Python datetime and showed 「2026-10-28 12:15:00」 in
    `kops seminar list` beside every other table's 「2026-10-21 10:00」."""
    import datetime as dt
    import io

    import pandas as pd
    from rich.console import Console

    from kakeai_ops.cli.console import frame_table, people_table

    frame = pd.DataFrame(
        {"seminar": ["month1", "month2"], "date": [dt.datetime(2026, 10, 28, 12, 15), None]},
        dtype=object,
    )
    for table in (people_table(frame), frame_table(frame)):
        buffer = io.StringIO()
        Console(file=buffer, width=80).print(table)
        text = buffer.getvalue()
        assert "2026-10-28 12:15" in text and "12:15:00" not in text, text
        assert "None" not in text and "NaT" not in text
