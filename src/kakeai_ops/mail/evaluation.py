"""A run read back: its status (``kops mail status``) and whether it worked, its ledger
against a later snapshot (``kops mail report``).

The measuring is ``analyses.mail_effect`` (pure); this reads the run from the ledger and
applies privacy suppression to what is shown.
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from ..analyses.mail_effect import NO_HOLDOUT, TOO_SMALL, Difference, difference, run_effect
from ..config import Settings
from ..errors import KopsError
from ..i18n import _
from ..numbers import signed
from ..privacy.effect import protect_effect, shown_difference
from ..store import Tables
from ..store.ledger import Ledger
from ..workspace import Workspace
from .binding import stored_binding
from .plan import stored_run_id
from .snapshot_facts import segment_facts


@dataclass(frozen=True)
class RunEffect:
    stuck_point: str
    shown: pd.DataFrame  # per group, small groups suppressed
    shown_difference: float | None  # None when a group is too small to show
    measured_groups: pd.DataFrame  # per group, unsuppressed: only for the interval

    def interval(self) -> Difference:
        """The difference with its 95% confidence interval, or why not yet."""
        return difference(self.measured_groups)

    @property
    def has_holdout(self) -> bool:
        mailed, held = self.shown.iloc[0], self.shown.iloc[1]
        return bool(held["in_snapshot"] and mailed["in_snapshot"])


# Rows that did not (or may not) reach their recipient, as `kops mail status` lists them.
NOT_SENT = ["temp_failed", "perm_failed", "unknown", "suppressed", "planned"]


@dataclass(frozen=True)
class RunStatus:
    run_id: str  # as the ledger has it
    rows: pd.DataFrame  # the run's ledger; 'sending' shown as 'unknown'
    not_sent: pd.DataFrame
    test_sends: int
    deferred: pd.DataFrame  # held back, with the day the same run id sends them and why
    binding: dict[str, Any] | None = None  # what the run was planned with (binding.py)
    as_of: str | None = None  # the as-of day of the data it was planned on


def run_status(ws: Workspace, run_id: str) -> RunStatus:
    """A run's ledger rows, those not sent, and how many test sends were recorded apart."""
    with closing(Ledger(ws)) as ledger:
        run_id = stored_run_id(ledger, run_id)
        run = ledger.run(run_id)
        if run is None:
            raise KopsError(
                _("no mail run '{run_id}'").format(run_id=run_id),
                hint=_("`kops mail status` lists the runs"),
            )
        rows = ledger.frame(run_id)
        tests = ledger.test_log(run_id)
    # A row left in 'sending' was handed over when kops stopped: its outcome is unknown.
    rows["state"] = rows["state"].where(rows["state"] != "sending", "unknown")
    deferred = rows[rows["state"] == "deferred"].sort_values(["sendable_from", "item"])
    return RunStatus(
        run_id,
        rows,
        rows[rows["state"].isin(NOT_SENT)],
        len(tests),
        deferred,
        stored_binding(run.get("binding")),
        run.get("as_of"),
    )


def measured_run(ws: Workspace, run_id: str) -> tuple[dict[str, Any], pd.DataFrame]:
    """The run and its ledger rows; refused when the run did not target a stuck point."""
    with closing(Ledger(ws)) as ledger:
        run_id = stored_run_id(ledger, run_id)
        run = ledger.run(run_id)
        if run is None:
            raise KopsError(
                _("no mail run '{run_id}'").format(run_id=run_id),
                hint=_("`kops mail status` lists the runs"),
            )
        rows = ledger.frame(run_id)
    if not run["segment_key"]:
        raise KopsError(
            _(
                "run '{run_id}' was not sent to a stuck point (--segment/--flag), "
                "so there is nothing to measure"
            ).format(run_id=run_id)
        )
    return run, rows


def run_effect_in(
    run: dict[str, Any],
    rows: pd.DataFrame,
    tables: Tables,
    settings: Settings,
    when: dt.date,
    content: str | None = None,
) -> RunEffect:
    """The run's effect by a later snapshot's ``tables`` as of ``when``; ``content``: what
    identifies the tables (see snapshot_facts.tables_content)."""
    key = run["segment_key"]
    later = segment_facts(tables, settings.rules, when, content)
    raw = run_effect(rows, key, later)
    shown = protect_effect(raw, settings.privacy.min_group)
    return RunEffect(
        stuck_point=key,
        shown=shown,
        shown_difference=shown_difference(shown),
        measured_groups=raw,
    )


def whole_percent(left: int, n: int) -> str:
    """The true fraction as a whole percent, rounded half up: 8/22 → 「36%」."""
    return f"{int(Fraction(left * 100, n) + Fraction(1, 2))}%"


def share_with_n(row: dict[str, Any]) -> str:
    """A group's share beside its n (「36%（8/22人）」), or its suppression label."""
    share = row["share_left"]
    if isinstance(share, str):
        return share
    n = int(row["in_snapshot"])
    if n == 0:
        return "-（0人）"
    if share is None or share != share:  # not measured yet
        return "-"
    left = int(row["left_stuck_point"])
    return f"{whole_percent(left, n)}（{left}/{n}人）"


def points(value: float) -> str:
    """A difference of shares in percentage points, one decimal, with its sign: 「−9.3pt」,
    「±0.0pt」 for none."""
    return f"{signed(value * 100, 1)}pt"


def difference_lines(effect: RunEffect) -> list[str]:
    """The difference mailed − holdout from the unrounded fractions, with its 95% interval
    and 「有意差なし」 where the interval spans 0; empty when a group is hidden."""
    if effect.shown_difference is None:
        return []
    measured = effect.interval()
    m_n, m_left = measured.mailed_n, measured.mailed_left
    h_n, h_left = measured.holdout_n, measured.holdout_left
    exact = m_left / m_n - h_left / h_n
    lines = [
        _(
            "Difference (mailed − holdout): {difference} (mailed {m_left}/{m_n} − holdout "
            "{h_left}/{h_n})"
        ).format(difference=points(exact), m_left=m_left, m_n=m_n, h_left=h_left, h_n=h_n)
    ]
    if measured.measured and measured.low is not None and measured.high is not None:
        if measured.low <= 0 <= measured.high:
            verdict = _("no significant difference")
        else:
            verdict = _("a significant difference")
        lines.append(
            _("Confidence interval (95 percent): {low} to {high} → {verdict}").format(
                low=points(measured.low), high=points(measured.high), verdict=verdict
            )
        )
    else:
        lines.append(
            _("Confidence interval (95 percent): not yet ({reason})").format(
                reason=reason_words(measured)
            )
        )
    return lines


def reason_words(measured: Difference) -> str:
    """Why the interval can't be given yet, in the user's language."""
    if measured.reason == NO_HOLDOUT:
        return _("no holdout")
    if measured.reason.startswith(TOO_SMALL):
        return _(
            "groups too small (mailed {mailed}, holdout {holdout}; at least {minimum} each)"
        ).format(mailed=measured.mailed_n, holdout=measured.holdout_n, minimum=measured.minimum)
    return measured.reason
