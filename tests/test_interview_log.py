"""Interviews and exclusions as the core records them: both people must be known, the
day defaults to today in Japan, a pair is recorded once, each change has its audit entry."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import sample_recount as recount
from conftest import SAMPLE
from kakeai_ops.errors import KopsError
from kakeai_ops.jobs.interview_log import exclude, include, record_interviewed
from kakeai_ops.store import audit_entries, interview_history
from kakeai_ops.workspace import Workspace


def _actions(ws: Workspace) -> list[str]:
    return list(audit_entries(ws, 100)["action"])[::-1]


def test_a_pair_is_recorded_once_on_todays_date_in_japan(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_NOW", "2026-12-02T23:30:00+00:00")  # 12-03 in Japan
    first = record_interviewed(sample_copy, " ０００１１９ ", "000120")
    again = record_interviewed(sample_copy, "000119", "000120", dt.date(2026, 12, 3))
    assert (first.manager, first.member, first.on, first.added) == (
        "000119",
        "000120",
        dt.date(2026, 12, 3),
        True,
    )
    assert not again.added
    assert _actions(sample_copy).count("interview record") == 1
    assert len(interview_history(sample_copy)[0]) == 1


def test_someone_not_in_the_latest_snapshot_is_refused(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "en")
    with pytest.raises(KopsError, match="no user '999999' in the latest snapshot"):
        record_interviewed(sample_copy, "000119", "999999")
    assert "interview record" not in _actions(sample_copy)


def test_exclude_then_include_each_with_its_audit_entry(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "en")
    assert exclude(sample_copy, "０００１２０", "辞退") == "000120"
    assert include(sample_copy, "000120") == "000120"
    with pytest.raises(KopsError, match="000120 is not excluded"):
        include(sample_copy, "000120")
    assert _actions(sample_copy)[-2:] == ["interview exclude", "interview include"]


def test_a_date_years_ahead_or_an_unknown_person_is_refused(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--date 2062-12-03` (for 2026) was recorded for good, and `exclude 00012` (a digit
    short) kept nobody out while the person meant stayed in every shortlist."""
    monkeypatch.setenv("KOPS_LANG", "en")
    monkeypatch.setenv("KOPS_NOW", "2026-12-03T10:00:00+09:00")
    with pytest.raises(KopsError, match="--date: 2062-12-03 is more than 31 days after today"):
        record_interviewed(sample_copy, "000119", "000120", dt.date(2062, 12, 3))
    soon = record_interviewed(sample_copy, "000119", "000120", dt.date(2026, 12, 10))
    assert soon.added  # one scheduled next week may be recorded
    with pytest.raises(KopsError, match="no user '00012' in the latest snapshot"):
        exclude(sample_copy, "00012", "辞退")
    assert "interview exclude" not in _actions(sample_copy)


def test_a_pair_typed_the_wrong_way_round_or_no_pair_is_refused(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """000120 000119 (the pair reversed) and two people who are no pair were recorded as
    上司 and 部下 of each other, both kept out of every later shortlist."""
    monkeypatch.setenv("KOPS_LANG", "en")
    pairs = recount.read(SAMPLE / "2026-11" / "pairs.csv")
    known = set(zip(recount.ids(pairs["上司ID"]), recount.ids(pairs["部下ID"]), strict=True))
    assert ("000119", "000120") in known and ("000120", "000119") not in known
    with pytest.raises(
        KopsError, match=re.escape("no pair 000120 (上司) → 000119 (部下)")
    ) as reversed_:
        record_interviewed(sample_copy, "000120", "000119")
    assert "kops interview record 000119 000120" in str(reversed_.value.hint)
    strangers = ("000101", "000102")
    assert strangers not in known and strangers[::-1] not in known
    with pytest.raises(KopsError, match=re.escape("no pair 000101 (上司) → 000102 (部下)")):
        record_interviewed(sample_copy, *strangers)
    assert "interview record" not in _actions(sample_copy)
    assert len(interview_history(sample_copy)[0]) == 0


def test_a_pair_invited_and_never_accepted_is_refused(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invitation nobody accepted is no pair (ペア未成立): it was recorded, and both people
    kept out of every later shortlist."""
    monkeypatch.setenv("KOPS_LANG", "en")
    pairs = recount.read(SAMPLE / "2026-11" / "pairs.csv")
    open_pairs = pairs[~recount.given(pairs["承認日"])]
    manager, member = (recount.ids(open_pairs[c]).iloc[0] for c in ("上司ID", "部下ID"))
    with pytest.raises(KopsError, match="was invited and never accepted"):
        record_interviewed(sample_copy, manager, member)
    assert len(interview_history(sample_copy)[0]) == 0


def test_a_managers_list_of_members_says_when_it_is_cut(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal named five of a manager's 部下, the rest left out without a sign: read
    as the whole list, the one meant was 「not their 部下」."""
    from kakeai_ops.jobs import interview_log

    monkeypatch.setenv("KOPS_LANG", "en")
    monkeypatch.setattr(interview_log, "LISTED", 5)  # the sample's managers have 9 at most
    pairs = recount.read(SAMPLE / "2026-11" / "pairs.csv")
    formed = pairs[recount.given(pairs["承認日"])]
    counts = recount.ids(formed["上司ID"]).value_counts()
    manager = str(counts.index[0])
    members = sorted(recount.ids(formed["部下ID"])[recount.ids(formed["上司ID"]) == manager])
    stranger = next(u for u in sorted(recount.ids(pairs["部下ID"])) if u not in members)
    with pytest.raises(KopsError) as refused:
        record_interviewed(sample_copy, manager, stranger)
    hint = str(refused.value.hint)
    shown = [m for m in members if m in hint]
    assert len(members) > 5 and shown == members[:5]
    assert hint.endswith(f"and {len(members) - 5} more")
