"""kops.yaml: defaults, validation messages that name the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from kakeai_ops.config import Settings, load_settings, parse_settings
from kakeai_ops.errors import ConfigError, KopsError
from kakeai_ops.jobs.workspace_init import default_config_text


def test_shipped_config_is_the_defaults() -> None:
    loaded = parse_settings(yaml.load(default_config_text(), Loader=yaml.CSafeLoader))
    defaults = Settings()
    for section in ("exports", "rules", "interview", "privacy", "mail", "documents"):
        assert getattr(loaded, section) == getattr(defaults, section), section
    assert loaded.milestones == [1, 5, 10, 20, 50, 100]
    campaign = loaded.campaigns["exec-1on1-2026h2"]
    assert campaign.window.start == dt.date(2026, 4, 1)
    assert campaign.rule.months == 3 and campaign.rule.role == "member"
    assert (dt.date(2026, 12, 29), dt.date(2027, 1, 3)) in loaded.calendar.company_holidays


def test_the_deck_and_the_mails_name_the_secretariat_alike() -> None:
    """A reader meets the secretariat on the deck's cover, in the workbooks' properties and
    as the sender of every mail: by default under one name."""
    defaults = Settings()
    assert defaults.documents.organiser == defaults.mail.from_name
    assert defaults.mail.subject_prefix == f"【{defaults.mail.from_name}】"
    assert defaults.mail.contact.startswith(defaults.mail.from_name)


def _leaf_keys(model: type, prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            keys += _leaf_keys(annotation, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def test_every_setting_is_written_out_in_the_shipped_config() -> None:
    data = yaml.load(default_config_text(), Loader=yaml.CSafeLoader)
    for key in _leaf_keys(Settings):
        node = data
        for part in key.split("."):
            assert isinstance(node, dict) and part in node, f"kops.yaml lacks {key}"
            node = node[part]


def test_every_campaign_key_is_written_out_in_the_shipped_campaign() -> None:
    from kakeai_ops.config import Campaign

    data = yaml.load(default_config_text(), Loader=yaml.CSafeLoader)["campaigns"][
        "exec-1on1-2026h2"
    ]
    assert set(Campaign.model_fields) <= set(data), set(Campaign.model_fields) - set(data)
    text = default_config_text()
    for key in ("entry_deadline:", "exclude_previous_winners:", "draw_seed:"):
        line = next(line for line in text.splitlines() if line.strip().startswith(key))
        assert "#" in line, f"{key} has no comment"


def test_campaign_draw_settings() -> None:
    base = {"title": "t", "window": {"start": "2026-04-01", "end": "2026-09-30"}}
    base["rule"] = {"kind": "weekly_streak"}
    loaded = parse_settings(
        {"campaigns": {"x": {**base, "entry_deadline": "2026-10-15 17:00+09:00"}}}
    ).campaigns["x"]
    assert loaded.entry_deadline == dt.datetime(2026, 10, 15, 17, 0)
    assert loaded.exclude_previous_winners is False and loaded.draw_seed is None
    assert parse_settings(
        {"campaigns": {"x": {**base, "entry_deadline": dt.date(2026, 10, 15)}}}
    ).campaigns["x"].entry_deadline == dt.date(2026, 10, 15)
    message = _error({"campaigns": {"x": {**base, "entry_deadline": "next friday"}}})
    assert "campaigns.x.entry_deadline: must be a date (2026-10-15)" in message


def _error(data: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings(data)
    return caught.value.message


def test_error_names_the_key_and_value() -> None:
    assert _error({"rules": {"lapse_days": "thirty"}}) == (
        "kops.yaml: rules.lapse_days: must be a positive integer, got 'thirty'"
    )
    assert "rules.min_prep_share: must be a number between 0 and 1, got 1.5" in _error(
        {"rules": {"min_prep_share": 1.5}}
    )
    assert "privacy.min_group: must be an integer from 3 to 1,000, got 0" in _error(
        {"privacy": {"min_group": 0}}
    )


def test_unknown_keys_suggest_the_right_one() -> None:
    assert "rules.lapse_day: unknown setting (did you mean 'lapse_days'?)" in _error(
        {"rules": {"lapse_day": 30}}
    )


def test_campaign_validation() -> None:
    message = _error(
        {
            "campaigns": {
                "x": {
                    "title": "t",
                    "window": {"start": "2026-09-30", "end": "2026-04-01"},
                    "rule": {"kind": "monthly", "months": "three"},
                }
            }
        }
    )
    assert "campaigns.x.window: end is before start" in message
    assert "campaigns.x.rule.kind: must be 'weekly_streak'" in message
    assert "campaigns.x.rule.months: must be a positive integer, got 'three'" in message


def test_company_holidays_ranges() -> None:
    settings = parse_settings(
        {"calendar": {"company_holidays": ["2026-12-29..2027-01-03", "2026-08-13"]}}
    )
    assert settings.calendar.company_holidays == [
        (dt.date(2026, 12, 29), dt.date(2027, 1, 3)),
        (dt.date(2026, 8, 13), dt.date(2026, 8, 13)),
    ]
    assert "calendar.company_holidays.0: must be a date" in _error(
        {"calendar": {"company_holidays": ["12/29"]}}
    )


def test_header_mapping_merges_with_defaults() -> None:
    settings = parse_settings({"exports": {"headers": {"users": {"user_id": ["社員番号"]}}}})
    assert settings.exports.headers.users["user_id"] == ["社員番号"]
    assert settings.exports.headers.users["name"] == ["氏名"]
    assert "unknown canonical field(s) staff_no" in _error(
        {"exports": {"headers": {"users": {"staff_no": ["社員番号"]}}}}
    )


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "kops.yaml"
    path.write_text("rules:\n  lapse_days: 30\n  recent_n: [3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.message.startswith("kops.yaml:")
    assert "not valid YAML" in caught.value.message


def test_documents_settings_are_checked_by_key() -> None:
    with pytest.raises(KopsError) as caught:
        parse_settings({"documents": {"meeting": "定例会" * 30, "colour": "red"}})
    assert (
        "kops.yaml: documents.meeting: is too long (90 characters; at most 80: it is "
        "printed on one line of mail subjects and slides)"
    ) in caught.value.message
    assert "kops.yaml: documents.colour: unknown setting" in caught.value.message
    assert parse_settings({}).documents.classification == "社外秘"


def test_a_seminar_date_in_another_form_is_refused_once_saying_both_forms(
    tmp_path: Path,
) -> None:
    """A seminar's date may be a date and time or a date: a wrong one is one line (it was
    refused once per form, the first in pydantic's English)."""
    with pytest.raises(ConfigError) as caught:
        parse_settings({"seminars": {"month1": {"month": 1, "date": "11/11 12:15"}}})
    assert caught.value.message == (
        "kops.yaml: seminars.month1.date: must be a date and time like 2026-12-10T12:15:00, "
        "or a date like 2026-12-10, got '11/11 12:15'"
    )


