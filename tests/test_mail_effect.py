"""The mail effect's interval, written out, against statsmodels' own (the oracle)."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np

from kakeai_ops.analyses.mail_effect import newcombe_interval, wilson_interval

SIZES = (1, 2, 3, 5, 9, 10, 13, 14, 27, 40, 60)


def test_the_wilson_interval_is_statsmodels_for_every_count_up_to_60() -> None:
    from statsmodels.stats.proportion import proportion_confint

    pairs = [(c, n) for n in range(1, 61) for c in range(n + 1)]
    counts, nobs = np.array(pairs).T
    low, high = proportion_confint(counts, nobs, alpha=0.05, method="wilson")
    ours = np.array([wilson_interval(int(c), int(n)) for c, n in pairs])
    assert np.array_equal(ours[:, 0], low) and np.array_equal(ours[:, 1], high)


def test_the_difference_interval_is_statsmodels_newcombe() -> None:
    from statsmodels.stats.proportion import confint_proportions_2indep

    groups = [(c, n) for n in SIZES for c in range(n + 1)]
    cases = list(itertools.product(groups, groups))
    c1, n1, c2, n2 = np.array([(a, b, c, d) for (a, b), (c, d) in cases]).T
    low, high = confint_proportions_2indep(c1, n1, c2, n2, method="newcomb", compare="diff")
    ours = np.array([newcombe_interval(a, b, c, d) for (a, b), (c, d) in cases])
    # The same operations in the same order: equal to the last bit, or within one rounding.
    assert np.allclose(ours[:, 0], low, rtol=0, atol=1e-15)
    assert np.allclose(ours[:, 1], high, rtol=0, atol=1e-15)
    # As the deck and `kops mail report` print it (points to one decimal): the same text.
    shown = [f"{v * 100:.1f}" for v in ours.ravel()]
    assert shown == [f"{v * 100:.1f}" for v in np.c_[low, high].ravel()]


def test_the_sample_runs_interval() -> None:
    """The demo's October nudge: 3 of 13 mailed and 4 of 14 held back left 事前準備なし:
    −5.5pt, −35.5pt〜+26.5pt, as `kops mail report` printed it when statsmodels computed it."""
    low, high = newcombe_interval(3, 13, 4, 14)
    assert (round(low * 100, 1), round(high * 100, 1)) == (-35.5, 26.5)
    assert round((3 / 13 - 4 / 14) * 100, 1) == -5.5


def test_the_interval_needs_neither_scipy_nor_statsmodels() -> None:
    """`kops mail report` and `kops review` compute it in a process that loads neither (a
    second of start-up, and about 180 MB of installation, for a few lines)."""
    code = (
        "import sys\n"
        "import pandas as pd\n"
        "from kakeai_ops.analyses.mail_effect import difference\n"
        "groups = pd.DataFrame({'group': ['mailed', 'holdout'], 'users': [13, 14],"
        " 'in_snapshot': [13, 14], 'left_stuck_point': [3, 4]})\n"
        "measured = difference(groups)\n"
        "assert measured.measured and round(measured.low * 100, 1) == -35.5, measured\n"
        "print(sorted(m for m in ('scipy', 'statsmodels') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_run_is_a_rehearsal_only_when_nothing_reached_a_mail_server() -> None:
    import pandas as pd

    from kakeai_ops.analyses.mail_effect import is_rehearsal, mailed_state

    def ledger(*states: str) -> pd.DataFrame:
        return pd.DataFrame({"user_id": [f"u{i}" for i in range(len(states))], "state": states})

    cases = {
        ("written", "written", "holdout"): True,
        ("written", "deferred", "holdout"): True,
        ("sent", "written", "holdout"): False,
        # Sent, then returned by a bounce notice: it reached a mail server.
        ("bounced", "written", "holdout"): False,
        ("bounced", "holdout"): False,
        ("deferred", "holdout"): False,  # nothing written yet: nothing rehearsed
    }
    for states, expected in cases.items():
        counted = {s: states.count(s) for s in ("written", "sent", "bounced")}
        assert is_rehearsal(counted["written"], counted["sent"], counted["bounced"]) is expected
        assert (mailed_state(ledger(*states)) == "written") is expected, states


def test_a_person_the_stuck_point_still_applies_to_has_not_left_it() -> None:
    """A manager mailed for no recurring schedule who then stopped rating has スッキリ度未入力
    as primary stuck point, and still no recurring schedule: counted by the primary they had
    「left」 it (the report read 「抜け出した 1、まだ該当 9」 of 9)."""
    import pandas as pd

    from kakeai_ops.analyses.mail_effect import run_effect

    ledger = pd.DataFrame({"user_id": ["m1", "m2", "m3"], "state": ["sent"] * 3})
    later = pd.DataFrame(
        {
            "user_id": ["m1", "m2", "m3"],
            "stuck_point": ["no_rating", "no_recurrence", "healthy"],
            "flags": ["no_rating;no_recurrence", "no_recurrence", "healthy"],
        }
    )
    mailed = run_effect(ledger, "no_recurrence", later).set_index("group").loc["mailed"]
    still = sum("no_recurrence" in f.split(";") for f in later["flags"])  # counted by hand: 2
    assert mailed["still_flagged"] == still == 2
    assert mailed["left_stuck_point"] == mailed["in_snapshot"] - still == 1  # m3 only


def test_a_person_fallen_to_an_earlier_stage_has_not_left_it() -> None:
    """A member mailed for no preparation whose pair was then dissolved is ペア未成立: 事前準備なし
    no longer applies, but she did not move on (`kops segment --compare` lists her as
    前の段階に戻った); counted as 抜け出した, she made the holdout look better."""
    import pandas as pd

    from kakeai_ops.analyses.mail_effect import run_effect

    ledger = pd.DataFrame(
        {"user_id": ["a", "b", "c", "d", "e"], "state": ["sent"] * 3 + ["holdout"] * 2}
    )
    later = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "d", "e"],
            "stuck_point": ["no_rating", "no_pair", "no_prep", "lapsed", "healthy"],
            "flags": ["no_rating", "no_pair", "no_prep;no_rating", "lapsed", "healthy"],
        }
    )
    effect = run_effect(ledger, "no_prep", later).set_index("group")
    # By hand: a moved on, b fell back, c still; d (lapsed comes before) fell back, e moved on.
    counts = ["left_stuck_point", "still_flagged", "slid_back", "in_snapshot"]
    assert effect.loc["mailed", counts].tolist() == [1, 1, 1, 3]
    assert effect.loc["holdout", counts].tolist() == [1, 0, 1, 2]
    assert effect.loc["holdout", "share_left"] == 0.5
