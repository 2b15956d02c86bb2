"""Each shipped template family, rendered for one fictional recipient, against a checked file.

The expected files under tests/expected/mail/ were rendered once and read by a
person: natural Japanese, the right name and links, no template syntax left.
A change to a template, the context or the message headers shows up here as a
diff to read again. Set WRITE_EXPECTED_MAIL=1 to rewrite them (then read them).
"""

from __future__ import annotations

import datetime as dt
import os
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kakeai_ops.config import load_settings
from kakeai_ops.mail.audience import AudienceSpec
from kakeai_ops.mail.audience_kinds import (
    Awarded,
    Milestones,
    NotDrawn,
    NotEligible,
    Segment,
    Winners,
)
from kakeai_ops.mail.context import run_context, seminar_context, template_context
from kakeai_ops.mail.message import as_bytes, build_message, message_id
from kakeai_ops.mail.templates import TemplateSet
from kakeai_ops.workspace import shipped_templates_dir
from mailing import plain

EXPECTED = Path(__file__).parent / "expected" / "mail"
SHIPPED = shipped_templates_dir()
assert SHIPPED is not None
SETTINGS = load_settings(SHIPPED.parent / "kops.yaml")
CAMPAIGN = "exec-1on1-2026h2"

RECIPIENT: dict[str, Any] = {
    "user_id": "004217",
    "name": "佐藤 美咲",
    "email": "misaki.sato@example.co.jp",
    "division": "営業本部",
    "department": "第二営業部",
    "job_type": "営業",
    "age_band": "30代",
    "role": "member",
    "stuck_point": "no_prep",
    "stuck_point_label": "事前準備なし",
    "flags": "",
    "last_login_at": pd.Timestamp("2026-11-18 09:12"),
    "last_held_at": pd.Timestamp("2026-11-17 15:00"),
    "held_total": 9,
    "pairs_as_manager": 0,
    "pairs_as_member": 1,
    "recurring_pairs": 1,
    "recent_count": 3,
    "recent_prepared": 0,
    "recent_rated": 2,
    "invites_to_accept": 0,
}

# file stem → (template, audience options, extra fields, seminar)
CASES: dict[str, tuple[str, AudienceSpec, dict[str, Any], str | None]] = {
    "nudge.no_prep.member": ("no_prep.member", AudienceSpec(Segment("no_prep")), {}, None),
    # One recent 1on1, as 部下 (a manager too): 「直近の 1on1 1 回のうち…0 回」 read oddly.
    "nudge.no_prep.member.one": ("no_prep.member", AudienceSpec(Segment("no_prep")), {}, None),
    # Her recent 3 1on1s, 2 rated (the paragraph after it ran on without its blank line).
    "nudge.no_rating.member": ("no_rating.member", AudienceSpec(Segment("no_rating")), {}, None),
    "seminar.month1": ("seminar.month1", AudienceSpec(Segment("no_prep")), {}, "month1"),
    "seminar.recording": ("seminar.recording", AudienceSpec(Segment("no_prep")), {}, "month1"),
    "milestone.member": (
        "milestone.member",
        AudienceSpec(Milestones()),
        {"milestones": {"member": {"milestone": 5, "count": 5}}},
        None,
    ),
    # A first 1on1: its greeting ran into the first tip (「お疲れさまでした。・次の 1on1…」).
    "milestone.member.first": (
        "milestone.member",
        AudienceSpec(Milestones()),
        {"milestones": {"member": {"milestone": 1, "count": 1}}},
        None,
    ),
    "milestone.manager": (
        "milestone.manager",
        AudienceSpec(Milestones()),
        {"milestones": {"manager": {"milestone": 1, "count": 2}}},
        None,
    ),
    "milestone.both": (
        "milestone.both",
        AudienceSpec(Milestones()),
        {
            "milestones": {
                "manager": {"milestone": 20, "count": 21},
                "member": {"milestone": 10, "count": 10},
            }
        },
        None,
    ),
    "campaign.awarded": (
        "campaign.awarded",
        AudienceSpec(Awarded(CAMPAIGN)),
        {"run_start": "2026-06", "run_end": "2026-09"},
        None,
    ),
    "campaign.winner": ("campaign.winner", AudienceSpec(Winners(CAMPAIGN)), {}, None),
    "campaign.not_drawn": ("campaign.not_drawn", AudienceSpec(NotDrawn(CAMPAIGN)), {}, None),
    "campaign.not_eligible": (
        "campaign.not_eligible",
        AudienceSpec(NotEligible(CAMPAIGN)),
        {
            "missed_months": [
                (2026, 6, 2, ["2026-06-08", "2026-06-22"]),
                (2026, 9, 1, ["2026-08-31"]),  # Thursday 9-03: a week of September
            ]
        },
        None,
    ),
    "nudge.not_activated": ("not_activated", AudienceSpec(Segment("not_activated")), {}, None),
    "nudge.lapsed.member": ("lapsed.member", AudienceSpec(Segment("lapsed")), {}, None),
    "nudge.no_pair": ("no_pair", AudienceSpec(Segment("no_pair")), {}, None),
    "nudge.no_pair.former": ("no_pair", AudienceSpec(Segment("no_pair")), {}, None),
    "seminar.correction": (
        "seminar.correction",
        AudienceSpec(Segment("no_prep")),
        {},
        "month1",
    ),
}

