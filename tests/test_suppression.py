"""The suppression list by hand, called as the core: a person suppressed once with one
audit entry, taken off again, and refused when not on the list."""

from __future__ import annotations

from pathlib import Path

import pytest

from kakeai_ops.errors import KopsError
from kakeai_ops.mail.suppression import suppress_by_hand, unsuppress
from kakeai_ops.store import audit_entries
from kakeai_ops.workspace import Workspace


def test_suppress_then_unsuppress_each_once_in_the_audit_log(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "en")
    first = suppress_by_hand(sample_copy, "000120", "配信不要の返信")
    again = suppress_by_hand(sample_copy, "000120", "配信不要の返信")
    assert first.added and not again.added and first.also  # the address went on with the id
    unsuppress(sample_copy, "000120")
    with pytest.raises(KopsError, match="000120 is not on the suppression list"):
        unsuppress(sample_copy, "000120")
    log = audit_entries(sample_copy, 100)
    actions = list(log["action"])[::-1]
    assert actions.count("mail suppress") == 1 and actions.count("mail unsuppress") == 1
    suppressed = log[log["action"] == "mail suppress"].iloc[0]
    assert suppressed["count"] == 1 + len(first.also)
    assert suppressed["detail"] == {"reason": "配信不要の返信", "also": list(first.also)}


def test_a_number_two_users_share_is_refused_and_an_unknown_id_kept_as_typed(
    sample_copy: Workspace,
) -> None:
    import pandas as pd

    from kakeai_ops.mail.suppression import suppress

    users = pd.DataFrame({"user_id": ["0127", "000127", "000200"], "email": ["", "", ""]})
    with pytest.raises(KopsError, match="127: 2 users have this number: 000127, 0127") as refused:
        suppress(sample_copy, "127", "本人の希望", users)
    assert "leading zeros" in (refused.value.hint or "")
    assert suppress(sample_copy, "200", "本人の希望", users).key == "000200"
    # Someone not in the exports yet: the id stays as typed.
    assert suppress(sample_copy, "999999", "本人の希望", users).key == "999999"


def test_the_stop_line_says_what_a_reply_stops(sample_copy: Workspace) -> None:
    """The footer's 「配信不要」 line says the reply stops the secretariat's mails, not only
    「このようなご案内」: a person on the list gets none, the award of a prize included."""
    import json

    from conftest import Cli
    from kakeai_ops.workspace import shipped_templates_dir

    shipped = shipped_templates_dir()
    assert shipped is not None
    footer = (shipped / "mail" / "_footer.txt").read_text(encoding="utf-8")
    assert "今後、事務局からのご案内メールが不要な方は、「配信不要」とご返信ください。" in footer
    cli = Cli(sample_copy)
    cli("campaign", "award", "exec-1on1-2026h2")

    def awarded() -> set[str]:
        plan = cli("mail", "plan", "--awarded", "exec-1on1-2026h2", "--format", "json").stdout
        return {record["user_id"] for record in json.loads(plan)}

    before = awarded()
    someone = sorted(before)[0]
    suppress_by_hand(sample_copy, someone, "配信不要の返信")
    assert awarded() == before - {someone}


def test_a_person_without_an_address_is_suppressed_by_id_alone(sample_copy: Workspace) -> None:
    """000124 has no address in the sample: `kops mail suppress 000124` stopped with
    「TypeError: sequence item 0: expected str instance, float found」 after putting a
    blank address on the list, and the audit log held a bare NaN."""
    import json

    import pandas as pd

    from conftest import Cli
    from sample_recount import SAMPLE, given, ids, read

    raw = read(SAMPLE / "2026-11" / "users.csv")
    [email] = raw.loc[ids(raw["ユーザーID"]) == "000124", "メールアドレス"]
    assert not given(pd.Series([email])).iloc[0]  # the sample gives them no address
    cli = Cli(sample_copy)
    cli("mail", "suppress", "000124", "--reason", "配信不要の返信")
    listed = json.loads(cli("mail", "suppressed", "--format", "json").stdout)
    assert [row for row in listed if "000124" in json.dumps(row)] == [
        row for row in listed if row.get("key") == "000124"
    ]
    assert len([row for row in listed if "000124" in json.dumps(row)]) == 1
    log = cli("audit", "--format", "json").stdout
    assert "NaN" not in log and json.loads(log)


def test_ingest_says_a_suppressed_persons_new_or_first_address_stays_suppressed(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """An export that gives a suppressed person an address for the first time said
    「アドレスが … に変わりました（前は （なし））」: a first address is said as added; a
    changed one with the one before."""
    import csv
    import shutil

    from conftest import Cli
    from sample_recount import SAMPLE

    cli = Cli(sample_copy)
    cli("mail", "suppress", "000124", "--reason", "本人の希望")  # no address in the sample
    cli("mail", "suppress", "000120", "--reason", "本人の希望")  # has one
    source = SAMPLE / "2026-11"
    folder = tmp_path / "2026-12"
    folder.mkdir()
    with (source / "users.csv").open(encoding="cp932", newline="") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        if row[0] == "000124":
            row[2] = "first@example.jp"
        if row[0] == "000120":
            was = row[2]
            row[2] = "moved@example.jp"
    with (folder / "users.csv").open("w", encoding="cp932", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    for name in ("pairs.csv", "meetings.xlsx"):
        shutil.copy(source / name, folder / name)
    files = [str(folder / n) for n in ("users.csv", "pairs.csv", "meetings.xlsx")]
    said = cli("ingest", *files, env={"KOPS_NOW": "2026-11-26T10:00:00+09:00"})
    text = " ".join((said.stdout + said.stderr).split())
    assert "user 000124 is on the suppression list (本人の希望) and now has an address," in text
    assert "first@example.jp" in text and "(was )" not in text and "(none)" not in text
    assert f"now has the address moved@example.jp (was {was.lower()})" in text
    listed = cli("mail", "suppressed", "--format", "json").stdout
    assert "first@example.jp" in listed and "moved@example.jp" in listed
