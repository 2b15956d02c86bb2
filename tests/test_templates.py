"""Mail templates: shipped ones parse, variables are checked, the workspace overrides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from factories import meeting, pair, tables, user
from kakeai_ops.config import Settings
from kakeai_ops.errors import KopsError
from kakeai_ops.mail.audience import AudienceSpec, build_audience
from kakeai_ops.mail.audience_kinds import Segment
from kakeai_ops.mail.plan import make_plan
from kakeai_ops.mail.templates import TemplateSet
from kakeai_ops.workspace import shipped_templates_dir

AS_OF = dt.date(2026, 11, 20)
SHIPPED = shipped_templates_dir() / "mail"  # type: ignore[operator]


def templates(tmp_path: Path) -> TemplateSet:
    return TemplateSet(tmp_path / "none", SHIPPED)


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
        AudienceSpec(Segment("no_prep")), t, Settings(), AS_OF, templates(tmp_path), {}
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
        "開始前にトピックを選んでいたのは 0 回",
    ):
        assert phrase in message.text
    assert "配信不要" in message.text and Settings().mail.contact in message.text


def test_missing_variable_stops_before_sending(tmp_path: Path) -> None:
    t = tables(users=[user("A", last_login_at=None)])
    spec = AudienceSpec(Segment("not_activated"), template="seminar.month1")  # needs --seminar
    audience = build_audience(spec, t, Settings(), AS_OF, templates(tmp_path), {})
    with pytest.raises(KopsError) as caught:
        make_plan(audience, templates(tmp_path), Settings(), "r")
    assert (
        "seminar.month1.txt: template uses a value this run does not provide"
        in caught.value.message
    )
    # The name alone, not Jinja's English 「'seminar' is undefined」 inside a Japanese line.
    assert caught.value.message.endswith("does not provide: 'seminar'")


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


def test_a_subject_that_carries_the_prefix_gets_it_once(tmp_path: Path) -> None:
    """A secretariat's own subject 「【KAKEAI事務局】…」 is not shown as 【KAKEAI事務局】【KAKEAI事務局】…."""
    own = tmp_path / "mine"
    own.mkdir()
    (own / "no_pair.txt").write_text(
        "subject: 【KAKEAI事務局】ペアのお願い\n---\n{{ name }} {{ honorific }}\n", encoding="utf-8"
    )
    rendered = (
        TemplateSet(own, SHIPPED)
        .get("no_pair")
        .render({"name": "A", "honorific": "様"}, "【KAKEAI事務局】")
    )
    assert rendered.subject == "【KAKEAI事務局】ペアのお願い"


SEMINAR_DATE = dt.datetime(2026, 12, 10, 12, 15)


PHONE_CHARACTERS = 25  # what a phone's mail list shows of a subject, at most (20–25)


def _columns_before(text: str, part: str) -> int:
    """Display columns before ``part`` (a full-width character takes two, as on a phone)."""
    import unicodedata

    head = text[: text.index(part)]
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in head)


def _seminar_subject(tmp_path: Path, template: str, name: str, date: object) -> str:
    from kakeai_ops.config import load_settings
    from kakeai_ops.mail.context import seminar_context

    settings = load_settings(SHIPPED.parent.parent / "kops.yaml")
    seminar = settings.seminars[name].model_copy(update={"date": date, "title": "社内で決めた題名"})
    settings = settings.model_copy(update={"seminars": {**settings.seminars, name: seminar}})
    context = {"name": "A", "honorific": "様", "mail": {"contact": "c"}}
    context["seminar"] = seminar_context(settings, name) | {"changes": []}
    return templates(tmp_path).get(template).render(context, "【KAKEAI事務局】").subject