# What a correction changed (label, before, after), as a seminar's invitations record it.
CORRECTED = [("日時", "2026年12月9日（水）12:15〜", "2026年12月10日（木）12:15〜")]


# Where a case's reader differs from RECIPIENT, so that the mail is true for them.
READER_CHANGES: dict[str, dict[str, Any]] = {
    "nudge.no_prep.member.one": {"role": "both", "recent_count": 1, "recent_prepared": 0},
    "nudge.lapsed.member": {
        "stuck_point": "lapsed",
        "stuck_point_label": "1on1休眠",
        "last_held_at": pd.Timestamp("2026-09-18 15:00"),
    },
    # Never in a pair: 「まだ」 is true.
    "nudge.no_pair": {
        "stuck_point": "no_pair",
        "stuck_point_label": "ペアなし",
        "last_held_at": pd.NaT,
        "held_total": 0,
        "pairs_as_member": 0,
        "recurring_pairs": 0,
        "recent_count": 0,
    },
    # Her pair was dissolved after 13 1on1s: no pair now, not 「まだ」 (not yet).
    "nudge.no_pair.former": {
        "stuck_point": "no_pair",
        "stuck_point_label": "ペアなし",
        "last_held_at": pd.Timestamp("2026-10-02 15:00"),
        "held_total": 13,
        "pairs_as_member": 0,
        "recurring_pairs": 0,
        "recent_count": 0,
    },
    "nudge.not_activated": {
        "stuck_point": "not_activated",
        "stuck_point_label": "未ログイン",
        "last_login_at": pd.NaT,
        "held_total": 0,
    },
}


def settings_with_seminar() -> Any:
    seminar = SETTINGS.seminars["month1"].model_copy(
        update={
            "date": dt.datetime(2026, 12, 10, 12, 15),
            "minutes": 30,
            "url": "https://meet.example.co.jp/kakeai-seminar-1",
            "recording_url": "https://video.example.co.jp/kakeai-seminar-1",
        }
    )
    service = SETTINGS.service.model_copy(
        update={
            "login_url": "https://kakeai.example.co.jp/login",
            "help_url": "https://portal.example.co.jp/kakeai",
        }
    )
    return SETTINGS.model_copy(
        update={"seminars": {**SETTINGS.seminars, "month1": seminar}, "service": service}
    )


def seminar_for(template_name: str, settings: Any, seminar_id: str | None) -> Any:
    """The seminar a case's mail is about (a correction's with what it changed)."""
    seminar = seminar_context(settings, seminar_id)
    if seminar is not None and template_name == "seminar.correction":
        seminar["changes"] = [
            {"label": label, "before": before, "after": after} for label, before, after in CORRECTED
        ]
    return seminar


