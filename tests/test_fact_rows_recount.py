"""What a mail states about its reader is true for that reader, checked against a recount
from the snapshot with plain pandas (never with kops' own analyses)."""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy
from pathlib import Path

import pandas as pd
import pytest

from calendar_oracle import days_off
from conftest import Cli
from kakeai_ops.workspace import Workspace

CAMPAIGN = "exec-1on1-2026h2"
AS_OF = dt.date(2026, 11, 20)


def _weeks_without_1on1(
    meetings: pd.DataFrame, user_id: str, first: str, last: str
) -> list[dt.date]:
    """Mondays of the weeks (in the month of their Thursday) from month ``first`` to
    ``last`` (YYYY-MM) in which the user held no 1on1 as member (``meetings``: the
    snapshot's table)."""
    mine = meetings[(meetings["member_id"] == user_id) & (meetings["status"] == "held")]
    held_days = {at.date() for at in mine["held_at"] if at.date() <= AS_OF}
    start = dt.date.fromisoformat(first + "-01")
    monday = start - dt.timedelta(days=start.weekday())
    found = []
    while True:
        thursday = monday + dt.timedelta(days=3)
        if f"{thursday:%Y-%m}" > last:
            return found
        if f"{thursday:%Y-%m}" >= first and not any(
            monday + dt.timedelta(days=i) in held_days for i in range(7)
        ):
            found.append(monday)
        monday += dt.timedelta(days=7)


def test_the_award_mail_never_says_every_week_when_a_week_had_no_1on1(
    sample_copy: Workspace,
) -> None:
    """An awardee whose run holds a week with no business day (お盆) and no 1on1 is not
    told they held one every week without fail: the mail names the week left out."""
    cli = Cli(sample_copy)
    cli("campaign", "award", CAMPAIGN)
    plan = cli("mail", "plan", "--awarded", CAMPAIGN, "--format", "json").stdout
    import json

    records = json.loads(plan)
    # The mails as sent (the outbox transport writes each one), one per planned awardee.
    cli("mail", "send", "--awarded", CAMPAIGN, "--yes")
    sent = {
        path.name.split("-")[0]: email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sample_copy.outbox_dir.rglob("*.eml")
    }
    assert sorted(sent) == sorted(r["user_id"] for r in records)
    off = days_off(sample_copy)
    meetings = pd.read_parquet(sample_copy.snapshots_dir / "0002" / "meetings.parquet")
    told_of_gap = 0
    for record in records:
        message = sent[record["user_id"]]
        text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        body = " ".join(text.split())
        # 「2026年7月から9月まで」: the year once within a year.
        found = re.search(r"(\d{4})年(\d{1,2})月から(?:(\d{4})年)?(\d{1,2})月まで", body)
        assert found, body
        first = f"{found[1]}-{int(found[2]):02d}"
        last = f"{found[3] or found[1]}-{int(found[4]):02d}"
        assert found[3] is None or found[3] != found[1], body  # a year said again only when new
        gaps = _weeks_without_1on1(meetings, record["user_id"], first, last)
        # Every week without a 1on1 is a week without a business day (else not eligible).
        assert all(all(m + dt.timedelta(days=i) in off for i in range(5)) for m in gaps)
        assert "欠かさず" not in body
        for monday in gaps:
            sunday = monday + dt.timedelta(days=6)
            assert f"{monday.month}月{monday.day}日〜{sunday.day}日の週" in body, body
            told_of_gap += 1
        if not gaps:
            assert "の週は" not in body
    assert told_of_gap  # the sample has awardees whose run spans お盆


def _plan(cli: Cli, *args: str) -> list[dict]:
    import json

    return json.loads(cli("mail", "plan", *args, "--format", "json").stdout)


def test_the_recurrence_mail_counts_only_pairs_with_people_still_here(
    sample_copy: Workspace,
) -> None:
    """「部下の方とのペア N 件」: N is the formed pairs (承認日 set) where the reader is
    上司 and the member has not left (退職 is left out of everything, rules.md)."""
    cli = Cli(sample_copy)
    snap = sample_copy.snapshots_dir / "0002"
    pairs = pd.read_parquet(snap / "pairs.parquet")
    users = pd.read_parquet(snap / "users.parquet")
    gone = set(users.loc[users["employment"] == "退職", "user_id"])
    formed = pairs[pairs["accepted_at"].notna() & ~pairs["member_id"].isin(gone)]
    records = _plan(cli, "--segment", "no_recurrence")
    assert records
    for record in records:
        mine = formed[formed["manager_id"] == record["user_id"]]
        assert record["facts"]["facts.pairs_as_manager"] == len(mine), record["user_id"]
        assert not mine["recurring"].any()
        text = cli(
            "mail", "preview", "--segment", "no_recurrence", "--user", record["user_id"]
        ).stdout
        body = " ".join(text.split())
        assert f"部下の方とのペア {len(mine)} 件は、いずれも" in body
    # The sample has a manager whose member left: the count would be one too many.
    left_behind = pairs[pairs["accepted_at"].notna() & pairs["member_id"].isin(gone)]
    assert set(left_behind["manager_id"]) & {r["user_id"] for r in records}