def test_a_kops_yaml_read_again_is_its_own_copy_and_a_bad_one_is_refused_each_time() -> None:
    """The same text read twice gives the same settings, each caller its own data (one
    changing it changes nothing for the next); a broken text is refused every time."""
    from kakeai_ops.config.loading import read_yaml
    from kakeai_ops.errors import ConfigError

    text = "mail:\n  from_name: 事務局\n  footer:\n    - 一行目\n"
    first = read_yaml(text, "kops.yaml")
    first.data["mail"]["footer"].append("書き足し")
    first.lines.clear()
    second = read_yaml(text, "kops.yaml")
    assert second.data == {"mail": {"from_name": "事務局", "footer": ["一行目"]}}
    assert second.line_of(("mail", "footer")) == 3
    for _attempt in range(2):
        with pytest.raises(ConfigError, match=r"kops\.yaml:3"):
            read_yaml("mail:\n  from_name: [事務局\n", "kops.yaml")


def test_a_topic_or_response_named_as_the_total_row_is_refused() -> None:
    """Each topic and 対応 table ends with its 「計」 row; a value of that name would be taken
    for it (and the privacy audit's sum with it)."""
    topics = ["業務の進捗や進め方", "計"]
    assert "'計' names the row that sums each table" in _error({"exports": {"topics": topics}})
    responses = ["計", "報告したい"]
    assert "'計' names the row" in _error({"exports": {"responses": responses}})


