"""What a template sees: dates as 「2026年11月20日（金）」, the same whichever way a column is read."""

from __future__ import annotations

import pandas as pd
import pytest

from kakeai_ops.mail import context


@pytest.mark.parametrize("repeat", [1, 60])  # below and above context.FEW
def test_a_date_column_reads_as_text_with_its_weekday_one_by_one_or_taken_apart(
    repeat: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = ["2026-11-20 10:00:00", None, "2024-02-29 23:59:59", "2000-01-01 00:00:00"]
    column = pd.Series(pd.to_datetime(days * repeat))
    expected = ["2026年11月20日（金）", "記録なし", "2024年2月29日（木）", "2000年1月1日（土）"]
    assert context.date_texts(column) == expected * repeat
    for few in (0, 10**6):  # every column taken apart, then every value one by one
        monkeypatch.setattr(context, "FEW", few)
        assert context.date_texts(column) == expected * repeat