def test_a_nudge_says_the_day_its_facts_are_from(sample_copy: Workspace) -> None:
    """A nudge reaches people days after the export: what it says about their 1on1s is
    said as of the data's day (2026年11月20日), not as if it were today."""
    cli = Cli(sample_copy)
    for segment in ("no_prep", "no_rating", "no_recurrence", "lapsed", "no_pair"):
        text = cli("mail", "preview", "--segment", segment).stdout
        assert "2026年11月20日（金）時点の記録では" in " ".join(text.split()), segment


@pytest.mark.usefixtures("japanese")
def test_the_effect_report_shows_each_share_as_the_recount_gives_it(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """`mail report`: each group's share who left the stuck point is printed as its whole
    percent beside its n (「21%（3/14人）」, never 21.0% for 3 of 14), in Japanese."""
    import shutil
    import sqlite3

    from conftest import SAMPLE
    from kakeai_ops.store import list_snapshots

    october = tmp_path / "oct"
    shutil.copytree(sample_copy.root, october)
    shutil.rmtree(list_snapshots(Workspace(october))[-1].path)
    from mailing import configure, use_smtp
    from smtp_server import SmtpServer

    cli = Cli(Workspace(october))
    run = "no_prep-october"
    with SmtpServer() as server:  # delivered: only a delivered run has an effect
        use_smtp(Workspace(october), server)
        cli("mail", "send", "--segment", "no_prep", "--holdout", "50", "--id", run, "--yes",
            "--stale-ok", env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"})  # fmt: skip
    configure(Workspace(october), transport="outbox")
    cli("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    text = cli("mail", "report", run).stdout

    with sqlite3.connect(october / "state" / "kops.db") as db:
        ledger = pd.read_sql_query(
            "SELECT user_id, state FROM mail_ledger WHERE run_id = ?", db, params=(run,)
        )
    later = cli("segment", "--list", "--format", "json").stdout
    import json

    now = {r["user_id"]: r["stuck_point"] for r in json.loads(later)}
    for state, word in (("sent", "送付"), ("holdout", "比較群")):
        ids = [u for u in ledger.loc[ledger["state"] == state, "user_id"] if u in now]
        left = sum(now[u] != "no_prep" for u in ids)
        share = f"{left / len(ids):.0%}（{left}/{len(ids)}人）"
        line = next(line for line in text.splitlines() if word in line and "│" in line)
        cells = [c.strip() for c in line.split("│") if c.strip()]
        assert str(len(ids)) in cells and str(left) in cells and share in cells, (line, share)
    assert "事前準備なし" in text and "no_prep " not in text
    assert "mailed" not in text and "holdout" not in text.lower().replace("--holdout", "")


def _raw_csv(path: Path) -> pd.DataFrame:
    """An export as the secretariat got it: UTF-8 (BOM or not) or CP932, ids as typed."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp932")
    import io
    import unicodedata

    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for column in [c for c in frame.columns if c.endswith("ID")]:
        frame[column] = [unicodedata.normalize("NFKC", v).strip() for v in frame[column]]
    return frame


def _waiting_invitations() -> dict[str, int]:
    """Member id → how many 上司 still here invited them to a pair not yet accepted (and
    not formed by another row), from November's pairs.csv and users.csv as exported."""
    from conftest import SAMPLE

    users = _raw_csv(SAMPLE / "2026-11" / "users.csv")
    here = set(users.loc[users["在籍状況"].str.strip() != "退職", "ユーザーID"])
    pairs = _raw_csv(SAMPLE / "2026-11" / "pairs.csv")
    accepted = ~pairs["承認日"].str.strip().isin(["", "-"])  # the export writes 「-」 too
    formed = set(zip(pairs.loc[accepted, "上司ID"], pairs.loc[accepted, "部下ID"], strict=True))
    waiting: dict[str, set[str]] = {}
    for manager, member in zip(
        pairs.loc[~accepted, "上司ID"], pairs.loc[~accepted, "部下ID"], strict=True
    ):
        if manager in here and member in here and (manager, member) not in formed:
            waiting.setdefault(member, set()).add(manager)
    return {member: len(managers) for member, managers in waiting.items()}


def test_a_pair_mail_says_an_invitation_is_waiting_only_when_one_is(
    sample_copy: Workspace,
) -> None:
    """Most people without a pair in the sample have their 上司's invitation waiting: their
    mail says so and asks them to accept it (the count when more than one 上司 asked);
    the others get the general steps for either role. The not_activated mail's third
    step does the same."""
    import yaml

    cli = Cli(sample_copy)
    config = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    config["service"] = {"login_url": "https://kakeai.example.co.jp/login"}
    sample_copy.config_path.write_text(
        yaml.dump(config, allow_unicode=True, Dumper=yaml.CSafeDumper), "utf-8"
    )
    waiting = _waiting_invitations()
    told = 0
    for segment in ("no_pair", "not_activated"):
        for path in sample_copy.outbox_dir.rglob("*.eml"):
            path.unlink()
        cli("mail", "send", "--segment", segment, "--dry-run", "--stale-ok")
        sent = list(sample_copy.outbox_dir.rglob("*.eml"))
        assert sent
        for path in sent:
            user_id = path.name.split("-")[0]
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            n = waiting.get(user_id, 0)
            if n:
                told += 1
                asked = f"上司の方 {n} 名" if n > 1 else "上司の方"
                assert f"{asked}から" in body and "ペア招待が届いて" in body, (user_id, body)
                assert "届いている場合は" not in body and "届いていなければ" not in body
            else:
                assert "ペア招待が届いて" not in body, (user_id, body)
                assert "届いている場合は" in body or "届いていなければ" in body, (user_id, body)
    assert told >= 10  # 11 of no_pair's 14 and 15 of not_activated's 18 in the sample


def _raw_meetings() -> pd.DataFrame:
    """Every 1on1 of the sample's two exports as exported (November's rows win), ids
    NFKC'd and stripped (the sample has ０００１６２ and padded ids), dates of any form."""
    import unicodedata

    from conftest import SAMPLE

    frames = [
        pd.read_excel(SAMPLE / month / "meetings.xlsx", dtype=str, engine="calamine")
        for month in ("2026-10", "2026-11")
    ]
    meetings = pd.concat(frames).drop_duplicates("1on1ID", keep="last")
    for column in ("上司ID", "部下ID", "ステータス"):
        meetings[column] = [
            unicodedata.normalize("NFKC", v).strip() for v in meetings[column].fillna("")
        ]

    def when(column: str) -> pd.Series:
        text = meetings[column].fillna("").str.replace("T", " ").str.replace("/", "-")
        return pd.to_datetime(text, format="mixed", errors="coerce")

    meetings["held"] = when("実施日時")
    meetings["prepared"] = when("事前準備日時")
    meetings["topic"] = meetings["トピック"].fillna("").str.strip()
    return meetings


def test_the_prep_mail_states_the_count_the_exports_give(sample_copy: Workspace) -> None:
    """「直近の 1on1 3 回のうち、開始前にトピックを選んでいたのは N 回」 for every reader, recounted
    from the sample's meetings.xlsx files themselves: the last 3 held as member by
    2026-11-20, prepared = 事前準備日時 set, not after the 1on1, and a topic chosen."""
    cli = Cli(sample_copy)
    cli("mail", "send", "--segment", "no_prep", "--dry-run", "--stale-ok")
    meetings = _raw_meetings()
    held = meetings[(meetings["ステータス"] == "実施済") & (meetings["held"] < "2026-11-21")]
    sent = list(sample_copy.outbox_dir.rglob("*.eml"))
    assert len(sent) >= 10
    for path in sent:
        user_id = path.name.split("-")[0]
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = " ".join(message.get_body(preferencelist=("plain",)).get_content().split())  # type: ignore[union-attr]
        mine = held[held["部下ID"] == user_id].sort_values(["held", "1on1ID"]).tail(3)
        prepared = (
            mine["prepared"].notna() & (mine["prepared"] <= mine["held"]) & (mine["topic"] != "")
        ).sum()
        assert (
            f"直近の 1on1 {len(mine)} 回のうち、 開始前にトピックを選んでいたのは "
            f"{prepared} 回" in body
        ), (user_id, body[:200])
