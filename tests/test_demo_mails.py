"""Every mail of the sample month as its recipient reads it, each stated fact recounted from
the sample company's exports in data/ with plain pandas (never kops' reading or analyses).

`kops demo` writes each mail it sends or rehearses to the outbox; the .eml files are read
back as a mail client does. The recount reads the raw exports: users and pairs as Excel
wrote them (CP932 or UTF-8), the 1on1 history of both months (November's rows replace
October's of the same 1on1ID), dates in every form the exports use."""

from __future__ import annotations

import datetime as dt
import email
import functools
import re
import unicodedata
from email import policy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import sample_recount as recount
from calendar_oracle import days_off
from conftest import SAMPLE
from kakeai_ops.workspace import Workspace

WEEKDAYS = dict(
    zip(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "月火水木金土日",
        strict=True,
    )
)
OCTOBER_AS_OF = dt.date(2026, 10, 20)
NOVEMBER_AS_OF = dt.date(2026, 11, 20)


def day_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.strftime('%A')]}）"


def read_csv(path: Path) -> pd.DataFrame:
    return recount.read(path)  # UTF-8 (with or without BOM) or CP932, every cell as text


def an_id(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def moment(value: Any) -> pd.Timestamp | None:
    text = str(value).strip()
    if text in ("", "-", "－", "nan", "NaT", "None"):
        return None
    return pd.Timestamp(text.replace("/", "-").replace("T", " "))


class Exports:
    """The month's people, pairs and 1on1s as the exports give them (read once per month:
    ``exports_of(month)``)."""

    def __init__(self, month: str) -> None:
        users = read_csv(SAMPLE / month / "users.csv")
        self.name = {an_id(u): n for u, n in zip(users["ユーザーID"], users["氏名"], strict=True)}
        self.email = {
            an_id(u): unicodedata.normalize("NFKC", e).strip().lower()
            for u, e in zip(users["ユーザーID"], users["メールアドレス"], strict=True)
        }
        self.retired = {
            an_id(u)
            for u, s in zip(users["ユーザーID"], users["在籍状況"], strict=True)
            if s == "退職"
        }
        self.users_at: dict[str, list[str]] = {}
        for user, address in self.email.items():
            self.users_at.setdefault(address, []).append(user)
        self.pairs = read_csv(SAMPLE / month / "pairs.csv")
        frames = []
        for source in sorted(p for p in SAMPLE.iterdir() if p.name[:4].isdigit()):
            if source.name <= month:
                frames.append(pd.read_excel(source / "meetings.xlsx", dtype=str, engine="calamine"))
        meetings = pd.concat(frames).fillna("")
        meetings["1on1ID"] = meetings["1on1ID"].map(an_id)
        self.meetings = meetings.drop_duplicates("1on1ID", keep="last")

        # Each held 1on1 by its 部下, read once: the tests ask about every recipient.
        self.held: dict[str, list[dict[str, Any]]] = {}
        for row in self.meetings.to_dict("records"):
            at = moment(row["実施日時"])
            if row["ステータス"] != "実施済" or at is None:
                continue
            prepared_at = moment(row["事前準備日時"])
            self.held.setdefault(an_id(row["部下ID"]), []).append(
                {
                    "at": at,
                    "id": row["1on1ID"],
                    "prepared": prepared_at is not None
                    and prepared_at <= at
                    and row["トピック"].strip() not in ("", "-", "－"),
                    "rated": row["スッキリ度"].strip() not in ("", "-", "－"),
                }
            )

    def recent_as_member(self, user_id: str, as_of: dt.date, n: int = 3) -> list[dict[str, Any]]:
        end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
        held = [m for m in self.held.get(user_id, []) if m["at"] < end]
        return sorted(held, key=lambda m: (m["at"], m["id"]), reverse=True)[:n]

    def member_days(self, user_id: str) -> set[dt.date]:
        return {m["at"].date() for m in self.held.get(user_id, [])}

    def pairs_as_manager(self, user_id: str) -> list[dict[str, str]]:
        return [
            row
            for row in self.pairs.to_dict("records")
            if an_id(row["上司ID"]) == user_id
            and moment(row["承認日"]) is not None
            and an_id(row["部下ID"]) not in self.retired
        ]


@functools.cache
def exports_of(month: str) -> Exports:
    return Exports(month)


@functools.cache
def read_mails(folder: Path) -> tuple[tuple[str, str, str, str], ...]:
    """(To address, To name, Subject, plain text) of each .eml in an outbox folder of the
    demo (which the tests only read): each folder read once for the file."""
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        to = message["To"].addresses[0]
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content().replace("\r\n", "\n")
        found.append((to.addr_spec, to.display_name, str(message["Subject"]), text))
    return tuple(found)


def outbox(root: Path, run: str) -> Path:
    (folder,) = [p for p in (root / "outbox").iterdir() if p.name.startswith(run + "-")]
    return folder


@pytest.fixture(scope="module")
def month(demo_run: tuple[Path, Any]) -> Path:
    return demo_run[0]


def user_of(exports: Exports, address: str) -> str:
    (user_id,) = exports.users_at[address]  # one person at each address
    return user_id


# The runs the demo makes in October, on October's exports (the rest are November's).
OCTOBER_RUNS = ("seminar.month1-", "no_prep.member-2026-10-")


def test_every_mail_greets_its_reader_by_name_at_their_address(month: Path) -> None:
    folders = [p for p in (month / "outbox").iterdir() if p.is_dir()]
    assert len(folders) >= 6
    for folder in folders:
        exports = exports_of("2026-10" if folder.name.startswith(OCTOBER_RUNS) else "2026-11")
        for address, name, _, text in read_mails(folder):
            user_id = user_of(exports, address)
            assert name == exports.name[user_id] and text.startswith(f"{name} 様\n"), folder
            assert user_id not in exports.retired


@pytest.mark.parametrize(
    "run, month_name, as_of",
    [
        ("no_prep.member-2026-10", "2026-10", OCTOBER_AS_OF),
        ("no_prep.member-2026-11", "2026-11", NOVEMBER_AS_OF),
    ],
)
def test_the_preparation_mail_counts_what_the_exports_hold(
    month: Path, run: str, month_name: str, as_of: dt.date
) -> None:
    exports = exports_of(month_name)
    mails = read_mails(outbox(month, run))
    assert mails
    for address, _, _, text in mails:
        user_id = user_of(exports, address)
        recent = exports.recent_as_member(user_id, as_of)
        said = re.search(
            r"(.+?)時点の記録では、.*?直近の 1on1 (\d+) 回のうち、\n開始前にトピックを選んでいたのは (\d+) 回",
            text,
        )
        assert said, text
        assert said[1] == day_text(as_of)
        assert (int(said[2]), int(said[3])) == (len(recent), sum(m["prepared"] for m in recent)), (
            user_id
        )
        assert sum(m["prepared"] for m in recent) / len(recent) < 0.5


def test_the_recurrence_mail_counts_the_pairs_the_export_holds(month: Path) -> None:
    exports = exports_of("2026-11")
    mails = read_mails(outbox(month, "no_recurrence.manager-2026-11"))
    assert mails
    for address, _, _, text in mails:
        pairs = exports.pairs_as_manager(user_of(exports, address))
        assert all(p["繰り返し設定"].strip() in ("", "なし", "FALSE", "0", "×") for p in pairs)
        assert (
            f"{day_text(NOVEMBER_AS_OF)}時点の記録では、部下の方とのペア {len(pairs)} 件は、いずれも"
            in text
        )


def test_the_award_mail_names_months_of_weekly_1on1s(month: Path) -> None:
    """「2026年7月から9月まで、毎週 1on1 を続けてこられました」: every week of those months (each in
    the month of its Thursday) has a 1on1 held as 部下, or no business day and is named."""
    exports = exports_of("2026-11")
    off = days_off(Workspace(month))
    mails = read_mails(outbox(month, "campaign.awarded-exec-1on1-2026h2"))
    assert mails
    for address, _, subject, text in mails:
        assert subject == "【KAKEAI事務局】「経営層との1on1権」付与のお知らせ"  # not 「…権」権利
        assert "配信不要" not in text
        run = re.search(
            r"(\d{4})年(\d{1,2})月から(\d{1,2})月まで、毎週、部下として参加した 1on1 を続けてこられました",
            text,
        )
        assert run, text
        year, first, last = int(run[1]), int(run[2]), int(run[3])
        days = exports.member_days(user_of(exports, address))
        monday = dt.date(year, first, 1) - dt.timedelta(days=dt.date(year, first, 1).weekday())
        while True:
            thursday = monday + dt.timedelta(days=3)
            if (thursday.year, thursday.month) > (year, last):
                break
            if (thursday.year, thursday.month) >= (year, first):
                week = [monday + dt.timedelta(days=i) for i in range(7)]
                if not any(d in days for d in week):
                    assert all(d in off for d in week[:5]), (address, monday)
                    sunday = week[-1]
                    assert (
                        f"{monday.year}年{monday.month}月{monday.day}日〜{sunday.day}日の週" in text
                    )
            monday += dt.timedelta(days=7)


def test_the_seminar_mails_state_the_seminar_as_kops_yaml_has_it(month: Path) -> None:
    seminar = yaml.load((month / "kops.yaml").read_text("utf-8"), Loader=yaml.CSafeLoader)[
        "seminars"
    ]["month1"]
    at = pd.Timestamp(seminar["date"])
    weekday = WEEKDAYS[at.strftime("%A")]
    invitations = read_mails(outbox(month, "seminar.month1-month1"))
    assert invitations
    for _, _, subject, text in invitations:
        assert subject == (
            f"【KAKEAI事務局】{at.month}/{at.day}({weekday}) "
            f"{at.hour}:{at.minute:02d}〜 セミナーのご案内「{seminar['title']}」"
        )
        points = text.split("■ テーマ：", 1)[1].split("\n\n", 1)[0].splitlines()
        assert points == [seminar["title"], *(f"・{p}" for p in seminar["points"])]
        when = f"{day_text(at.date())}{at.hour}:{at.minute:02d}〜"
        assert f"■ 日時：{when}（{seminar['minutes']}分）\n" in text
        assert [int(n) for n in re.findall(r"(\d+)\s*分", text)] == [seminar["minutes"]] * 2
        assert f"■ 参加方法：{seminar['url']}\n" in text
    # The recording reaches those invited who did not attend, as the invitation said.
    attended = {
        an_id(u) for u in read_csv(SAMPLE / "seminar" / "month1-attendance.csv")["ユーザーID"]
    }
    exports = exports_of("2026-10")
    invited = {user_of(exports, address) for address, *_ in invitations}
    recordings = read_mails(outbox(month, "seminar.recording-month1"))
    assert {user_of(exports, address) for address, *_ in recordings} <= invited - attended
    for _, _, subject, text in recordings:
        assert subject == (
            f"【KAKEAI事務局】録画公開 {at.month}/{at.day}({weekday})開催のセミナー"
            f"「{seminar['title']}」"
        )
        assert f"■ 録画：{seminar['recording_url']}\n" in text
        assert f"{seminar['minutes']} 分の内容ですので" in text