def test_a_campaign_or_seminar_title_too_long_for_a_subject_is_refused_by_its_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 300-character title passed the check, then every mail of the campaign was refused
    at 「件名が長すぎます」 and the deck's headings ran over: 80 characters, said in Japanese."""
    campaign = {
        "window": {"start": "2026-04-01", "end": "2026-09-30"},
        "rule": {"kind": "weekly_streak", "months": 3},
    }
    long, fits = "経営層との1on1権" * 9, "経" * 80  # 90 and 80 characters
    assert len(long) == 90
    message = _error(
        {
            "campaigns": {"x": {"title": long, **campaign}},
            "seminars": {"s": {"month": 1, "title": long}},
        }
    )
    for key in ("campaigns.x.title", "seminars.s.title"):
        assert f"kops.yaml: {key}: is too long (90 characters; at most 80" in message
    parsed = parse_settings(
        {
            "campaigns": {"x": {"title": fits, **campaign}},
            "seminars": {"s": {"month": 1, "title": fits}},
        }
    )
    assert parsed.campaigns["x"].title == parsed.seminars["s"].title == fits
    monkeypatch.setenv("KOPS_LANG", "ja")
    said = _error({"seminars": {"s": {"month": 1, "title": long}}})
    assert (
        "seminars.s.title: 長すぎます（90 文字。メールの件名やスライドの1行に入るよう 80 文字まで）"
        in said
    )


def test_an_advisor_asked_for_by_their_own_name_is_pointed_to_their_key() -> None:
    """`--advisor "山田 太郎"` (the person's name in kops.yaml) was told to add a new entry."""
    from kakeai_ops.config import advisor

    settings = parse_settings(
        {
            "advisors": {
                "営業本部長": {
                    "email": "yamada@example.co.jp",
                    "name": "山田 太郎",
                    "scope": ["営業本部"],
                }
            }
        }
    )
    for typed in ("山田 太郎", "yamada@example.co.jp"):
        with pytest.raises(KopsError) as caught:
            advisor(settings, typed)
        assert caught.value.hint == (
            f"'{typed}' is advisor 営業本部長 in kops.yaml: give --advisor 営業本部長"
        )
    with pytest.raises(KopsError) as unknown:
        advisor(settings, "田中 花子")
    assert unknown.value.hint == "add it under `advisors:` with its email and scope"


@pytest.mark.parametrize("key", ["../../evil", "a/b", "a\\b", "..", "-x", " "])
def test_a_campaign_or_seminar_id_that_cannot_name_a_run_is_refused_up_front(key: str) -> None:
    """A seminar id of ../../evil passed `kops status` and the review; only its first mail
    refused it (「は配信IDにできません」)."""
    for table, entry in (
        ("seminars", {"month": 1}),
        (
            "campaigns",
            {
                "title": "t",
                "window": {"start": "2026-04-01", "end": "2026-09-30"},
                "rule": {"kind": "weekly_streak", "months": 3},
            },
        ),
    ):
        message = _error({table: {key: entry}})
        assert f"kops.yaml: {table}: '{key}' cannot be an id" in message
    assert "月例1" in parse_settings({"seminars": {"月例1": {"month": 1}}}).seminars