@pytest.mark.parametrize(
    ("template", "name", "said"),
    [
        ("seminar.month1", "month1", "12/10(木) 12:15〜 セミナーのご案内"),
        ("seminar.month2", "month2", "12/10(木) 12:15〜 セミナーのご案内"),
        ("seminar.month3", "month3", "12/10(木) 12:15〜 セミナーのご案内"),
        ("seminar.month4", "month4", "12/10(木) 12:15〜 上司の方向けセミナーのご案内"),
        # 録画 first: after the date it fell past a phone's list, which then read as the
        # invitation already had.
        ("seminar.recording", "month1", "録画公開 12/10(木)開催のセミナー"),
        ("seminar.correction", "month1", "【訂正】12/10(木) 12:15〜 セミナーのご案内"),
    ],
)
def test_a_seminar_subject_says_when_and_what_first_with_the_configured_title(
    tmp_path: Path, template: str, name: str, said: str
) -> None:
    """On a phone's list only the start of a subject shows: after the one prefix (the house
    style) come the day and what the mail is, then the title as kops.yaml has it."""
    subject = _seminar_subject(tmp_path, template, name, SEMINAR_DATE)
    assert subject == f"【KAKEAI事務局】{said}「社内で決めた題名」"
    # The day with its weekday within the first 25 characters; what it is (セミナー)
    # starts within the first 25 full-width columns.
    assert "12/10(木)" in subject[:PHONE_CHARACTERS]
    assert _columns_before(subject, "セミナー") < 2 * PHONE_CHARACTERS


@pytest.mark.parametrize("name", ["month1", "month2", "month3", "month4"])
def test_an_undated_seminar_subject_names_the_seminar(tmp_path: Path, name: str) -> None:
    """Undated (--tbd): the title alone; the body says the date will follow."""
    subject = _seminar_subject(tmp_path, f"seminar.{name}", name, None)
    lead = "上司の方向け" if name == "month4" else "オンライン"
    assert subject == f"【KAKEAI事務局】{lead}セミナーのご案内「社内で決めた題名」"


def test_no_shipped_subject_opens_a_second_bracket_but_a_correction(tmp_path: Path) -> None:
    """The prefix is the one 【】 of a subject; only a correction is marked, 【訂正】 or, where
    it only tells what was left 「後日ご案内」, 【日時決定】."""
    ts = templates(tmp_path)
    for name in ts.names():
        source = ts.get(name).subject_source
        assert source.count("【") == (2 if name == "seminar.correction" else 0), name


def test_a_date_decided_after_a_tbd_invitation_is_news_not_an_apology(tmp_path: Path) -> None:
    """Invited with --tbd, then the date set: the correction went out as 【訂正】 with
    「（訂正前：日時は後日ご案内）」 and 「ご迷惑をおかけし、申し訳ございません」."""
    from kakeai_ops.config import load_settings
    from kakeai_ops.mail.context import seminar_context

    settings = load_settings(SHIPPED.parent.parent / "kops.yaml")
    seminar = settings.seminars["month1"].model_copy(update={"date": SEMINAR_DATE})
    settings = settings.model_copy(update={"seminars": {**settings.seminars, "month1": seminar}})
    decided = {
        "label": "日時",
        "before": "日時は後日ご案内",
        "after": "2026年12月10日（木）12:15〜",
    }
    moved = {**decided, "before": "2026年12月9日（水）12:15〜"}
    # The length, not stated with --tbd, set with the date: still news (it was a 【訂正】 of
    # 「所要時間：30分（訂正前：記載なし）」 with an apology); a length alone is a correction.
    length = {"label": "所要時間", "before": "記載なし", "after": "30分"}
    said = {}
    for kind, changes in (
        ("decided", [decided]),
        ("moved", [moved]),
        ("decided with its length", [decided, length]),
        ("length alone", [length]),
    ):
        context = {"name": "A", "honorific": "様", "mail": {"contact": "c"}}
        context["seminar"] = seminar_context(settings, "month1") | {"changes": changes}
        said[kind] = templates(tmp_path).get("seminar.correction").render(context, "【P】")
    with_length = said["decided with its length"]
    assert with_length.subject.startswith("【P】【日時決定】12/10(木)")
    assert "訂正前" not in with_length.text and "申し訳" not in with_length.text
    assert "■ 所要時間：30分" in with_length.text
    assert said["length alone"].subject.startswith("【P】【訂正】")
    assert said["decided"].subject.startswith("【P】【日時決定】12/10(木)")
    assert "訂正前" not in said["decided"].text and "申し訳" not in said["decided"].text
    assert "■ 日時：2026年12月10日（木）12:15〜" in said["decided"].text
    assert said["moved"].subject.startswith("【P】【訂正】12/10(木)")
    assert "（訂正前：2026年12月9日（水）12:15〜）" in said["moved"].text
    assert "申し訳ございません" in said["moved"].text