def render(stem: str) -> EmailMessage:
    template_name, spec, extra, seminar_id = CASES[stem]
    settings = settings_with_seminar()
    campaign = settings.campaigns[CAMPAIGN] if "campaign" in template_name else None
    seminar = seminar_for(template_name, settings, seminar_id)
    shared = run_context(settings, dt.date(2026, 11, 20))
    reader = {**RECIPIENT, **READER_CHANGES.get(stem, {})}
    context = template_context(reader, settings, extra, seminar, campaign, spec, None, shared)
    template = TemplateSet(Path("/nonexistent"), SHIPPED / "mail").get(template_name)
    rendered = template.render(context, settings.mail.subject_prefix)
    mail = settings.mail
    built = build_message(
        mail,
        RECIPIENT["name"],
        RECIPIENT["email"],
        rendered.subject,
        rendered.text,
        rendered.html,
        message_id(f"{stem}-2026-11", RECIPIENT["user_id"], mail.message_id_domain),
    )
    # Read back as a mail client would: the wire bytes, decoded.
    return message_from_bytes(as_bytes(built), policy=policy.default)  # type: ignore[return-value]


def decoded(message: EmailMessage) -> str:
    headers = ("From", "To", "Reply-To", "Subject", "Date", "Message-ID")
    lines = [f"{name}: {message[name]}" for name in headers]
    # The parts as a client lists them (the boundary is random, so it is left out).
    parts = [
        part.get_content_type()
        + "".join(f"; {k}={v}" for k, v in part["Content-Type"].params.items() if k != "boundary")
        for part in message.walk()
    ]
    lines.append("Parts: " + " / ".join(parts))
    body = plain(message).replace("\r\n", "\n")  # sent as CRLF; compared as lines
    return "\n".join(lines) + "\n\n" + body


