"""Eligibility counts for a campaign, from hand-made rows."""

from __future__ import annotations

import pandas as pd

from kakeai_ops.analyses.eligibility import eligibility_counts


def test_counts_key_on_employment_status() -> None:
    judged = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "d"],
            "eligible": [True, False, False, False],
            "qualifies_by_calendar": [True, True, False, True],
            "months_judged": [3, 3, 3, 3],
            "note": ["", "", "判定できる月がまだ足りない", "wording that may change"],
        }
    )
    users = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "d"],
            "employment_status": ["active", "leave", "active", "retired"],
        }
    )
    assert eligibility_counts(judged, users) == {
        "eligible": 1,
        "not_eligible": 3,
        "on_leave": 1,
        "qualify_but_on_leave": 2,
        "months_judged": 3,
    }


def test_no_one_judged() -> None:
    judged = pd.DataFrame(
        columns=["user_id", "eligible", "qualifies_by_calendar", "months_judged"]
    ).astype({"eligible": bool, "qualifies_by_calendar": bool})
    users = pd.DataFrame({"user_id": [], "employment_status": []})
    assert eligibility_counts(judged, users)["months_judged"] == 0
