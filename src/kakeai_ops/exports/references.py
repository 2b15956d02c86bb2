"""References between tables: the ids in pairs and meetings must be users."""

from __future__ import annotations

import pandas as pd

from ..columnar.distinct import converted_once
from ..columnar.lookup import is_in
from ..i18n import N_, _
from . import normalise
from .findings import Findings


def check_references(frame: pd.DataFrame, known: pd.Index, label: str, findings: Findings) -> None:
    """Every fresh pairs/meetings row's 上司ID and 部下ID must be a user; rows carried over
    from the previous snapshot are only noted (their users may have left)."""
    for column, header in (("manager_id", "上司ID"), ("member_id", "部下ID")):
        codes, distinct = converted_once(frame[column], lambda value: value)
        values = pd.Series(distinct, dtype=str)
        # Ids already refused as Excel numbers or for control characters are not repeated.
        reported = normalise.excel_scientific(values) | normalise.has_control(values)
        is_user = is_in(values, known)
        unknown_value = (~is_user & (values != "") & ~reported).to_numpy()
        unknown = pd.Series(unknown_value[codes], index=frame.index)
        if not unknown.any():
            continue
        fresh = unknown & (frame["_row"] > 0)
        carried = unknown & (frame["_row"] == 0)
        padded = _zero_padded_matches(values[unknown_value], known)
        for file_name, rows in frame[fresh].groupby("_file", sort=False):
            shown = rows[column].astype(str)
            described = "'" + shown + "'" + shown.map(padded.get).fillna("")
            findings.rows(
                str(file_name),
                pd.Series(True, index=rows.index),
                rows["_row"],
                header,
                N_("is not in users"),
                described,
                kind="reference",
                quote=False,
            )
        if carried.any():
            findings.note(
                _(
                    "{n} {table} row(s) kept from the previous snapshot refer to user ids no "
                    "longer in users ({column}); they stay but match no user"
                ).format(n=int(carried.sum()), table=label, column=column)
            )


def _zero_padded_matches(unknown: pd.Series, known: pd.Index) -> dict[str, str]:
    """For unknown digit-only ids whose zero-padded form is a user (102 → 000102):
    the hint that Excel dropped the zeros."""
    known_ids = pd.Series(known, dtype=str)
    digits = known_ids[known_ids.str.fullmatch(r"\d+")]
    widths = sorted(set(digits.str.len()), reverse=True)
    known_set = set(digits)
    hints = {}
    for value in unknown[unknown.str.fullmatch(r"\d+")]:
        for width in widths:
            padded = value.zfill(width)
            if len(padded) > len(value) and padded in known_set:
                hints[value] = _(
                    "; '{padded}' is: leading zeros lost? "
                    "re-export with the column formatted as text"
                ).format(padded=padded)
                break
    return hints
