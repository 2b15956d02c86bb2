"""Stuck-point facts worked out once per process: never those of other data, rules or day."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from conftest import Cli
from kakeai_ops.config import Rules
from kakeai_ops.mail import snapshot_facts
from kakeai_ops.mail.audience import NEEDED_COLUMNS
from kakeai_ops.store import latest_snapshot, load_tables
from kakeai_ops.workspace import Workspace
from mailing import SEGMENT


def test_a_plan_reads_the_facts_of_its_own_data_rules_and_day(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)

    def plan(*extra: str) -> Any:
        return json.loads(cli("mail", "plan", *SEGMENT, *extra, "--format", "json").stdout)

    def afresh(*extra: str) -> Any:  # nothing kept: every fact worked out again
        snapshot_facts._FACTS.clear()
        return plan(*extra)

    first = plan()
    assert plan() == first == afresh()
    for other in (["--snapshot", "0001"], ["--as-of", "2026-11-10"]):
        assert plan(*other) != first
        assert plan(*other) == afresh(*other)
    assert plan() == first
    text = sample_copy.config_path.read_text(encoding="utf-8")  # a rule edited by hand:
    changed = text.replace("min_prep_share: 0.5", "min_prep_share: 0.1", 1)
    assert changed != text
    sample_copy.config_path.write_text(changed, encoding="utf-8")
    stricter = plan()
    assert stricter != first and stricter == afresh()


def test_each_caller_gets_facts_of_its_own(sample_copy: Workspace) -> None:
    snapshot = latest_snapshot(sample_copy)
    assert snapshot is not None
    tables = load_tables(snapshot, columns=NEEDED_COLUMNS)
    content = snapshot_facts.tables_content(snapshot, NEEDED_COLUMNS)
    assert content is not None
    day = dt.date(2026, 11, 20)
    facts = snapshot_facts.segment_facts(tables, Rules(), day, content)
    facts["stuck_point"] = "changed by its caller"
    again = snapshot_facts.segment_facts(tables, Rules(), day, content)
    assert "changed by its caller" not in set(again["stuck_point"])
    assert again.equals(snapshot_facts.segment_facts(tables, Rules(), day))  # worked out anew
    without_hashes = {**snapshot.manifest, "checksums": {}}
    old = type(snapshot)(snapshot.id, snapshot.path, without_hashes)
    assert snapshot_facts.tables_content(old, NEEDED_COLUMNS) is None
