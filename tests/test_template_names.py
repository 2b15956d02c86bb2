"""A mail's template and run named in words, in one place for the review and `mail status`."""

from __future__ import annotations

from kakeai_ops.mail.template_names import item_words, run_about, run_name, template_name

SEMINARS = {"month1": "1on1をみんなどうやっているの？"}
CAMPAIGNS = {"exec-1on1-2026h2": "経営層との1on1権"}


def test_templates_are_named_as_the_review_names_them() -> None:
    assert template_name("no_prep.member") == "事前準備なし・部下向け"
    assert template_name("no_recurrence.manager") == "繰り返し未設定・上司向け"
    assert template_name("no_pair") == "ペア未成立"
    assert template_name("seminar.month1", SEMINARS["month1"]) == (
        "セミナーのご案内：1on1をみんなどうやっているの？"
    )
    assert template_name("seminar.recording") == "セミナーの録画のご案内"
    assert (
        template_name("campaign.awarded", "経営層との1on1権") == "経営層との1on1権：付与のお知らせ"
    )
    assert template_name("milestone.both") == "マイルストーンのお知らせ"
    assert template_name("report.advisor") == "事業部別レポートの送付"
    # A template the secretariat added: its own key (the writer keeps a formula inert).
    assert template_name("thanks.custom") == "thanks.custom"
    assert template_name("=1+1") == "=1+1"


def test_runs_are_named_with_their_month_and_what_they_are_for() -> None:
    assert run_name("no_prep.member-2026-10", SEMINARS, CAMPAIGNS) == (
        "事前準備なし・部下向け（2026年10月）"
    )
    assert run_name("seminar.recording-month1", SEMINARS, CAMPAIGNS) == (
        "セミナーの録画のご案内：1on1をみんなどうやっているの？"
    )
    assert run_name("campaign.winner-exec-1on1-2026h2", SEMINARS, CAMPAIGNS) == (
        "経営層との1on1権：当選のお知らせ"
    )
    assert run_name("something-else", SEMINARS, CAMPAIGNS) == "メール配信"
    assert run_about("no_prep.member-2026-10", SEMINARS, CAMPAIGNS) is None


def test_an_item_says_only_what_the_employee_number_does_not() -> None:
    assert item_words("000120", "000120") == ""
    assert item_words("000238:manager:20+member:20", "000238") == "上司 20回・部下 20回"
    assert item_words("営業本部長", "advisor:営業本部長") == "営業本部長"
    # Hostile or unexpected items are shown as stored, never dropped or split wrongly.
    assert item_words("000238:", "000238") == "000238:"
    assert item_words("=cmd|' /C calc'!A0", "000238") == "=cmd|' /C calc'!A0"


def test_the_advisors_reports_run_is_named_as_its_rows_are() -> None:
    """The deck called the advisors' reports' run 「メール配信」 beside `mail status`'s
    「事業部別レポートの送付」 for the same mails."""
    from kakeai_ops.mail.template_names import run_name, template_name

    said = run_name("advisor-reports-90d-0002", {}, {})
    assert said.startswith(template_name("report.division"))
    assert said == "事業部別レポートの送付（直近90日）"


def test_two_advisors_runs_are_told_apart_by_their_period_and_day() -> None:
    """Two runs of the reports read as two rows of 「事業部別レポートの送付」 on the deck;
    only the notes' ids told them apart."""
    from kakeai_ops.mail.template_names import run_name

    assert [
        run_name(run_id, {}, {})
        for run_id in (
            "advisor-reports-90d-0002-20261113",
            "advisor-reports-month_2026-11-0002",
            "advisor-reports-quarter_2026Q4-0003",
            "advisor-reports-half_2026H2-0003",
            "advisor-reports-year_2026-0003",
            "advisor-reports-=cmd-0003",
        )
    ] == [
        "事業部別レポートの送付（直近90日、11月13日時点）",
        "事業部別レポートの送付（2026年11月）",
        "事業部別レポートの送付（2026年10〜12月）",
        "事業部別レポートの送付（2026年7〜12月）",
        "事業部別レポートの送付（2026年）",
        "事業部別レポートの送付（=cmd）",
    ]
