"""Division figures on hostile rows against the plain rules."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import division_oracle as oracle
from kakeai_ops.analyses import divisions as dv
from kakeai_ops.analyses.division_groups import Figures
from kakeai_ops.config import DEFAULT_RESPONSES, DEFAULT_TOPICS
from test_segment_facts_hostile import _sparse_tables


@pytest.mark.parametrize("text", ["30d", "month:2026-11"])
@pytest.mark.parametrize("case", list(_sparse_tables()))
def test_division_figures_on_hostile_rows_are_the_plain_ones(text: str, case: str) -> None:
    as_of = dt.date(2026, 11, 20)
    hostile = _sparse_tables()[case]
    period, before = dv.parse_period(text, as_of)
    figures = Figures(hostile, since=min(before.start, dv.last_months(as_of, 6)[-1].start))

    def same(fast: pd.DataFrame, plain: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(fast, plain, check_dtype=False, check_index_type=False)

    for levels in (["division"], ["division", "department"]):
        for p in (period, before):
            same(figures.metrics(p, levels), oracle.metrics(hostile, p, levels))
    for column, vocabulary in (("topic", DEFAULT_TOPICS), ("response", DEFAULT_RESPONSES)):
        same(
            figures.mix(period, ["division"], column, list(vocabulary)),
            oracle.mix(hostile, period, ["division"], column, list(vocabulary)),
        )
    same(
        figures.topic_response(period, ["division"]),
        oracle.topic_response(hostile, period, ["division"]),
    )
    same(figures.monthly(as_of), oracle.monthly(hostile, as_of))
    if case == "hostile":
        held = figures.metrics(period, ["division"]).set_index("division")["held"]
        assert held.loc["A"] > 0 and held.loc["Ａ"] > 0  # the twins stay two divisions