def test_shipped_mails_write_one_greeting_and_claim_nothing_uncounted(tmp_path: Path) -> None:
    """お疲れさま is written one way in every mail (a milestone mail said both お疲れさまです
    and おつかれさまでした), and a draw's result never claims 「多くのご応募」: kops does not
    tell the template how many entered, and a small draw would make it untrue."""
    files = sorted(SHIPPED.glob("*.txt"))  # the shared parts (_milestone.member.txt) too
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "おつかれ" not in text, path.name
        assert "多くのご応募" not in text, path.name


def test_a_draw_mail_claims_no_1on1_in_every_week(tmp_path: Path) -> None:
    """Winners and those not drawn qualified with weeks that had no business day (お盆)
    excused, not necessarily held: their mails, which have no run of months to name those
    weeks as the award mail does, do not say 毎週の 1on1 を続けてこられた."""
    for name in ("campaign.winner", "campaign.not_drawn"):
        body = " ".join((SHIPPED / f"{name}.txt").read_text(encoding="utf-8").split())
        assert "毎週の 1on1 を続け" not in body and "欠かさず" not in body, name
        assert "応募条件を満たすまで 1on1 を続けてこられた" in body, name


def test_a_run_of_months_says_its_year_once_within_a_year() -> None:
    from kakeai_ops.mail.context import run_text

    assert run_text("2026-07", "2026-09") == "2026年7月から9月まで"
    assert run_text("2025-11", "2026-01") == "2025年11月から2026年1月まで"
    assert run_text(None, "2026-09") == ""


def test_a_streak_rule_is_said_with_its_role_and_count() -> None:
    """The not-eligible mail says what a missed week lacked as the rule counts it."""
    from kakeai_ops.mail.context import missed_week_text, streak_rule_text

    assert missed_week_text("member", 1) == "部下として参加した 1on1 の記録がない週"
    assert missed_week_text("manager", 2) == "上司として実施した 1on1 が 2 回に満たない週"
    assert missed_week_text("any", 1) == "1on1 の記録がない週"
    assert streak_rule_text(4, "any", 2) == (
        "対象期間のうち連続する 4 か月の、どの週にも 1on1 が 2 回以上あること"
    )


def test_a_window_says_its_year_once_within_a_year() -> None:
    from kakeai_ops.mail.context import month_range_text

    assert month_range_text("2026-04", "2026-09") == "2026年4月〜9月"
    assert month_range_text("2026-10", "2027-03") == "2026年10月〜2027年3月"


