"""Mail building blocks: templates, the message, the audience and its exclusions."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from factories import meeting, pair, tables, user
from kakeai_ops.config import Settings, parse_settings
from kakeai_ops.errors import KopsError
from kakeai_ops.init import shipped_templates_dir
from kakeai_ops.mail.audience import AudienceSpec, build_audience, holdout_share
from kakeai_ops.mail.message import as_bytes, build_message, message_id
from kakeai_ops.mail.plan import make_plan
from kakeai_ops.mail.templates import TemplateSet

AS_OF = dt.date(2026, 11, 20)
SHIPPED = shipped_templates_dir() / "mail"  # type: ignore[operator]


def templates(tmp_path: Path) -> TemplateSet:
    return TemplateSet(tmp_path / "none", SHIPPED)


def test_headers_round_trip_with_japanese_names(tmp_path: Path) -> None:
    settings = Settings()
    subject = "【KAKEAI事務局】1on1 の前に「トピック」と「対応」を選んでみませんか（髙橋さん・山﨑さん向け①）"
    built = build_message(
        settings.mail,
        "髙橋 一郎",
        "ichiro@example.jp",
        subject,
        "髙橋 一郎 様\n本文①\n",
        None,
        message_id("r", "u1", "kops.example"),
    )
    raw = as_bytes(built)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78  # folded per RFC 5322/2047
    assert b"ichiro@example.jp" in raw  # the address stays readable, outside the encoded word
    parsed = message_from_bytes(raw, policy=policy.default)
    assert str(parsed["Subject"]) == subject
    assert parsed["To"].addresses[0].display_name == "髙橋 一郎"
    assert parsed["To"].addresses[0].addr_spec == "ichiro@example.jp"
    assert parsed["From"].addresses[0].display_name == "KAKEAI事務局"
    assert parsed["Reply-To"].addresses[0].addr_spec == settings.mail.reply_to
    assert parsed["Content-Transfer-Encoding"] == "base64"
    assert parsed.get_content().replace("\r\n", "\n") == "髙橋 一郎 様\n本文①\n"  # CRLF on the wire
    assert parsed["Message-ID"] == message_id("r", "u1", "kops.example")
    assert message_id("r", "u1", "d") != message_id("r", "u2", "d") != message_id("r2", "u1", "d")


def test_every_shipped_template_parses_and_lists_variables(tmp_path: Path) -> None:
    ts = templates(tmp_path)
    names = ts.names()
    for expected in (
        "no_prep.member",
        "no_recurrence.manager",
        "no_pair",
        "seminar.month1",
        "seminar.month4",
        "milestone.member",
        "milestone.manager",
        "campaign.awarded",
        "not_activated",
    ):
        assert expected in names
    assert "facts" in ts.get("no_prep.member").variables()
    assert "seminar" in ts.get("seminar.month2").variables()
    assert "mail" in ts.get("no_pair").variables()  # through the shared footer
    assert ts.get("campaign.awarded").kind == "announcement"
    assert ts.get("milestone.member").kind == "knowledge"


def test_no_prep_member_mail_carries_the_seed_examples(tmp_path: Path) -> None:
    t = tables(
        users=[user("M"), user("A", name="山﨑 花子")],
        pairs=[pair("M", "A")],
        meetings=[meeting("M", "A", f"2026-11-{d} 10:00", prepared=None) for d in (4, 11, 18)],
    )
    audience = build_audience(
        AudienceSpec(segment="no_prep"), t, Settings(), AS_OF, templates(tmp_path), {}, {}
    )
    plan = make_plan(audience, templates(tmp_path), Settings(), "r")
    message = plan.messages[0]
    assert message.template == "no_prep.member"
    assert message.subject.startswith("【KAKEAI事務局】")
    assert message.text.startswith("山﨑 花子 様")
    for phrase in (
        "業務の進捗や進め方",
        "今後のキャリア／一緒に考えてほしい",
        "1回目",
        "事前準備（トピックと対応の選択）が\nされていたのは 0 回",
    ):
        assert phrase in message.text
    assert "配信不要" in message.text and Settings().mail.contact in message.text


def test_missing_variable_stops_before_sending(tmp_path: Path) -> None:
    t = tables(users=[user("A", last_login_at=None)])
    spec = AudienceSpec(segment="not_activated", template="seminar.month1")  # needs --seminar
    audience = build_audience(spec, t, Settings(), AS_OF, templates(tmp_path), {}, {})
    with pytest.raises(KopsError) as caught:
        make_plan(audience, templates(tmp_path), Settings(), "r")
    assert (
        "seminar.month1.txt: template uses a value this run does not provide"
        in caught.value.message
    )
    assert "'seminar' is undefined" in caught.value.message


def test_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    own = tmp_path / "mine"
    own.mkdir()
    (own / "broken.txt").write_text("subject: x\n---\nline one\n{% if %}\n", encoding="utf-8")
    with pytest.raises(KopsError) as caught:
        TemplateSet(own, SHIPPED).get("broken").render({}, "")
    assert caught.value.message.startswith("broken.txt:4: template error")


def test_workspace_templates_override_shipped(tmp_path: Path) -> None:
    own = tmp_path / "mine"
    own.mkdir()
    (own / "no_pair.txt").write_text(
        "subject: 自社版\n---\n{{ name }} {{ honorific }}\n", encoding="utf-8"
    )
    rendered = (
        TemplateSet(own, SHIPPED).get("no_pair").render({"name": "A", "honorific": "さん"}, "【P】")
    )
    assert rendered.subject == "【P】自社版" and rendered.text == "A さん\n"


def test_exclusions_are_counted_by_reason(tmp_path: Path) -> None:
    t = tables(
        users=[
            user("A", last_login_at=None),
            user("B", last_login_at=None, email=None),
            user("C", last_login_at=None, employment="休職", employment_status="leave"),
            user("D", last_login_at=None, employment="退職", employment_status="retired"),
            user("E", last_login_at=None),
            user("F", last_login_at=None),
            user("G", last_login_at=None),
        ]
    )
    audience = build_audience(
        AudienceSpec(segment="not_activated"),
        t,
        Settings(),
        AS_OF,
        templates(tmp_path),
        suppressed={"ue@example.jp": "配信不要"},
        recent_nudges={"F": 2, "G": 1},
    )
    assert [r.user_id for r in audience.recipients] == ["A", "G"]
    assert dict(audience.excluded) == {
        "no_email": 1,
        "on_leave": 1,
        "suppressed": 1,
        "frequency_cap": 1,
    }
    assert audience.default_run_id == "not_activated-2026-11"


def test_role_templates_and_run_ids(tmp_path: Path) -> None:
    t = tables(
        users=[user("M"), user("A"), user("B")],
        pairs=[pair("M", "A", recurring=False), pair("M", "B", recurring=False)],
        meetings=[meeting("M", "A", "2026-09-01 10:00"), meeting("M", "B", "2026-09-01 10:00")],
    )
    audience = build_audience(
        AudienceSpec(segment="lapsed"), t, Settings(), AS_OF, templates(tmp_path), {}, {}
    )
    by_user = {r.user_id: r.template for r in audience.recipients}
    assert by_user == {"M": "lapsed.manager", "A": "lapsed.member", "B": "lapsed.member"}
    assert audience.default_run_id == "lapsed-2026-11"
    members = build_audience(
        AudienceSpec(segment="lapsed", role="member"),
        t,
        Settings(),
        AS_OF,
        templates(tmp_path),
        {},
        {},
    )
    assert members.default_run_id == "lapsed.member-2026-11"


def test_seminar_context(tmp_path: Path) -> None:
    settings = parse_settings(
        {
            "seminars": {
                "m1": {
                    "month": 1,
                    "title": "1on1をみんなどうやっているの？",
                    "date": "2026-12-10T12:15:00",
                    "url": "https://meet.example/abc",
                }
            }
        }
    )
    t = tables(users=[user("A", last_login_at=None)])
    spec = AudienceSpec(segment="not_activated", template="seminar.month1", seminar="m1")
    audience = build_audience(spec, t, settings, AS_OF, templates(tmp_path), {}, {})
    message = make_plan(audience, templates(tmp_path), settings, audience.default_run_id).messages[
        0
    ]
    assert "2026年12月10日（木）12:15〜" in message.subject
    assert "https://meet.example/abc" in message.text
    assert audience.default_run_id == "seminar.month1-m1"


def test_holdout_is_deterministic_and_about_the_share() -> None:
    shares = [holdout_share("run", f"u{i}") for i in range(5000)]
    assert shares == [holdout_share("run", f"u{i}") for i in range(5000)]
    held = sum(s < 0.10 for s in shares) / len(shares)
    assert 0.08 < held < 0.12
    assert holdout_share("run", "u1") != holdout_share("other", "u1")