@pytest.mark.parametrize(
    ("config", "japanese"),
    [
        ({"privacy": {"min_group": 16, "min_group_sensitive": 10}}, "以上にしてください"),
        ({"mail": {"smtp": {"auth": "password"}}}, "user（送信に使うメールボックス）"),
        ({"mail": {"smtp": {"password": "x"}}}, "秘密の値は kops.yaml から読みません"),
        ({"mail": {"message_id_domain": "例え.jp"}}, "ドメイン名にしてください"),
    ],
)
def test_a_refusal_reads_in_the_readers_language(
    config: dict, japanese: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """min_group 16 under the shipped min_group_sensitive 10 was refused in English to a
    Japanese reader (「min_group_sensitive (10) must be at least min_group (16)」), as were
    three of mail's refusals: their words were not in the catalog."""
    monkeypatch.setenv("KOPS_LANG", "ja")
    said = _error(config)
    assert japanese in said
    assert not [word for word in ("must", "needs", "never", "secrets") if word in said]


@pytest.mark.parametrize(
    ("config", "japanese"),
    [
        ({"mail": {"transport": "bogus"}}, "'outbox'、'smtp'、'graph' のどれかにしてください"),
        ({"seminars": {"month2": {"month": 7}}}, "1〜4 か、独自のテーマの名前にしてください"),
    ],
)
def test_a_choice_refused_reads_in_japanese(
    config: dict, japanese: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """「'outbox', 'smtp' or 'graph' にしてください」 and 「must be 1–4 or a custom theme's
    name」 to a Japanese reader."""
    monkeypatch.setenv("KOPS_LANG", "ja")
    said = _error(config)
    assert japanese in said and " or " not in said and "must" not in said


def test_an_empty_milestone_list_is_refused_by_its_key() -> None:
    """`milestones: []` was accepted and `campaign milestones` stopped with an IndexError."""
    assert "milestones: must list at least one count" in _error({"milestones": []})


@pytest.mark.parametrize("key", ["privacy.sensitive_topics", "interview.private_topics"])
def test_a_topic_treated_apart_must_be_a_topic(key: str) -> None:
    """`sensitive_topics: [心身の状況]` (a typo) was taken: the <10 minimum of 心身の状態 was
    quietly off."""
    section, name = key.split(".")
    said = _error({section: {name: ["心身の状況"]}})
    assert f"{key}: 心身の状況 is not one of exports.topics" in said


@pytest.mark.parametrize(
    "typed", ["2026/11/01", "２０２６－１１－０１", "2026-11-1", "2026年11月1日", " 2026/11/1 "]
)
def test_kops_yaml_takes_a_day_as_the_command_line_takes_it(typed: str) -> None:
    """`--as-of` took 2026/11/20, full-width digits and 2026年11月20日; kops.yaml refused
    each with 「YYYY-MM-DD の日付にしてください」. Every day of kops.yaml takes them now."""
    settings = parse_settings(
        {
            "milestones_since": typed,
            "calendar": {"company_holidays": [typed, f"{typed}..2026/11/3"]},
            "seminars": {"month1": {"month": 1, "date": typed.strip() + " 12:15"}},
            "campaigns": {
                "x": {
                    "title": "t",
                    "window": {"start": typed, "end": "2026/12/31"},
                    "rule": {"kind": "weekly_streak"},
                    "entry_deadline": typed.strip() + " 17:00",
                }
            },
        }
    )
    day = dt.date(2026, 11, 1)
    assert settings.milestones_since == day
    assert settings.calendar.company_holidays == [(day, day), (day, dt.date(2026, 11, 3))]
    assert settings.seminars["month1"].date == dt.datetime(2026, 11, 1, 12, 15)
    campaign = settings.campaigns["x"]
    assert (campaign.window.start, campaign.window.end) == (day, dt.date(2026, 12, 31))
    assert campaign.entry_deadline == dt.datetime(2026, 11, 1, 17, 0)


def test_a_day_not_on_the_calendar_or_not_a_day_is_still_refused() -> None:
    assert "milestones_since: must be a date YYYY-MM-DD" in _error(
        {"milestones_since": "2026/2/30"}
    )
    assert "milestones_since: must be a date YYYY-MM-DD" in _error({"milestones_since": "来月"})
    said = _error({"seminars": {"month1": {"month": 1, "date": "2026/12/10 25:00"}}})
    assert "seminars.month1.date: must be a date and time" in said


def test_a_seminar_day_alone_stays_a_day_and_an_offset_is_tokyo_time() -> None:
    """「2026/12/10」 typed read as midnight (a seminar at 「00:00〜」) once written as ISO
    text; 「…03:15:00+00:00」 (12:15 in Tokyo) was mailed as 03:15."""

    def when(typed: object) -> object:
        settings = parse_settings({"seminars": {"month2": {"month": 2, "date": typed}}})
        return settings.seminars["month2"].date

    assert when("2026/12/10") == dt.date(2026, 12, 10)
    assert when("2026-12-10T03:15:00+00:00") == dt.datetime(2026, 12, 10, 12, 15)
    assert when("2026年12月10日12時15分") == dt.datetime(2026, 12, 10, 12, 15)
    assert parse_settings({"milestones_since": 20261101}).milestones_since == dt.date(2026, 11, 1)
    holidays = parse_settings(
        {"calendar": {"company_holidays": ["２０２６／１２／２９．．２０２７／１／３"]}}
    ).calendar.company_holidays
    assert holidays == [(dt.date(2026, 12, 29), dt.date(2027, 1, 3))]
    # A day with a time where a day alone is asked for is refused as typed, in Japanese.
    said = _error({"milestones_since": "2026/11/20 12:15"})
    assert "must be a date YYYY-MM-DD, got '2026/11/20 12:15'" in said