def test_an_edited_template_or_include_is_read_anew_in_the_same_process(tmp_path: Path) -> None:
    """Texts are parsed and compiled once per process: a template or an included file
    edited between two runs is a new text, never the old one's compiled form or names."""
    from kakeai_ops.mail.records import read_paths

    own = tmp_path / "mine"
    own.mkdir()
    main, footer = own / "mine.txt", own / "_footer.txt"

    def run() -> tuple[str, str, list[str], list[str]]:
        chosen = TemplateSet(own, SHIPPED)
        template = chosen.get("mine")
        context = {"name": "A", "n": 1, "a": "甲", "b": "乙", "facts": {"x": 1, "y": 2}}
        rendered = template.render(context, "")
        return (
            rendered.subject,
            rendered.text,
            template.variables(),
            read_paths(template, chosen.env),
        )

    main.write_text("subject: 件名{{ n }}\n---\n{{ name }}\n{% include '_footer.txt' %}\n", "utf-8")
    footer.write_text("F1 {{ a }} {{ facts.x }}\n", encoding="utf-8")
    first = run()
    assert first == (
        "件名1",
        "A\nF1 甲 1\n",
        ["a", "facts", "n", "name"],
        ["a", "facts.x", "n", "name"],
    )
    footer.write_text("F2 {{ b }} {{ facts.y }}\n", encoding="utf-8")
    assert run() == (
        "件名1",
        "A\nF2 乙 2\n",
        ["b", "facts", "n", "name"],
        ["b", "facts.y", "n", "name"],
    )
    main.write_text("subject: 題{{ name }}\n---\n{{ n }}\n", encoding="utf-8")
    assert run() == ("題A", "1\n", ["n", "name"], ["n", "name"])
    main.write_text("subject: x\n---\n{% if %}\n", encoding="utf-8")
    with pytest.raises(KopsError, match=r"mine\.txt:3: template error"):
        run()
    main.write_text("subject: 件名{{ n }}\n---\n{{ name }}\n{% include '_footer.txt' %}\n", "utf-8")
    footer.write_text("F1 {{ a }} {{ facts.x }}\n", encoding="utf-8")
    assert run() == first


def test_one_text_in_the_text_and_the_html_body_is_escaped_in_the_html_alone(
    tmp_path: Path,
) -> None:
    own = tmp_path / "mine"
    own.mkdir()
    (own / "both.txt").write_text("subject: s\n---\n{{ v }}\n", encoding="utf-8")
    (own / "both.html").write_text("{{ v }}\n", encoding="utf-8")
    for _ in range(2):
        rendered = TemplateSet(own, SHIPPED).get("both").render({"v": "<b>&"}, "")
        assert (rendered.text, rendered.html) == ("<b>&\n", "&lt;b&gt;&amp;")


def test_a_shipped_template_labelled_a_nudge_counts_toward_the_nudge_cap(tmp_path: Path) -> None:
    """Seminar invitations were labelled 促し (kind: nudge) in `mail templates`, previews and
    the ledger while mail.max_per_week counted them as 案内 (programme): a reader checking
    an employee's nudges could not tell which limit applied."""
    from kakeai_ops.mail.caps import category

    ts = templates(tmp_path)
    labelled = {name: ts.get(name).kind for name in ts.names()}
    assert labelled["seminar.month1"] == labelled["seminar.recording"] == "invitation"
    wrong = {
        name: kind
        for name, kind in labelled.items()
        if (kind == "nudge") != (category(name, kind) == "nudge")
    }
    assert wrong == {}


def test_a_workspaces_older_seminar_template_is_labelled_as_it_is_counted(tmp_path: Path) -> None:
    """A workspace made before seminar mails had a kind of their own keeps `kind: nudge` in
    its copy: it is labelled 案内 (invitation), as the cap counts it."""
    own = tmp_path / "templates" / "mail"
    own.mkdir(parents=True)
    text = (SHIPPED / "seminar.month1.txt").read_text(encoding="utf-8")
    (own / "seminar.month1.txt").write_text(
        text.replace("kind: invitation", "kind: nudge").replace(
            "セミナーのご案内", "勉強会のご案内"
        ),
        encoding="utf-8",
    )
    assert "kind: nudge" in (own / "seminar.month1.txt").read_text(encoding="utf-8")
    template = TemplateSet(own, SHIPPED).get("seminar.month1")
    assert "勉強会のご案内" in template.subject_source  # the workspace's own copy
    assert template.kind == "invitation"
