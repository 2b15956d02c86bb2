"""Generate the sample tenant in data/sample/: a fictional company's KAKEAI exports.

Deterministic (fixed seed). Two monthly exports, as the secretariat would
download them: ``2026-10/`` (everything up to 2026-10-20) and ``2026-11/``
(users and pairs as of 2026-11-20, meetings from 2026-10-01 on, so the two
meeting files overlap and a re-exported 1on1 replaces its older row).

The files are as dirty as real ones: users in CP932 CSV, pairs in UTF-8 CSV
with BOM, meetings in XLSX with Excel date cells and text dates, full-width
digits in some ids, 髙/﨑 in names, 対応 spelling variants, a memo column
(never read), cancelled and scheduled 1on1s, people on leave and retired.

Usage: python scripts/make_sample.py data/sample
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import holidays
from openpyxl import Workbook

SEED = 20261124
AS_OF = dt.date(2026, 11, 20)
CUTOFF = dt.date(2026, 10, 20)
HISTORY_START = dt.date(2025, 11, 1)
COMPANY_HOLIDAYS = [
    (dt.date(2025, 12, 29), dt.date(2026, 1, 3)),
    (dt.date(2026, 8, 10), dt.date(2026, 8, 14)),
    (dt.date(2026, 12, 29), dt.date(2027, 1, 3)),
]
DOMAIN = "sample-seisakusho.example"

SURNAMES = [
    "佐藤",
    "鈴木",
    "髙橋",
    "田中",
    "伊藤",
    "渡邊",
    "山本",
    "中村",
    "小林",
    "加藤",
    "山﨑",
    "吉川",
    "山田",
    "佐々木",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "前田",
    "藤田",
    "小川",
    "岡田",
    "後藤",
    "長谷川",
    "村上",
    "近藤",
    "石井",
    "坂本",
    "遠藤",
    "青木",
    "藤井",
    "西村",
    "福田",
]
GIVEN = [
    "健太",
    "翔",
    "大輔",
    "拓也",
    "直樹",
    "亮",
    "誠",
    "陽介",
    "悠斗",
    "蓮",
    "美咲",
    "陽子",
    "さくら",
    "彩",
    "真由美",
    "恵",
    "結衣",
    "葵",
    "奈々",
    "千尋",
    "浩二",
    "修",
    "聡",
    "智子",
    "由香",
    "麻衣",
    "一郎",
    "花子",
    "優",
    "瞳",
]
DIVISIONS = {
    "営業本部": (["第一営業部", "第二営業部", "営業企画部"], "営業"),
    "開発本部": (["製品開発部", "基盤技術部", "品質保証部"], "エンジニア"),
    "製造本部": (["生産管理部", "第一工場", "調達部"], "製造"),
    "管理本部": (["人事部", "経理部", "総務部"], "事務"),
    "マーケティング本部": (["ブランド戦略部", "デジタル推進部", "広報部"], "企画"),
}
OTHER_JOBS = ["企画", "事務", "デザイナー", "エンジニア", "営業"]
TOPICS = [
    "業務の進捗や進め方",
    "業績目標の進捗",
    "人間関係",
    "心身の状態",
    "今後のキャリア",
    "スキルや力の向上",
    "プライベート",
    "会社や部署の方針",
]
TOPIC_WEIGHTS = [30, 15, 8, 5, 12, 14, 6, 10]
RESPONSES = [
    "話を聞いてほしい",
    "意見を聞きたい",
    "一緒に考えてほしい",
    "具体的なアドバイスがほしい",
    "報告したい",
]
# Spellings as they appear in real exports and material; ingest folds them.
RESPONSE_VARIANTS = {
    "話を聞いてほしい": ["話を聞いて欲しい", "話をきいてほしい", "話を聞いてほしい"],
    "一緒に考えてほしい": ["一緒に考えて欲しい"],
    "具体的なアドバイスがほしい": ["具体的なアドバイスが欲しい", "具体的なアドバイスがほしい"],
}
MEMOS = [
    "来期の目標について相談。",
    "最近の業務負荷の話。",
    "資格取得の計画を共有。",
    "チーム内の役割分担を確認。",
    "（架空のメモ：kops はこの列を読みません）",
]

# Member-side behaviours; each decides the pair with their own manager.
ARCHETYPES = [
    ("not_activated", 7),
    ("no_pair", 6),
    ("no_1on1", 6),
    ("lapsed", 8),
    ("restarted", 3),
    ("lapsing", 3),
    ("no_prep", 10),
    ("no_rating", 8),
    ("streak", 12),
    ("late_streak", 4),
    ("near_streak", 5),
    ("healthy", 28),
]
MANAGER_ARCHETYPES = [
    ("healthy", 55),
    ("streak", 15),
    ("no_prep", 10),
    ("no_rating", 8),
    ("lapsed", 6),
    ("no_1on1", 6),
]


@dataclass
class User:
    user_id: str
    name: str
    division: str
    department: str
    job_type: str
    age_band: str
    title: str
    archetype: str = "healthy"
    employment: str = ""
    created: dt.date = HISTORY_START
    first_login: dt.date | None = None
    logins: list[dt.date] = field(default_factory=list)


@dataclass
class Pair:
    manager: User
    member: User
    invited: dt.date
    accepted: dt.date | None
    recurring: bool


@dataclass
class Meeting:
    meeting_id: str
    pair: Pair
    at: dt.datetime
    status: str  # held / scheduled / cancelled (as of AS_OF)
    topic: str | None
    response: str | None
    prepared_at: dt.datetime | None
    sukkiri: int | None
    growth: int | None
    planned_on: dt.date | None = None  # set for a 1on1 first planned after an export


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    names, weights = zip(*weighted, strict=True)
    return rng.choices(names, weights=weights)[0]


def non_business(day: dt.date, jp: holidays.HolidayBase) -> bool:
    if day.weekday() >= 5 or day in jp:
        return True
    return any(start <= day <= end for start, end in COMPANY_HOLIDAYS)


def build_people(rng: random.Random) -> list[User]:
    people: list[User] = []
    counter = iter(range(101, 10_000))

    def new(division: str, department: str, job: str, age: str, title: str) -> User:
        user_id = f"{next(counter):06d}"
        # These two draws only keep the company's structure as it was; the names come
        # from their own stream (``assign_names``), with Japanese frequencies.
        rng.choice(SURNAMES), rng.choice(GIVEN)
        user = User(user_id, "", division, department, job, age, title)
        people.append(user)
        return user

    for _ in range(3):  # executives: logged in, in no pair
        new("経営企画室", "経営企画室", "企画", rng.choice(["50代", "60代"]), "役員")
    for division, (departments, job) in DIVISIONS.items():
        head = new(division, departments[0], job, "50代", "本部長")
        for department in departments:
            chief = new(division, department, job, rng.choice(["40代", "50代"]), "部長")
            chief.manager = head  # type: ignore[attr-defined]
            for _team in range(2):
                lead = new(division, department, job, rng.choice(["30代", "40代"]), "課長")
                lead.manager = chief  # type: ignore[attr-defined]
                for _ in range(rng.randint(5, 9)):
                    member_job = job if rng.random() < 0.75 else rng.choice(OTHER_JOBS)
                    age = rng.choices(["20代", "30代", "40代", "50代"], [35, 35, 20, 10])[0]
                    member = new(division, department, member_job, age, "メンバー")
                    member.manager = lead  # type: ignore[attr-defined]
    for user in people:
        if user.title == "メンバー":
            user.archetype = pick(rng, ARCHETYPES)
        elif user.title in ("課長", "部長"):
            user.archetype = pick(rng, MANAGER_ARCHETYPES)
        else:
            user.archetype = "healthy"
        user.created = HISTORY_START + dt.timedelta(days=rng.randint(0, 20))
        if user.title == "メンバー" and rng.random() < 0.06:
            user.created = dt.date(2026, rng.randint(4, 9), rng.randint(1, 28))
    members = [u for u in people if u.title == "メンバー" and u.archetype == "healthy"]
    for user, status in zip(
        rng.sample(members, 7),
        ["休職", "産休", "育休", "休職", "退職", "退職", "育休"],
        strict=True,
    ):
        user.employment = status
    return people


def build_pairs(rng: random.Random, people: list[User]) -> list[Pair]:
    pairs = []
    quiet_managers = {
        u.user_id for u in people if u.title in ("課長", "部長", "本部長") and rng.random() < 0.3
    }
    for user in people:
        manager = getattr(user, "manager", None)
        if manager is None:
            continue
        invited = max(user.created, manager.created) + dt.timedelta(days=rng.randint(1, 10))
        if user.archetype in ("not_activated", "no_pair"):
            if rng.random() < 0.25:
                continue  # never invited at all
            accepted = None
        elif user.archetype == "late_streak":
            invited = dt.date(2026, 6, rng.randint(1, 20))
            accepted = invited + dt.timedelta(days=rng.randint(0, 3))
        else:
            accepted = invited + dt.timedelta(days=rng.randint(0, 6))
        recurring = manager.user_id not in quiet_managers and rng.random() < 0.75
        pairs.append(Pair(manager, user, invited, accepted, recurring))
    return pairs


def meeting_days(
    rng: random.Random, pair: Pair, jp: holidays.HolidayBase
) -> list[tuple[dt.date, str]]:
    """(date, status) of every 1on1 the pair has, by the member's archetype."""
    if pair.accepted is None:
        return []
    kind = pair.member.archetype
    end = AS_OF + dt.timedelta(days=20)
    start = pair.accepted + dt.timedelta(days=rng.randint(2, 12))
    if kind == "no_1on1":
        days = [start + dt.timedelta(days=rng.randint(10, 200))]
        out = [(d, "cancelled") for d in days if d <= AS_OF]
        return [*out, (AS_OF + dt.timedelta(days=rng.randint(3, 14)), "scheduled")]
    step = {"streak": 7, "late_streak": 7, "near_streak": 7}.get(kind) or rng.choice(
        [7, 14, 14, 21, 28]
    )
    stop = end
    if kind == "lapsed":
        stop = AS_OF - dt.timedelta(days=rng.randint(40, 200))
    if kind == "lapsing":
        stop = dt.date(2026, 10, rng.randint(5, 18))
    result: list[tuple[dt.date, str]] = []
    week = start - dt.timedelta(days=start.weekday())
    while week <= stop:
        offset = (week - (start - dt.timedelta(days=start.weekday()))).days // 7
        take = offset % (step // 7) == 0
        if kind == "near_streak" and rng.random() < 0.12:
            take = False
        if kind == "restarted" and dt.date(2026, 7, 1) <= week < dt.date(2026, 11, 2):
            take = False
        if take:
            business = [
                week + dt.timedelta(days=i)
                for i in range(5)
                if not non_business(week + dt.timedelta(days=i), jp)
            ]
            if business:
                day = rng.choice(business)
                if start <= day <= stop:
                    if day > AS_OF:
                        result.append((day, "scheduled"))
                    elif rng.random() < 0.05 and kind not in ("streak", "late_streak"):
                        result.append((day, "cancelled"))
                    else:
                        result.append((day, "held"))
        week += dt.timedelta(days=7)
    return result


def build_meetings(
    rng: random.Random, pairs: list[Pair], jp: holidays.HolidayBase
) -> list[Meeting]:
    planned = []
    for pair in pairs:
        for day, status in meeting_days(rng, pair, jp):
            planned.append((day, pair, status))
    planned.sort(key=lambda item: (item[0], item[1].member.user_id))
    meetings = []
    for number, (day, pair, status) in enumerate(planned, start=1):
        at = dt.datetime.combine(
            day, dt.time(rng.choice([9, 10, 11, 13, 14, 15, 16, 17]), rng.choice([0, 0, 30, 15]))
        )
        kind = pair.member.archetype
        prep_rate = 0.15 if kind == "no_prep" else 0.85
        rate_rate = 0.1 if kind == "no_rating" else 0.85
        prepared = rng.random() < prep_rate
        topic = rng.choices(TOPICS, TOPIC_WEIGHTS)[0] if prepared or rng.random() < 0.3 else None
        response = None
        if topic:
            response = rng.choice(RESPONSES)
            response = rng.choice(RESPONSE_VARIANTS.get(response, [response]))
        prepared_at = None
        if topic and prepared:
            prepared_at = at - dt.timedelta(hours=rng.randint(1, 60), minutes=rng.randint(0, 59))
        elif topic and kind == "no_prep":
            prepared_at = at + dt.timedelta(minutes=rng.randint(5, 120))  # chosen afterwards
        sukkiri = growth = None
        if status == "held" and rng.random() < rate_rate:
            sukkiri = rng.choices([1, 2, 3, 4, 5], [2, 5, 20, 40, 33])[0]
            if kind in ("streak", "late_streak"):
                sukkiri = rng.choices([3, 4, 5], [10, 45, 45])[0]
            growth = (
                rng.choices([1, 2, 3, 4, 5], [3, 10, 30, 35, 22])[0] if rng.random() < 0.8 else None
            )
        if status != "held":
            prepared_at = prepared_at if status == "scheduled" else None
        meetings.append(
            Meeting(
                f"M{number:06d}", pair, at, status, topic, response, prepared_at, sukkiri, growth
            )
        )
    return meetings


def assign_logins(
    rng: random.Random, people: list[User], pairs: list[Pair], meetings: list[Meeting]
) -> None:
    last_meeting: dict[str, dt.date] = {}
    for m in meetings:
        if m.status == "held":
            for u in (m.pair.manager, m.pair.member):
                last_meeting[u.user_id] = max(last_meeting.get(u.user_id, m.at.date()), m.at.date())
    accepted: dict[str, dt.date] = {}
    for p in pairs:
        if p.accepted:
            for u in (p.manager, p.member):
                accepted[u.user_id] = min(accepted.get(u.user_id, p.accepted), p.accepted)
    for user in people:
        if user.archetype == "not_activated":
            continue
        first = accepted.get(user.user_id, user.created + dt.timedelta(days=rng.randint(1, 60)))
        user.first_login = min(first, AS_OF)
        logins = {user.first_login}
        day = user.first_login
        quiet_from = last_meeting.get(user.user_id, AS_OF) + dt.timedelta(days=7)
        while day < AS_OF:
            day += dt.timedelta(days=rng.randint(1, 9))
            if day <= min(AS_OF, quiet_from):
                logins.add(day)
        user.logins = sorted(logins)
    # Someone always logs in on the export day: the export's date.
    for user in people[:5]:
        if user.first_login:
            user.logins.append(AS_OF)


def fmt_date(rng: random.Random, value: dt.datetime | dt.date | None, with_time: bool) -> str:
    if value is None:
        return rng.choice(["", "", "", "-"])
    if isinstance(value, dt.datetime):
        choice = rng.random()
        if choice < 0.5:
            return value.strftime("%Y/%m/%d %H:%M").replace(" 0", " ")
        if choice < 0.8:
            return value.strftime("%Y-%m-%dT%H:%M:%S")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.strftime("%Y/%m/%d") if rng.random() < 0.7 else value.isoformat()


def fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def dirty_id(rng: random.Random, user_id: str) -> str:
    roll = rng.random()
    if roll < 0.04:
        return fullwidth(user_id)
    if roll < 0.06:
        return f" {user_id} "
    return user_id


def write_users(path: Path, rng: random.Random, people: list[User], cutoff: dt.date) -> None:
    with path.open("w", encoding="cp932", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(
            [
                "ユーザーID",
                "氏名",
                "メールアドレス",
                "事業部",
                "部署",
                "職種",
                "年代",
                "在籍状況",
                "アカウント作成日",
                "最終ログイン日時",
                "役職",
            ]
        )
        for user in people:
            if user.created > cutoff:
                continue
            logins = [d for d in user.logins if d <= cutoff]
            last = None
            if logins:
                last = dt.datetime.combine(
                    logins[-1], dt.time(rng.randint(8, 19), rng.randint(0, 59))
                )
            local = "u" + user.user_id
            email = f"{local}@{DOMAIN}"
            roll = rng.random()
            if roll < 0.03:
                email = ""
            elif roll < 0.06:
                email = email.upper()
            elif roll < 0.08:
                email = fullwidth(email)
            employment = user.employment
            if employment == "退職" and cutoff < AS_OF:
                employment = ""  # still employed at the earlier export
            writer.writerow(
                [
                    dirty_id(rng, user.user_id),
                    user.name,
                    email,
                    user.division,
                    user.department if rng.random() > 0.01 else "",
                    user.job_type,
                    user.age_band,
                    employment or rng.choice(["在籍", "在籍", ""]),
                    fmt_date(rng, user.created, False),
                    fmt_date(rng, last, True) if last else "",
                    user.title,
                ]
            )


def write_pairs(path: Path, rng: random.Random, pairs: list[Pair], cutoff: dt.date) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["上司ID", "部下ID", "招待日", "承認日", "繰り返し設定"])
        for pair in pairs:
            if pair.invited > cutoff or pair.member.created > cutoff:
                continue
            accepted = pair.accepted if pair.accepted and pair.accepted <= cutoff else None
            recurring = (
                rng.choice(["あり", "○", "TRUE", "1"])
                if pair.recurring
                else rng.choice(["なし", "×", "", "0"])
            )
            writer.writerow(
                [
                    dirty_id(rng, pair.manager.user_id),
                    dirty_id(rng, pair.member.user_id),
                    fmt_date(rng, pair.invited, False),
                    fmt_date(rng, accepted, False),
                    recurring,
                ]
            )


def write_meetings(
    path: Path, rng: random.Random, meetings: list[Meeting], since: dt.date | None, cutoff: dt.date
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "1on1履歴"
    sheet.append(
        [
            "1on1ID",
            "上司ID",
            "部下ID",
            "実施日時",
            "ステータス",
            "トピック",
            "対応",
            "事前準備日時",
            "スッキリ度",
            "成長実感",
            "メモ",
            "所要時間(分)",
        ]
    )
    horizon = cutoff + dt.timedelta(days=21)
    for m in meetings:
        day = m.at.date()
        if since is not None and day < since:
            continue
        if m.planned_on is not None and m.planned_on > cutoff:
            continue  # not planned yet when this export was taken
        if day > horizon:
            continue
        status = m.status
        sukkiri, growth, prepared = m.sukkiri, m.growth, m.prepared_at
        if day > cutoff:
            if status == "cancelled":
                continue
            status, sukkiri, growth = "scheduled", None, None  # not yet happened at that export
            if prepared and prepared.date() > cutoff:
                prepared = None
        label = {"held": "実施済", "scheduled": "予定", "cancelled": "キャンセル"}[status]
        held_cell: object = m.at if rng.random() < 0.8 else fmt_date(rng, m.at, True)
        prep_cell: object = (
            prepared if prepared is None or rng.random() < 0.7 else fmt_date(rng, prepared, True)
        )
        sheet.append(
            [
                m.meeting_id,
                m.pair.manager.user_id,
                dirty_id(rng, m.pair.member.user_id),
                held_cell,
                label,
                m.topic or "",
                m.response or "",
                prep_cell if prep_cell is not None else "",
                ""
                if sukkiri is None
                else (fullwidth(str(sukkiri)) if rng.random() < 0.03 else sukkiri),
                "" if growth is None else growth,
                rng.choice(MEMOS) if m.topic and rng.random() < 0.4 else "",
                rng.choice([15, 30, 30, 45, 60]),
            ]
        )
    for column, width in zip(
        "ABCDEFGHIJKL", [10, 9, 9, 18, 10, 18, 24, 18, 8, 8, 30, 10], strict=True
    ):
        sheet.column_dimensions[column].width = width
    book.save(path)


SURVEY_ANSWERS = [
    "トピックの選び方がまだよくわかりません。何を話せばいいか、例がもっと知りたいです",
    "1on1の「頻度」はどのくらいが良いのでしょうか？ 週1回は多い気がします",
    "上司として、部下の話を聴くコツを知りたい。つい自分が話してしまう",
    "スッキリ度を入れる意味、振り返りへの活かし方",
    "メモはどこまで書けばいいですか？\n共有されるメモと自分用メモの違いも知りたいです",
    'キャリアの話をどう切り出せばよいか、"成長"の話と一緒に聞きたい',
    "特になし",
    "データの見方、グラフの読み方を教えてほしいです",
    "予定が合わないときの工夫（繰り返し設定、時間の短縮など）",
    "他の部署の人が、どんな話をしているのか知りたい",
]
INTERESTS = [
    "ペア招待",
    "事前準備",
    "トピックの選び方",
    "スッキリ度",
    "繰り返し設定",
    "メモの活用",
    "データの見方",
]


# --- names --------------------------------------------------------------------------
# Surnames by their share of Japan's population (per 10,000; 佐藤 about 1.5 %), then a
# long tail of rarer ones, as a company's staff list has: in a company of 254 a common
# surname such as 佐藤 appears a few times and most appear once. 髙橋 and 山﨑 are the
# old forms some people write their names in.
COMMON_SURNAMES = {
    "佐藤": 150,
    "鈴木": 143,
    "高橋": 105,
    "髙橋": 8,
    "田中": 107,
    "伊藤": 86,
    "渡辺": 80,
    "渡邊": 5,
    "山本": 85,
    "中村": 83,
    "小林": 83,
    "加藤": 72,
    "吉田": 66,
    "山田": 64,
    "佐々木": 55,
    "山口": 51,
    "松本": 50,
    "井上": 49,
    "木村": 46,
    "林": 43,
    "斎藤": 43,
    "清水": 42,
    "山崎": 34,
    "山﨑": 4,
    "森": 37,
    "池田": 35,
    "橋本": 35,
    "阿部": 34,
    "石川": 33,
    "山下": 32,
    "中島": 31,
    "石井": 30,
    "小川": 30,
    "前田": 30,
    "岡田": 30,
    "長谷川": 29,
    "藤田": 29,
    "後藤": 29,
    "近藤": 28,
    "村上": 27,
    "遠藤": 25,
    "青木": 25,
    "坂本": 25,
    "福田": 24,
    "太田": 24,
    "西村": 23,
    "藤井": 23,
    "金子": 22,
    "岡本": 22,
    "藤原": 22,
    "中野": 21,
    "三浦": 21,
    "原田": 21,
    "中川": 21,
    "松田": 21,
    "竹内": 20,
    "小野": 20,
    "田村": 20,
    "中山": 19,
    "和田": 19,
    "石田": 19,
    "森田": 19,
    "上田": 19,
    "原": 19,
    "内田": 18,
    "柴田": 18,
    "酒井": 18,
    "宮崎": 17,
    "横山": 17,
    "高木": 17,
    "安藤": 17,
    "宮本": 17,
    "大野": 17,
    "小島": 16,
    "谷口": 16,
    "今井": 16,
    "工藤": 16,
    "吉川": 12,
    "五十嵐": 12,
}
# The rarer surnames: each about 1 in 20,000, together the larger part of the population.
TAIL_FIRST = "石岩大小中上下北南西東川山田村松竹杉森高長古今新若金白黒青星宮寺島浜岡野沢谷坂橋井藤安吉福富平和秋春桜梅柳"
TAIL_SECOND = "田川山野原本村井島沢谷口内木岡崎部瀬浦尾"
TAIL_SHARE = 0.62
MALE = [
    "大輔",
    "拓也",
    "翔",
    "健太",
    "直樹",
    "亮",
    "誠",
    "陽介",
    "悠斗",
    "蓮",
    "浩二",
    "修",
    "聡",
    "一郎",
    "優",
    "和也",
    "達也",
    "剛",
    "隆",
    "健一",
    "大樹",
    "翔太",
    "拓海",
    "湊",
    "陸",
    "悠真",
    "颯太",
    "雄太",
    "勇気",
    "智也",
    "康平",
    "圭",
    "洋平",
    "俊介",
    "大地",
    "慎也",
    "雅人",
    "裕太",
    "哲也",
    "正樹",
    "秀樹",
    "淳",
    "学",
    "賢治",
    "英樹",
    "浩",
]
FEMALE = [
    "美咲",
    "陽子",
    "さくら",
    "彩",
    "真由美",
    "恵",
    "結衣",
    "葵",
    "奈々",
    "千尋",
    "智子",
    "由香",
    "麻衣",
    "花子",
    "瞳",
    "愛",
    "舞",
    "彩花",
    "優子",
    "裕子",
    "直美",
    "明美",
    "久美子",
    "恵子",
    "真理",
    "沙織",
    "香織",
    "綾",
    "遥",
    "美穂",
    "楓",
    "陽菜",
    "凛",
    "結菜",
    "芽衣",
    "莉子",
    "美月",
    "杏",
    "晴香",
    "友美",
    "由美",
    "加奈子",
    "理恵",
    "早紀",
]
# Names the tests look for in survey answers (a colleague named in free text is hidden).
KEPT_NAMES = ["髙橋 悠斗", "森 陽介", "山﨑 奈々"]


def assign_names(people: list[User]) -> None:
    """Every name drawn with Japanese frequencies, each full name once, except one pair of
    namesakes (同姓同名) in different 事業部: a company of this size has one now and then,
    and the sample keeps namesake handling exercised."""
    rng = random.Random(SEED + 3)
    tail = sorted({a + b for a in TAIL_FIRST for b in TAIL_SECOND} - set(COMMON_SURNAMES))
    common_weight = sum(COMMON_SURNAMES.values())
    tail_weight = common_weight * TAIL_SHARE / (1 - TAIL_SHARE) / len(tail)
    surnames = [*COMMON_SURNAMES, *tail]
    weights = [*COMMON_SURNAMES.values(), *[tail_weight] * len(tail)]
    used: set[str] = set(KEPT_NAMES)
    for user in people:
        while True:
            given = rng.choice(MALE if rng.random() < 0.55 else FEMALE)
            name = f"{rng.choices(surnames, weights)[0]} {given}"
            if name not in used:
                break
        used.add(name)
        user.name = name
    members = [u for u in people if u.title == "メンバー" and u.employment == ""]
    for user, name in zip(rng.sample(members, len(KEPT_NAMES)), KEPT_NAMES, strict=True):
        user.name = name
    first = rng.choice(members)
    second = rng.choice([u for u in members if u.division != first.division])
    second.name = first.name


# --- the seminar and what it changes ------------------------------------------------
SEMINAR_DAY = dt.date(2026, 10, 28)
# Month1 teaches the first steps. An attendee takes the step their stuck point asks for
# (the first login, accepting the pair, the first 1on1, rating their 1on1s) within the
# three weeks after the seminar with this extra chance; invitees who did not come move
# only as the rest of the model moves them. A quarter is in line with what a short
# how-to session with a live demo achieves in workplace-training studies (a modest,
# not a dramatic, effect), and it is large enough to show in the sample month.
SEMINAR_LIFT = 0.25
MONTH1_ARCHETYPES = ("no_pair", "no_1on1", "no_rating", "not_activated")


def seminar_attendees(people: list[User]) -> tuple[list[User], random.Random]:
    """Month1's attendees: a third of those it was meant for, and a few who came
    without an invitation (healthy users curious about it); with the stream that then
    writes their files."""
    rng = random.Random(SEED + 1)  # its own stream: the exports stay as they are
    month1 = [u for u in people if u.archetype in MONTH1_ARCHETYPES and u.employment == ""]
    others = [u for u in people if u.archetype in ("healthy", "streak") and u.employment == ""]
    chosen = rng.sample(month1, len(month1) // 3) + rng.sample(others, 4)
    return sorted(chosen, key=lambda u: u.user_id), rng


def apply_seminar(
    attendees: list[User], pairs: list[Pair], meetings: list[Meeting], jp: holidays.HolidayBase
) -> int:
    """The step each attendee who takes it takes after the seminar; returns how many."""
    rng = random.Random(SEED + 2)
    taken = 0
    by_member = {p.member.user_id: p for p in pairs}
    held_by_member: dict[str, list[Meeting]] = {}
    for m in meetings:
        held_by_member.setdefault(m.pair.member.user_id, []).append(m)

    def after(low: int, high: int) -> dt.date:
        day = SEMINAR_DAY + dt.timedelta(days=rng.randint(low, high))
        while non_business(day, jp):
            day += dt.timedelta(days=1)
        return min(day, AS_OF - dt.timedelta(days=2))

    for user in attendees:
        if user.archetype not in MONTH1_ARCHETYPES or rng.random() >= SEMINAR_LIFT:
            continue
        pair = by_member.get(user.user_id)
        if user.archetype == "not_activated":
            user.first_login = after(1, 10)
            user.logins = sorted({user.first_login, *(after(11, 21) for _ in range(3))})
        elif user.archetype == "no_pair":
            if pair is None or pair.accepted is not None:
                continue
            pair.accepted = after(1, 10)
        elif user.archetype == "no_1on1":
            if pair is None or pair.accepted is None:
                continue
            at = dt.datetime.combine(after(3, 18), dt.time(rng.choice([10, 14, 16]), 0))
            meetings.append(
                Meeting(
                    f"M{len(meetings) + 1:06d}",
                    pair,
                    at,
                    "held",
                    rng.choices(TOPICS, TOPIC_WEIGHTS)[0],
                    rng.choice(RESPONSES),
                    at - dt.timedelta(hours=rng.randint(2, 30)),
                    rng.choices([3, 4, 5], [30, 45, 25])[0],
                    rng.choices([3, 4, 5], [40, 40, 20])[0],
                    planned_on=SEMINAR_DAY + dt.timedelta(days=1),
                )
            )
        elif user.archetype == "no_rating":
            later = [
                m
                for m in held_by_member.get(user.user_id, [])
                if m.status == "held" and SEMINAR_DAY < m.at.date() <= AS_OF
            ]
            if not later:
                continue
            for m in later:
                m.sukkiri = m.sukkiri or rng.choices([3, 4, 5], [25, 45, 30])[0]
        taken += 1
    return taken


def write_seminar(target: Path, attendees: list[User], rng: random.Random) -> None:
    """Attendance and survey of the Month1 seminar (2026-10-28), as the meeting tool and
    the survey form export them: attendance in UTF-8 with BOM, the survey in CP932 with
    free text holding commas, quotes and line breaks."""
    folder = target / "seminar"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "month1-attendance.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["ユーザーID", "氏名", "参加時間(分)"])
        for user in attendees:
            writer.writerow(
                [dirty_id(rng, user.user_id), user.name, rng.choice([18, 25, 30, 30, 30])]
            )
    with (folder / "month1-survey.csv").open("w", encoding="cp932", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["ユーザーID", "満足度", "知りたいテーマ", "今、知りたいこと"])
        for user in attendees[: int(len(attendees) * 0.8)]:
            chosen = "; ".join(rng.sample(INTERESTS, rng.randint(1, 3)))
            writer.writerow(
                [
                    user.user_id,
                    rng.choices([2, 3, 4, 5], [1, 3, 5, 4])[0],
                    chosen,
                    rng.choice(SURVEY_ANSWERS),
                ]
            )


def main(target: Path) -> None:
    rng = random.Random(SEED)
    jp = holidays.country_holidays("JP", years=range(2025, 2028))
    people = build_people(rng)
    assign_names(people)
    pairs = build_pairs(rng, people)
    meetings = build_meetings(rng, pairs, jp)
    assign_logins(rng, people, pairs, meetings)
    attendees, seminar_rng = seminar_attendees(people)
    moved = apply_seminar(attendees, pairs, meetings, jp)
    for folder, cutoff, since in (
        ("2026-10", CUTOFF, None),
        ("2026-11", AS_OF, dt.date(2026, 10, 1)),
    ):
        out = target / folder
        out.mkdir(parents=True, exist_ok=True)
        write_users(out / "users.csv", rng, people, cutoff)
        write_pairs(out / "pairs.csv", rng, pairs, cutoff)
        write_meetings(out / "meetings.xlsx", rng, meetings, since, cutoff)
    write_seminar(target, attendees, seminar_rng)
    held = sum(1 for m in meetings if m.status == "held")
    print(
        f"{len(people)} users, {len(pairs)} pairs, {len(meetings)} 1on1s ({held} held), "
        f"{len(attendees)} at the seminar ({moved} took its step) → {target}"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "data/sample"))