@pytest.mark.parametrize("stem", sorted(CASES))
def test_rendered_mail_matches_the_checked_file(stem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOPS_NOW", "2026-11-24T10:00:00+09:00")
    text = decoded(render(stem))
    expected = EXPECTED / f"{stem}.txt"
    if os.environ.get("WRITE_EXPECTED_MAIL") == "1":
        expected.write_text(text, encoding="utf-8", newline="\n")
    assert text == expected.read_text(encoding="utf-8")
    assert "{{" not in text and "{%" not in text and RECIPIENT["name"] + " 様" in text


STOP_LINE = "「配信不要」とご返信ください"


@pytest.mark.parametrize("stem", sorted(CASES))
def test_only_unsolicited_mails_say_how_to_stop_them(
    stem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """spec/mail.md: every mail ends with a line to reach the secretariat; a mail the reader
    did not ask for (a nudge, a seminar invitation, a milestone's hints) also says how to stop
    them. A reply to something the reader did (an entry, a draw) or a right given to them
    (an award) is news about them, and an unsubscribe line there reads as a mass mailing."""
    monkeypatch.setenv("KOPS_NOW", "2026-11-24T10:00:00+09:00")
    template = TemplateSet(Path("/nonexistent"), SHIPPED / "mail").get(CASES[stem][0])
    text = decoded(render(stem))
    assert SETTINGS.mail.contact in text and "このメールにご返信" in text
    solicited = template.kind == "announcement"
    assert (STOP_LINE in text) is not solicited, template.kind
    if solicited:
        assert "配信" not in text and "1on1 の活用を支援するために" not in text


def test_no_line_of_text_loses_its_line_break_to_a_tag() -> None:
    """The templates trim the line break after a block tag (trim_blocks): a line of text
    ending in one (「…お疲れさまでした。{% endif %}」) ran into the next line. Such a line
    ends its tag with 「+%}」, which keeps the break; a subject is one line on its own."""
    import re

    ending_in_a_tag = re.compile(r"\S.*%}$")
    only_a_tag = re.compile(r"\{%[^%]*%}")
    found = [
        f"{path.name}:{number}"
        for path in sorted((SHIPPED / "mail").glob("*"))
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
        if ending_in_a_tag.search(line)
        and not only_a_tag.fullmatch(line)
        and not line.startswith("subject:")
        and not line.endswith("+%}")
    ]
    assert found == []


def test_a_winner_hears_the_next_steps_of_their_own_prize() -> None:
    """The winner's mail promised an online 1on1 with an executive whatever the prize (a
    lunch with the president too): the steps are the campaign's, or a plain 「あらためて」."""
    settings = settings_with_seminar()
    exec_campaign = settings.campaigns[CAMPAIGN]
    lunch = exec_campaign.model_copy(update={"title": "社長とランチ", "next_steps": []})
    template = TemplateSet(Path("/nonexistent"), SHIPPED / "mail").get("campaign.winner")
    spec = AudienceSpec(Winners(CAMPAIGN))
    shared = run_context(settings, dt.date(2026, 11, 20))

    def text(campaign: Any) -> str:
        context = template_context(RECIPIENT, settings, {}, None, campaign, spec, None, shared)
        return template.render(context, settings.mail.subject_prefix).text

    said = text(lunch)
    assert "経営層" not in said and "オンライン会議" not in said
    assert "詳しい内容と日程は、あらためて事務局からご連絡いたします。" in said
    steps = text(exec_campaign)
    for number, step in enumerate(exec_campaign.next_steps, start=1):
        assert f"{number}. {step}" in steps
    assert len(exec_campaign.next_steps) == 3


def test_an_award_names_a_right_once() -> None:
    """「「経営層との1on1権」権利付与のお知らせ」 and 「…1on1権」の権利をお贈りします」 said
    the right twice; a campaign named otherwise keeps 「の権利」."""
    settings = settings_with_seminar()
    exec_campaign = settings.campaigns[CAMPAIGN]
    template = TemplateSet(Path("/nonexistent"), SHIPPED / "mail").get("campaign.awarded")
    spec = AudienceSpec(Awarded(CAMPAIGN))
    shared = run_context(settings, dt.date(2026, 11, 20))
    extra = {"run_start": "2026-06", "run_end": "2026-09"}

    def rendered(campaign: Any) -> tuple[str, str]:
        context = template_context(RECIPIENT, settings, extra, None, campaign, spec, None, shared)
        mail = template.render(context, settings.mail.subject_prefix)
        return mail.subject, mail.text

    subject, text = rendered(exec_campaign)
    assert subject.endswith("「経営層との1on1権」付与のお知らせ")
    assert "「経営層との1on1権」をお贈りします" in text and "権」の権利" not in text
    other = exec_campaign.model_copy(update={"title": "1on1 継続キャンペーン"})
    subject, text = rendered(other)
    assert subject.endswith("「1on1 継続キャンペーン」権利付与のお知らせ")
    assert "「1on1 継続キャンペーン」の権利をお贈りします" in text


@pytest.mark.parametrize(
    "recent, prepared, rated",
    [(1, 1, 0), (1, 0, 1), (3, 3, 3), (3, 2, 3), (0, 0, 0)],
)
def test_first_1on1_tips_follow_what_the_member_already_does(
    recent: int, prepared: int, rated: int
) -> None:
    """A member who chose a topic before every recent 1on1 (or rated each) was told to
    start doing so: the tip says they did, and asks only for what they have not."""
    settings = settings_with_seminar()
    reader = {
        **RECIPIENT,
        "recent_count": recent,
        "recent_prepared": prepared,
        "recent_rated": rated,
    }
    extra = {"milestones": {"member": {"milestone": 1, "count": max(recent, 1)}}}
    shared = run_context(settings, dt.date(2026, 11, 20))
    context = template_context(
        reader, settings, extra, None, None, AudienceSpec(Milestones()), None, shared
    )
    template = TemplateSet(Path("/nonexistent"), SHIPPED / "mail").get("milestone.member")
    text = " ".join(template.render(context, settings.mail.subject_prefix).text.split())
    every = "その 1on1 では" if recent == 1 else f"直近の {recent} 回とも"
    did_prepare = recent > 0 and prepared == recent
    did_rate = recent > 0 and rated == recent
    assert (f"{every}、開始前に「トピック」を選んでいました" in text) == did_prepare
    assert ("KAKEAI で「トピック」（話したいこと）と「対応」" in text) == (not did_prepare)
    assert (f"{every}、「スッキリ度」も入れていました" in text) == did_rate
    assert ("1on1 のあとには「スッキリ度」を入れてみてください" in text) == (not did_rate)
