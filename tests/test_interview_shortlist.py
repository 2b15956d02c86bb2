"""The interview shortlist's workflow (jobs/interview_shortlist.py): the picks as the file
lists them, a pair looked up for --explain, and its score part by part, each against a
recount from the candidates' own facts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kakeai_ops.analyses.shortlist import PARTS, SHORTLIST_COLUMNS, Options
from kakeai_ops.config import Interview, load_settings
from kakeai_ops.errors import KopsError
from kakeai_ops.jobs.interview_shortlist import (
    Candidates,
    candidate_pair,
    candidates,
    pick,
    score_parts,
    shortlist_table,
)
from kakeai_ops.store import load_tables, resolve_snapshot
from kakeai_ops.workspace import Workspace

AS_OF = dt.date(2026, 11, 20)


Found = tuple[Candidates, pd.DataFrame]  # the candidates, and the meetings


@pytest.fixture(scope="module")
def found(sample_ws: Workspace) -> Found:
    settings = load_settings(sample_ws.config_path)
    tables = load_tables(resolve_snapshot(sample_ws, None))
    return candidates(sample_ws, settings, tables, AS_OF), tables.meetings


def _rules(ws: Workspace) -> Interview:
    return load_settings(ws.config_path).interview


def test_the_table_ranks_the_picks_with_their_facts(sample_ws: Workspace, found: Found) -> None:
    candidates_, meetings = found
    rules = _rules(sample_ws)
    picked = pick(candidates_, rules, Options(n=5))
    table = shortlist_table(picked.picks, meetings, rules, AS_OF, None)
    assert list(table.columns) == SHORTLIST_COLUMNS
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    for shown, row in zip(table.to_dict("records"), picked.picks.to_dict("records"), strict=True):
        assert (shown["manager_id"], shown["member_id"]) == (row["manager_id"], row["member_id"])
        assert shown["division"] == row["member_division"]
        assert shown["held"] == int(row["held"])
        assert shown["score"] == round(float(row["score"]), 2)
        assert shown["theme_share"] is None  # no theme asked
    empty = shortlist_table(picked.picks.iloc[0:0], meetings, rules, AS_OF, None)
    assert list(empty.columns) == SHORTLIST_COLUMNS and empty.empty


def test_a_division_narrows_the_picks_and_an_unknown_one_is_refused(
    sample_ws: Workspace,
    found: Found,
) -> None:
    candidates_, _meetings = found
    rules = _rules(sample_ws)
    picked = pick(candidates_, rules, Options(n=3, division="営業本部"))
    assert len(picked.picks) and set(picked.picks["member_division"]) == {"営業本部"}
    with pytest.raises(KopsError, match="no 事業部 '営業部隊' among the pairs"):
        pick(candidates_, rules, Options(n=3, division="営業部隊"))


def test_a_pair_is_found_or_the_meant_one_is_suggested(found: Found) -> None:
    candidates_, _meetings = found
    first = candidates_.pairs.iloc[0]
    manager, member = str(first["manager_id"]), str(first["member_id"])
    assert candidate_pair(candidates_, (manager, member)).equals(first)
    with pytest.raises(KopsError, match=f"did you mean {manager} {member}"):
        candidate_pair(candidates_, (member, manager))  # swapped
    # Only the zeros lost, in order: the pair itself (the CLI says it added them).
    assert candidate_pair(candidates_, (manager.lstrip("0"), member.lstrip("0"))).equals(first)
    with pytest.raises(KopsError, match=f"did you mean {manager} {member}"):
        candidate_pair(candidates_, (member.lstrip("0"), manager.lstrip("0")))  # and swapped
    with pytest.raises(KopsError, match=r"no formed pair 999999 → 999998$"):
        candidate_pair(candidates_, ("999999", "999998"))


def test_the_parts_add_up_to_the_weighted_score(sample_ws: Workspace, found: Found) -> None:
    candidates_, _meetings = found
    rules = _rules(sample_ws)
    weights = rules.weights.model_dump()
    row = candidates_.pairs[candidates_.pairs["eligible"]].iloc[0]
    parts = score_parts(row, rules)
    assert parts["part"].tolist() == list(PARTS)
    recount = sum(float(row[f"part_{p}"]) * weights[p] for p in PARTS) / sum(weights.values())
    assert parts["contribution"].sum() == pytest.approx(recount, abs=1e-3)
    held = parts.set_index("part").loc["volume", "facts"]
    assert held == f"{int(row['held'])} held in {rules.lookback_days} days"
