"""The audience of a mail run: exclusions by reason, role templates, run ids, holdout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from factories import meeting, pair, tables, user
from kakeai_ops.config import Settings, parse_settings
from kakeai_ops.mail.audience import AudienceSpec, build_audience, holdout_share
from kakeai_ops.mail.audience_kinds import Segment
from kakeai_ops.mail.plan import make_plan
from kakeai_ops.mail.templates import TemplateSet
from kakeai_ops.workspace import Workspace, shipped_templates_dir

AS_OF = dt.date(2026, 11, 20)
SHIPPED = shipped_templates_dir() / "mail"  # type: ignore[operator]


def templates(tmp_path: Path) -> TemplateSet:
    return TemplateSet(tmp_path / "none", SHIPPED)


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
        AudienceSpec(Segment("not_activated")),
        t,
        Settings(),
        AS_OF,
        templates(tmp_path),
        suppressed={"ue@example.jp": "配信不要"},
    )
    # Nobody is left out for the frequency cap: the send defers them (see test_send.py).
    assert [r.user_id for r in audience.recipients] == ["A", "F", "G"]
    assert dict(audience.excluded) == {"no_email": 1, "on_leave": 1, "suppressed": 1}
    assert audience.default_run_id == "not_activated-2026-11"


def test_someone_on_leave_is_left_out_as_such_though_a_1on1_is_booked(tmp_path: Path) -> None:
    """Two lapsed members, each with a 1on1 booked in the next days; one is on leave. The
    plan said 「予定の1on1あり」 of both: the one on leave is left out as on leave."""
    t = tables(
        users=[
            user("M"),
            user("A"),
            user("B", employment="休職", employment_status="leave"),
        ],
        pairs=[pair("M", "A"), pair("M", "B")],
        meetings=[
            meeting("M", "A", "2026-06-01 10:00"),
            meeting("M", "B", "2026-06-01 11:00"),
            meeting("M", "A", "2026-11-24 10:00", status="scheduled"),
            meeting("M", "B", "2026-11-24 11:00", status="scheduled"),
        ],
    )
    audience = build_audience(
        AudienceSpec(Segment("lapsed")), t, Settings(), AS_OF, templates(tmp_path), suppressed={}
    )
    members = {u: reason for u, reason in audience.excluded_users if u in ("A", "B")}
    assert members == {"A": "scheduled", "B": "on_leave"}
    assert not [r for r in audience.recipients if r.user_id in ("A", "B")]


def test_role_templates_and_run_ids(tmp_path: Path) -> None:
    t = tables(
        users=[user("M"), user("A"), user("B")],
        pairs=[pair("M", "A", recurring=False), pair("M", "B", recurring=False)],
        meetings=[meeting("M", "A", "2026-09-01 10:00"), meeting("M", "B", "2026-09-01 10:00")],
    )
    audience = build_audience(
        AudienceSpec(Segment("lapsed")), t, Settings(), AS_OF, templates(tmp_path), {}
    )
    by_user = {r.user_id: r.template for r in audience.recipients}
    assert by_user == {"M": "lapsed.manager", "A": "lapsed.member", "B": "lapsed.member"}
    assert audience.default_run_id == "lapsed-2026-11"
    members = build_audience(
        AudienceSpec(Segment("lapsed"), role="member"),
        t,
        Settings(),
        AS_OF,
        templates(tmp_path),
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
    spec = AudienceSpec(Segment("not_activated"), template="seminar.month1", seminar="m1")
    audience = build_audience(spec, t, settings, AS_OF, templates(tmp_path), {})
    message = make_plan(audience, templates(tmp_path), settings, audience.default_run_id).messages[
        0
    ]
    # The day as a phone's list shows it in the subject; the full date in the body.
    assert "12/10(木) 12:15〜" in message.subject
    assert "2026年12月10日（木）12:15〜" in message.text
    assert "https://meet.example/abc" in message.text
    assert audience.default_run_id == "seminar.month1-m1"


def test_holdout_is_deterministic_and_about_the_share() -> None:
    shares = [holdout_share("run", f"u{i}") for i in range(5000)]
    assert shares == [holdout_share("run", f"u{i}") for i in range(5000)]
    held = sum(s < 0.10 for s in shares) / len(shares)
    assert 0.08 < held < 0.12
    assert holdout_share("run", "u1") != holdout_share("other", "u1")


def test_a_campaign_not_in_kops_yaml_says_where_campaigns_are(sample_ws: Workspace) -> None:
    from conftest import Cli

    for option in ("--awarded", "--not-eligible", "--winners"):
        result = Cli(sample_ws)("mail", "plan", option, "no-such-campaign", ok=False)
        assert "no campaign 'no-such-campaign' in kops.yaml" in result.stderr, result.stderr
        assert "Hint:" in result.stderr and "kops campaign list" in result.stderr


def test_someone_awarded_and_gone_from_the_users_export_is_not_said_to_have_left(
    tmp_path: Path,
) -> None:
    """An award is a record beyond the snapshot: the person awarded may be in no users
    export now (an export filtered by 事業部, a transfer out). Nothing says they left; the
    plan said 「退職」 of them, with no name."""
    import pandas as pd

    from kakeai_ops.mail.audience import Given, reason_word, why_left_out
    from kakeai_ops.mail.audience_kinds import Awarded

    settings = parse_settings(
        {
            "campaigns": {
                "c1": {
                    "title": "経営層との1on1権",
                    "window": {"start": "2026-04-01", "end": "2026-09-30"},
                    "rule": {"kind": "weekly_streak", "months": 3, "role": "member"},
                }
            }
        }
    )
    t = tables(users=[user("A"), user("D", employment="退職", employment_status="retired")])
    awarded = pd.DataFrame(
        {"user_id": ["A", "D", "Z"], "run_start": ["2026-04"] * 3, "run_end": ["2026-06"] * 3}
    )
    audience = build_audience(
        AudienceSpec(Awarded("c1")),
        t,
        settings,
        AS_OF,
        templates(tmp_path),
        suppressed={},
        given=Given(awarded=awarded),
    )
    assert [r.user_id for r in audience.recipients] == ["A"]
    assert dict(audience.excluded_users) == {"D": "retired", "Z": "not_in_snapshot"}
    assert why_left_out(audience, "Z", "not_in_snapshot") == "not in the latest users export"
    assert reason_word("retired") == "retired"
