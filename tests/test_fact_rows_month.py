"""Every mail is true for the person who reads it: the whole sample month, every shipped
template, every recipient kops plans, each stated fact against a recount.

The recount below reads the snapshot's Parquet files with plain pandas and loops, and
kops.yaml with PyYAML; it calls none of kops' analyses. The mails come from the same
path `kops mail plan` takes (audience → rendered plan → fact records), and each is
read twice: its fact record, and the rendered subject and body, whose sentences that
state a fact are parsed back and compared with the recount.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from kakeai_ops.cli.run_console import TerminalOperator
from kakeai_ops.cli.shared import Session
from kakeai_ops.mail import runs
from kakeai_ops.mail.audience import AudienceSpec
from kakeai_ops.mail.audience_kinds import Flag, Milestones
from kakeai_ops.mail.plan import make_plan
from kakeai_ops.mail.records import fact_records
from kakeai_ops.workspace import Workspace, shipped_templates_dir

AS_OF = dt.date(2026, 11, 20)
PREVIOUS = dt.date(2026, 10, 20)  # the October snapshot: milestones crossed after it
SHIPPED = shipped_templates_dir()
assert SHIPPED is not None


# --- the recount: plain pandas over the snapshot files ------------------------------------


@dataclass
class Person:
    user_id: str
    name: str
    email: str
    status: str
    logged_in: bool
    held: dict[str, list[tuple[pd.Timestamp, str, bool, bool]]] = field(
        default_factory=lambda: {"manager": [], "member": []}
    )  # (held_at, meeting id, prepared, rated)
    pairs: dict[str, int] = field(default_factory=lambda: {"manager": 0, "member": 0})
    recurring: int = 0
    booked: list[pd.Timestamp] = field(default_factory=list)

    def count(self, role: str, day: dt.date) -> int:
        end = pd.Timestamp(day) + pd.Timedelta(days=1)
        return sum(1 for at, *_ in self.held[role] if at < end)

    def last_held(self) -> pd.Timestamp | None:
        times = [at for role in self.held for at, *_ in self.held[role]]
        return max(times) if times else None

    def recent_as_member(self, n: int = 3) -> list[tuple[pd.Timestamp, str, bool, bool]]:
        return sorted(self.held["member"], key=lambda m: (m[0], m[1]), reverse=True)[:n]

    def flags(self) -> set[str]:
        found = set()
        formed = self.pairs["manager"] + self.pairs["member"]
        total = self.count("manager", AS_OF) + self.count("member", AS_OF)
        if not self.logged_in:
            found.add("not_activated")
        if formed == 0:
            found.add("no_pair")
        if formed and total == 0:
            found.add("no_1on1")
        window = pd.Timestamp(AS_OF - dt.timedelta(days=29))
        if total and not any(at >= window for r in self.held for at, *_ in self.held[r]):
            found.add("lapsed")
        recent = self.recent_as_member()
        if self.pairs["member"] and recent:
            if sum(p for *_, p, _ in recent) / len(recent) < 0.5:
                found.add("no_prep")
            if sum(r for *_, r in recent) / len(recent) < 0.5:
                found.add("no_rating")
        if self.pairs["manager"] and self.recurring == 0:
            found.add("no_recurrence")
        return found


def recount(snapshot: Path) -> dict[str, Person]:
    users = pd.read_parquet(snapshot / "users.parquet")
    pairs = pd.read_parquet(snapshot / "pairs.parquet")
    meetings = pd.read_parquet(snapshot / "meetings.parquet")
    people: dict[str, Person] = {}
    for u in users.to_dict("records"):
        people[str(u["user_id"])] = Person(
            user_id=str(u["user_id"]),
            name=str(u["name"]),
            email="" if pd.isna(u["email"]) else str(u["email"]),
            status=str(u["employment_status"]),
            logged_in=not pd.isna(u["last_login_at"]),
        )
    for p in pairs.to_dict("records"):
        if pd.isna(p["accepted_at"]):
            continue
        # A pair with someone who has left (退職) is no pair any more.
        ids = (str(p["manager_id"]), str(p["member_id"]))
        if any(i in people and people[i].status == "retired" for i in ids):
            continue
        for role in ("manager", "member"):
            if str(p[f"{role}_id"]) in people:
                people[str(p[f"{role}_id"])].pairs[role] += 1
        if p["recurring"] and str(p["manager_id"]) in people:
            people[str(p["manager_id"])].recurring += 1
    end = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    for m in meetings.to_dict("records"):
        at = m["held_at"]
        if pd.isna(at):
            continue
        if str(m["status"]) == "scheduled" and pd.Timestamp(AS_OF) <= at:
            for role in ("manager", "member"):
                if str(m[f"{role}_id"]) in people:
                    people[str(m[f"{role}_id"])].booked.append(at)
        if str(m["status"]) != "held" or at >= end:
            continue
        prepared = (
            not pd.isna(m["prepared_at"]) and m["prepared_at"] <= at and not pd.isna(m["topic"])
        )
        rated = not pd.isna(m["sukkiri"])
        for role in ("manager", "member"):
            if str(m[f"{role}_id"]) in people:
                people[str(m[f"{role}_id"])].held[role].append(
                    (at, str(m["meeting_id"]), prepared, rated)
                )
    return people


# The weekday as a Japanese calendar prints it, from the English name (not kops' table).
WEEKDAYS = dict(
    zip(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "月火水木金土日",
        strict=True,
    )
)


def day_text(at: pd.Timestamp | dt.date) -> str:
    """「2026年11月20日（金）」: every day a mail states carries its weekday."""
    return f"{at.year}年{at.month}月{at.day}日（{WEEKDAYS[at.strftime('%A')]}）"


# --- the mails, as `kops mail plan` makes them ---------------------------------------------


@dataclass
class Mail:
    user_id: str
    template: str
    subject: str
    text: str
    record: dict[str, Any]


def plan(ws: Workspace, spec: AudienceSpec) -> list[Mail]:
    source = Session(ws)
    operator = TerminalOperator(source.settings)
    audience, _, _ = runs.audience_for(source, operator, spec, None, None)
    templates = runs.templates(ws)
    made = make_plan(audience, templates, source.settings, audience.default_run_id)
    records = fact_records(made, audience, templates)
    return [
        Mail(m.user_id, m.template, m.subject, m.text, r)
        for m, r in zip(made.messages, records, strict=True)
    ]


STUCK = ("not_activated", "no_pair", "no_1on1", "lapsed", "no_prep", "no_rating", "no_recurrence")

# Every shipped template and the audiences that reach it.
AUDIENCES: list[AudienceSpec] = [
    *(AudienceSpec(Flag(key)) for key in STUCK),
    AudienceSpec(Milestones()),
    *(
        AudienceSpec(Flag("no_prep"), template=f"seminar.month{n}", seminar=f"month{n}")
        for n in (1, 2, 3, 4)
    ),
    AudienceSpec(Flag("no_rating"), template="seminar.recording", seminar="month1"),
]


def sample_month(root: Path, sample_ws: Workspace) -> Workspace:
    """The sample month, with the seminars of the series scheduled after the as-of date
    (so the mails' seminar references are exercised) and KAKEAI's address set."""
    import shutil

    shutil.copytree(sample_ws.root, root)
    ws = Workspace(root)
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    # Month1 a length of its own, Month2 another, Month3 none (its mails state none), Month4
    # no date yet.
    for n, day, minutes in (
        (1, "2026-12-02T17:30:00", 30),
        (2, "2026-12-09T12:15:00", 45),
        (3, "2027-01-13T12:15:00", None),
    ):
        data["seminars"][f"month{n}"]["date"] = day
        data["seminars"][f"month{n}"]["url"] = f"https://meet.example.invalid/m{n}"
        data["seminars"][f"month{n}"]["minutes"] = minutes
    data["seminars"]["month1"]["recording_url"] = "https://video.example.invalid/m1"
    data["service"] = {
        "login_url": "https://kakeai.example.invalid/login",
        "help_url": "https://portal.example.invalid/kakeai",
    }
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    return ws


@dataclass
class Month:
    ws: Workspace
    people: dict[str, Person]
    config: dict[str, Any]
    mails: list[Mail]
    audiences: list[AudienceSpec]


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory, sample_ws: Workspace) -> Month:
    """The month and its planned mails, made once for the file (the tests only read them)."""
    ws = sample_month(tmp_path_factory.mktemp("facts") / "ws", sample_ws)
    config = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    mails = [mail for spec in AUDIENCES for mail in plan(ws, spec)]
    return Month(ws, recount(ws.snapshots_dir / "0002"), config, mails, AUDIENCES)


# --- the checks -----------------------------------------------------------------------------


MAIL_ROLE = {"no_prep": "member", "no_rating": "member", "no_recurrence": "manager"}


def test_every_shipped_template_is_checked(sample_ws: Workspace, month: Month) -> None:
    """Each shipped template is rendered for someone in the sample month, or the recount
    shows that nobody in it can receive that mail."""
    shipped = {p.stem for p in (SHIPPED / "mail").glob("*.txt") if not p.name.startswith("_")}
    # Reached through other commands and checked in their tests: the campaign outcome
    # mails (test_campaign_audience), the advisor report (test_advisors) and a
    # seminar's correction.
    elsewhere = {t for t in shipped if t.startswith(("campaign.", "report."))}
    elsewhere.add(
        "seminar.correction"
    )  # sent by `seminar invite --correction` (test_seminar_invite)
    # What the sample month's runs render.
    rendered = {m.template for m in month.mails}
    people = recount(sample_ws.snapshots_dir / "0002")
    steps = sorted(
        yaml.load(sample_ws.config_path.read_text("utf-8"), Loader=yaml.CSafeLoader)["milestones"]
    )
    for template in sorted(shipped - elsewhere - rendered):
        key, _, role = template.partition(".")
        if template == "milestone.both":  # checked on hand-made data in test_milestone_mail
            both = [
                p
                for p in people.values()
                if p.status == "active"
                and p.email
                and all(
                    any(p.count(r, PREVIOUS) < s <= p.count(r, AS_OF) for s in steps)
                    for r in ("manager", "member")
                )
            ]
            assert both == [], f"{both[0].user_id} crossed in both roles and got no mail"
            continue
        assert key in STUCK, f"{template} was rendered for nobody"
        receivers = [
            p
            for p in people.values()
            if p.status == "active"
            and p.email
            and key in p.flags()
            and not (key in ("lapsed", "no_1on1") and p.booked)
            and role == MAIL_ROLE.get(key, "manager" if p.pairs["manager"] else "member")
        ]
        assert receivers == [], (
            f"{template}: nobody was mailed, but {receivers[0].user_id} qualifies"
        )


def contradictions(mail: Mail, person: Person, config: dict[str, Any]) -> list[str]:
    """What this mail states about its reader that the recount contradicts."""
    wrong: list[str] = []
    text, facts = mail.text, mail.record["facts"]

    def check(ok: bool, what: str) -> None:
        if not ok:
            wrong.append(f"{mail.user_id} {mail.template}: {what}")

    check(text.startswith(f"{person.name} 様\n"), "greeting")
    check(mail.record["email"] == person.email and person.email, "address")
    check(person.status == "active", f"mailed while {person.status}")
    key = mail.template.split(".")[0]
    flags = person.flags()
    if key in STUCK:
        check(key in flags, f"stuck point {key} not among {sorted(flags)}")
    if key in ("lapsed", "no_1on1"):
        check(not person.booked, f"a 1on1 is booked on {person.booked}")
    if key == "lapsed":
        last = person.last_held()
        assert last is not None
        check(f"最後の 1on1 の実施は {day_text(last)}で" in text, f"last held {day_text(last)}")
        check(facts["facts.last_held_date"] == day_text(last), "last_held_date fact")
    if key in ("no_prep", "no_rating"):
        recent = person.recent_as_member()
        index = 2 if key == "no_prep" else 3
        actual = sum(m[index] for m in recent)
        one = re.search(
            r"1on1（1 回）で「スッキリ度」が(入力されていました|入力されていませんでした)", text
        )
        if key == "no_rating" and one is not None:  # a single 1on1, said as one
            check(len(recent) == 1, "recent count")
            check((one.group(1) == "入力されていました") == bool(actual), f"{key} count {actual}")
        else:
            found = re.search(r"直近の 1on1 (\d+) 回のうち", text)
            check(found is not None and int(found.group(1)) == len(recent), "recent count")
            said = re.search(r"(?:選んでいたのは|入力は) (\d+) 回", text)
            check(said is not None and int(said.group(1)) == actual, f"{key} count {actual}")
        as_member = "部下として参加された" in text
        check(as_member == (person.pairs["manager"] > 0), "says which role it counts")
    if key == "no_recurrence":
        found = re.search(r"部下の方とのペア (\d+) 件は、いずれも", text)
        check(found is not None and int(found.group(1)) == person.pairs["manager"], "pairs")
    if key == "milestone":
        wrong += milestone_contradictions(mail, person, config)
    wrong += seminar_contradictions(mail, config)
    for stated in re.findall(r"\d{4}年\d{1,2}月\d{1,2}日(?:（.）)?", text):
        known = {day_text(at) for at in [person.last_held()] if at is not None}
        known.add(day_text(AS_OF))  # 「2026年11月20日時点の記録では」: the data's day
        known |= {seminar_day(s) for s in config["seminars"].values() if s.get("date")}
        check(stated in known, f"the date {stated} is no fact of this reader")
    return wrong


ROLE_WORDS = {"manager": "上司として実施された", "member": "部下として参加された"}


def milestone_contradictions(mail: Mail, person: Person, config: dict[str, Any]) -> list[str]:
    wrong = []
    steps = sorted(config["milestones"])
    # 「■ 部下として参加された 1on1 が、2026年11月20日（金）時点で 52 回になりました」
    found = re.findall(
        r"■ (上司として実施された|部下として参加された) 1on1 が、(.+?)時点で (\d+) 回", mail.text
    )
    stated = [(words, number) for words, _, number in found]
    as_of = day_text(AS_OF)
    if any(day != as_of for _, day, _ in found):
        wrong.append(f"{mail.user_id} {mail.template}: counted as of {found}, not {as_of}")
    roles = {role for role, words in ROLE_WORDS.items() for w, _ in stated if w == words}
    if mail.template == "milestone.both":
        expected_roles = {"manager", "member"}
    else:
        expected_roles = {mail.template.split(".")[1]}
    if roles != expected_roles:
        wrong.append(f"{mail.user_id} {mail.template}: roles {roles}")
    for words, number in stated:
        role = next(r for r, w in ROLE_WORDS.items() if w == words)
        now, before = person.count(role, AS_OF), person.count(role, PREVIOUS)
        crossed = [s for s in steps if before < s <= now]
        passed = re.search(
            rf"{words} 1on1 が、.+?時点で {number} 回になりました（(\d+) 回の節目を越えました）",
            mail.text,
        )
        milestone = int(passed.group(1)) if passed else int(number)
        if int(number) != now:
            wrong.append(f"{mail.user_id}: says {number} as {role}, recount {now}")
        if not crossed or milestone != max(crossed):
            wrong.append(f"{mail.user_id}: milestone {milestone} as {role}, crossed {crossed}")
        if mail.record["facts"].get(f"milestones.{role}.count") != now:
            wrong.append(f"{mail.user_id}: fact record count as {role}")
    in_subject = [int(n) for n in re.findall(r"(\d+) 回", mail.subject)]
    for number in in_subject:
        if number not in {
            max(s for s in steps if s <= person.count(r, AS_OF)) for r in expected_roles
        }:
            wrong.append(f"{mail.user_id}: subject says {number}")
    return wrong


def seminar_day(seminar: dict[str, Any]) -> str:
    day = pd.Timestamp(seminar["date"])
    return day_text(day)


def seminar_when(seminar: dict[str, Any]) -> tuple[str, str]:
    """(in the body, in the subject): 「2026年12月2日（水）17:30〜」, 「12/2(水) 17:30〜」."""
    at = pd.Timestamp(seminar["date"])
    weekday = WEEKDAYS[at.strftime("%A")]
    clock = f"{at.hour}:{at.minute:02d}〜"
    return f"{day_text(at)}{clock}", f"{at.month}/{at.day}({weekday}) {clock}"


def lengths(text: str) -> list[int]:
    """Every length in minutes the text states (「45 分」「（45分）」「、45分」)."""
    return [int(n) for n in re.findall(r"(\d+)\s*分", text)]


def invitation_contradictions(mail: Mail, config: dict[str, Any]) -> list[str]:
    """An invitation or recording mail states its seminar as kops.yaml has it: title, day
    with its weekday, time, place, what it covers, and a length only when one is set."""
    wrong = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            wrong.append(f"{mail.user_id} {mail.template}: {what}")

    seminar_id = "month1" if mail.template == "seminar.recording" else mail.template[8:]
    seminar = config["seminars"][seminar_id]
    text, subject = mail.text, mail.subject
    check(f"「{seminar['title']}」" in subject, "title in the subject")
    minutes = seminar.get("minutes")
    check(lengths(text) == ([minutes] * len(lengths(text)) if minutes else []), "length")
    if mail.template == "seminar.recording":
        check(f"■ 録画：{seminar['recording_url']}\n" in text, "recording address")
        check(not minutes or f"{minutes} 分の内容" in text, "length of the recording")
        return wrong
    check(f"■ テーマ：{seminar['title']}\n" in text, "title")
    listed = text.split("■ テーマ：", 1)[1].split("■ 日時：", 1)[0].splitlines()[1:]
    check([line[1:] for line in listed if line] == seminar["points"], f"points {listed}")
    if seminar.get("date"):
        body, short = seminar_when(seminar)
        check(f"■ 日時：{body}" in text, f"day and time {body}")
        check(short in subject, f"day in the subject {short}")
        check(f"■ 参加方法：{seminar['url']}\n" in text, "place")
    else:
        check("■ 日時：決まり次第ご案内します" in text and "/" not in subject, "no day yet")
    if minutes:
        check(re.search(rf"■ 日時：.+〜（{minutes}分）\n", text) is not None, "length by the time")
    return wrong


def seminar_contradictions(mail: Mail, config: dict[str, Any]) -> list[str]:
    """A seminar is named by its title and date, and only when it is scheduled ahead."""
    wrong = []
    if "Month" in mail.text or "Month" in mail.subject:
        wrong.append(f"{mail.user_id} {mail.template}: names a programme label (Month…)")
    if mail.template.startswith("seminar."):
        return wrong + invitation_contradictions(mail, config)
    for title, when in re.findall(r"セミナー「(.+?)」\s*（(.+?〜(?:、\d+分)?)）", mail.text):
        ahead = [
            s
            for s in config["seminars"].values()
            if s.get("title") == title
            and s.get("date")
            and pd.Timestamp(s["date"]).date() >= AS_OF
            and when == seminar_when(s)[0] + (f"、{s['minutes']}分" if s.get("minutes") else "")
        ]
        if not ahead:
            wrong.append(f"{mail.user_id} {mail.template}: seminar 「{title}」（{when}）")
    return wrong


def test_no_mail_contradicts_the_recount(month: Month) -> None:
    assert len(month.mails) > 5
    wrong = [
        w
        for mail in month.mails
        for w in contradictions(mail, month.people[mail.user_id], month.config)
    ]
    assert wrong == [], f"{len(wrong)} contradiction(s):\n" + "\n".join(wrong[:40])


def test_milestone_mails_reach_each_person_once_with_their_role_count(month: Month) -> None:
    people, config = month.people, month.config
    milestone = [m for m in month.mails if m.template.startswith("milestone.")]
    if not any(isinstance(spec.who, Milestones) for spec in month.audiences):
        return
    assert milestone
    assert len({m.user_id for m in milestone}) == len(milestone)  # nobody twice
    by_role: dict[str, int] = defaultdict(int)
    for mail in milestone:
        for role in ("manager", "member"):
            count = mail.record["facts"].get(f"milestones.{role}.count")
            if count is not None:
                by_role[role] += 1
                assert mail.record["facts"][f"milestones.{role}.milestone"] <= count
    # Everyone who crossed a milestone since October in a role is mailed for it.
    steps = sorted(config["milestones"])
    due = {
        (p.user_id, role)
        for p in people.values()
        if p.status == "active" and p.email
        for role in ("manager", "member")
        if any(p.count(role, PREVIOUS) < s <= p.count(role, AS_OF) for s in steps)
    }
    assert sum(by_role.values()) == len(due)
