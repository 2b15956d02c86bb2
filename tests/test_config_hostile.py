"""Hostile kops.yaml: every bad value is refused with a clean `Error:` naming the key
(and the line where one can be told), never an internal error, a hang or a crash later."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.config import load_settings
from kakeai_ops.errors import KopsError
from kakeai_ops.workspace import Workspace

CAMPAIGN = "campaigns:\n  x:\n    title: t\n    window: {start: 2026-04-01, end: 2026-09-30}\n"
RULE = "    rule: {kind: weekly_streak}\n"


def _bomb(under: str) -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + f"\n{under}\n"


def _deep(depth: int) -> str:
    return "milestones: " + "[" * depth + "1" + "]" * depth + "\n"


# (id, kops.yaml text, what the error must say)
VARIANTS: list[tuple[str, str, str]] = [
    ("holiday-feb30", "calendar:\n  company_holidays: [2026-02-30]\n", "kops.yaml:2"),
    ("holiday-feb30-quoted", 'calendar:\n  company_holidays: ["2026-02-30"]\n', "company_holidays"),
    ("holiday-month13", "calendar:\n  company_holidays:\n    - 2026-13-01\n", "kops.yaml:3"),
    (
        "holiday-huge-range",
        'calendar:\n  company_holidays: ["2026-01-01..9999-12-31"]\n',
        "company_holidays",
    ),
    ("holiday-reversed", 'calendar:\n  company_holidays: ["2026-12-31..2026-01-01"]\n', "ends"),
    ("lapse-huge", "rules:\n  lapse_days: 99999999999999\n", "rules.lapse_days"),
    ("lapse-3651", "rules:\n  lapse_days: 3651\n", "rules.lapse_days"),
    ("lapse-nan", "rules:\n  lapse_days: .nan\n", "rules.lapse_days"),
    ("lapse-float", "rules:\n  lapse_days: 30.5\n", "rules.lapse_days"),
    ("recent-n-huge", "rules:\n  recent_n: 99999999999\n", "rules.recent_n"),
    ("cap-days-huge", "mail:\n  frequency_cap: {days: 99999999999999}\n", "nudge.days"),
    ("cap-nudges-huge", "mail:\n  frequency_cap: {max_nudges: 9999999999}\n", "nudge.max"),
    (
        "cap-programme-days",
        "mail:\n  frequency_cap:\n    programme: {max: 4, days: 99999999999999}\n",
        "kops.yaml:3: mail.frequency_cap.programme.days",
    ),
    ("milestone-10e30", "milestones: [1000000000000000000000000000000]\n", "milestones"),
    ("milestone-100001", "milestones: [1, 100001]\n", "milestones"),
    ("lookback-huge", "interview:\n  lookback_days: 99999999999\n", "interview.lookback_days"),
    ("interview-n-huge", "interview:\n  n: 99999999999999\n", "interview.n"),
    ("per-division-huge", "interview:\n  max_per_division: 99999999999999\n", "max_per_division"),
    ("weight-inf", "interview:\n  weights: {volume: .inf}\n", "weights.volume"),
    ("min-sukkiri-nan", "interview:\n  min_sukkiri: .nan\n", "min_sukkiri"),
    ("themes-top-huge", "seminar_survey:\n  themes: {top: 99999999999999}\n", "themes.top"),
    ("bomb-holidays", _bomb("calendar:\n  company_holidays: *i"), "alias"),
    ("bomb-milestones", _bomb("milestones: *i"), "alias"),
    ("deep-nesting", _deep(5000), "kops.yaml"),
    ("msgid-crlf", 'mail:\n  message_id_domain: "x.jp\\r\\nBcc: a@b.jp"\n', "message_id_domain"),
    ("msgid-angle", 'mail:\n  message_id_domain: "x.jp> <y@z"\n', "message_id_domain"),
    ("msgid-empty", 'mail:\n  message_id_domain: ""\n', "message_id_domain"),
    ("msgid-cyrillic", "mail:\n  message_id_domain: exаmple.jp\n", "message_id_domain"),
    ("msgid-space", 'mail:\n  message_id_domain: "kops example.jp"\n', "message_id_domain"),
    ("from-name-esc", 'mail:\n  from_name: "\\e[2J事務局"\n', "mail.from_name"),
    ("subject-ls", 'mail:\n  subject_prefix: "【\\L】"\n', "mail.subject_prefix"),
    ("honorific-bel", 'mail:\n  honorific: "様\\a"\n', "mail.honorific"),
    ("contact-bidi", 'mail:\n  contact: "\\u202e内線 1234"\n', "mail.contact"),
    ("contact-newline", 'mail:\n  contact: "内線\\n1234"\n', "mail.contact"),
    (
        "advisor-esc",
        'advisors:\n  "\\e[2J部長": {email: a@example.jp, scope: [営業本部]}\n',
        "advisors",
    ),
    ("campaign-id-esc", 'campaigns:\n  "x\\e[2J":\n    title: t\n', "campaigns"),
    ("retry-nan", "mail:\n  retry_base_seconds: .nan\n", "retry_base_seconds"),
    ("retry-inf", "mail:\n  retry_max_seconds: .inf\n", "retry_max_seconds"),
    ("rate-huge", "mail:\n  rate_per_minute: 99999999999999999\n", "rate_per_minute"),
    ("retries-huge", "mail:\n  max_retries: 99999999999\n", "max_retries"),
    ("timeout-huge", "mail:\n  smtp: {timeout: 99999999999999}\n", "smtp.timeout"),
    ("port-70000", "mail:\n  smtp: {port: 70000}\n", "smtp.port"),
    ("hour-25", "mail:\n  send_window: {start_hour: 25}\n", "start_hour"),
    ("hours-reversed", "mail:\n  send_window: {start_hour: 17, end_hour: 9}\n", "send_window"),
    ("min-group-1", "privacy:\n  min_group: 1\n", "privacy.min_group"),
    ("min-group-2", "privacy:\n  min_group: 2\n", "privacy.min_group"),
    ("min-group-huge", "privacy:\n  min_group: 99999999999\n", "privacy.min_group"),
    (
        "sensitive-below",
        "privacy:\n  min_group: 5\n  min_group_sensitive: 2\n",
        "min_group_sensitive",
    ),
    ("sensitive-below-default", "privacy:\n  min_group_sensitive: 4\n", "min_group_sensitive"),
    ("window-feb30", CAMPAIGN.replace("2026-04-01", "2026-02-30") + RULE, "kops.yaml:4"),
    ("months-huge", CAMPAIGN + "    rule: {kind: weekly_streak, months: 99999999999}\n", "months"),
    ("per-week-8", CAMPAIGN + "    rule: {kind: weekly_streak, min_per_week: 8}\n", "min_per_week"),
    ("deadline-month13", CAMPAIGN + RULE + "    entry_deadline: 2026-13-01\n", "entry_deadline"),
    ("deadline-feb30", CAMPAIGN + RULE + "    entry_deadline: 2026-02-30\n", "kops.yaml:6"),
    (
        "seminar-date-feb30",
        "seminars:\n  month1: {month: 1, date: 2026-02-30T12:00:00}\n",
        "kops.yaml:2",
    ),
    ("seminar-minutes-0", "seminars:\n  month1: {month: 1, minutes: 0}\n", "month1.minutes"),
    ("seminar-minutes-text", "seminars:\n  month1: {month: 1, minutes: 30分}\n", "minutes"),
    ("seminar-minutes-bool", "seminars:\n  month1: {month: 1, minutes: true}\n", "minutes"),
    ("seminar-minutes-float", "seminars:\n  month1: {month: 1, minutes: 29.5}\n", "minutes"),
    ("seminar-minutes-day", "seminars:\n  month1: {month: 1, minutes: 1441}\n", "minutes"),
    ("scale-nan", "exports:\n  sukkiri_scale: {min: .nan, max: 5}\n", "sukkiri_scale"),
    ("huge-name", "mail:\n  from_name: '" + "名" * 20000 + "'\n", "mail.from_name"),
    ("python-tag", "rules: !!python/object/apply:os.system ['true']\n", "kops.yaml"),
    # A winner's next steps: each a line of the mail (blank ones printed a bare 「1.」).
    ("step-blank", CAMPAIGN + RULE + "    next_steps: ['', '   ']\n", "next_steps.0: is blank"),
    ("step-long", CAMPAIGN + RULE + f"    next_steps: ['{'あ' * 201}']\n", "at most 200"),
    ("steps-many", CAMPAIGN + RULE + f"    next_steps: {['s'] * 11}\n", "has 11 steps"),
    ("top-list", "- a\n- b\n", "kops.yaml"),
]


def test_there_are_at_least_forty_variants() -> None:
    assert len({name for name, _, _ in VARIANTS}) == len(VARIANTS) >= 40


@pytest.mark.parametrize("name, text, says", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_hostile_config_is_refused_cleanly(tmp_path: Path, name: str, text: str, says: str) -> None:
    path = tmp_path / "kops.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(KopsError) as err:
        load_settings(path)
    assert time.perf_counter() - started < 5, "took too long"
    message = str(err.value)
    assert says in message, message
    assert "\x1b" not in message and "\u2028" not in message and "\u202e" not in message


@pytest.mark.parametrize(
    "name, text, says",
    [
        v
        for v in VARIANTS
        if v[0]
        in (
            "holiday-feb30",
            "bomb-milestones",
            "msgid-crlf",
            "from-name-esc",
            "sensitive-below",
            "deep-nesting",
        )
    ],
)
def test_every_command_says_error_not_internal_error(
    ws: Workspace, name: str, text: str, says: str
) -> None:
    ws.config_path.write_text(text, encoding="utf-8")
    result = Cli(ws)("status", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:"), result.stderr
    assert "Internal error" not in result.stderr
    assert "\x1b" not in result.stderr


def test_the_shipped_config_and_edges_load(tmp_path: Path, ws: Workspace) -> None:
    settings = load_settings(ws.config_path)
    assert settings.privacy.min_group == 5
    path = tmp_path / "kops.yaml"
    path.write_text(
        "rules: {lapse_days: 3650}\nmilestones: [1, 100000]\n"
        "privacy: {min_group: 3, min_group_sensitive: 3}\n"
        "mail: {message_id_domain: kops.example.co.jp, frequency_cap: {days: 3650}}\n"
        'calendar: {company_holidays: ["2026-01-01..2026-12-31", 2026-02-28]}\n'
        "a: &a [1, 5]\n",
        encoding="utf-8",
    )
    with pytest.raises(KopsError):  # 'a' is not a setting, but aliases themselves are fine
        load_settings(path)
    path.write_text(path.read_text(encoding="utf-8").replace("a: &a [1, 5]\n", ""), "utf-8")
    settings = load_settings(path)
    assert settings.rules.lapse_days == 3650 and settings.milestones == [1, 100000]


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n"])
def test_a_kops_yaml_that_is_not_settings_says_what_it_should_be(tmp_path: Path, text: str) -> None:
    from conftest import Cli

    cli = Cli(None)
    cli("init", str(tmp_path / "ws"))
    (tmp_path / "ws" / "kops.yaml").write_text(text, encoding="utf-8")
    result = cli("status", "-w", str(tmp_path / "ws"), ok=False)
    assert "the top level must be a mapping of settings" in result.stderr, result.stderr
    assert "Hint:" in result.stderr and "kops init --print-config" in result.stderr
