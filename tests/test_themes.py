"""Themes in free text: tokenising with Sudachi, 表記揺れ, phrases, keyword groups, names."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kakeai_ops.analyses import themes as th
from kakeai_ops.analyses.names import NameMatcher
from kakeai_ops.analyses.survey_text import group_answers
from kakeai_ops.config import Settings, parse_settings
from kakeai_ops.errors import ConfigError
from kakeai_ops.jobs.workspace_init import default_config_text

DATA = Path(__file__).parent / "data" / "themes"
ENCODINGS = {"month1.csv": "cp932", "month2.csv": "utf-8-sig", "month3.csv": "utf-8"}


def answers(name: str) -> list[str]:
    with (DATA / name).open(encoding=ENCODINGS[name], newline="") as handle:
        return [row["今、知りたいこと"] for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def tool() -> th.Analyser:
    return th.analyser(Settings().seminar_survey.themes)


def terms(tool: th.Analyser, text: str) -> set[str]:
    return {k[0] for k in tool.analyse(text).themes if len(k) == 1}


def test_the_data_set_is_large_enough() -> None:
    assert sum(len(answers(name)) for name in ENCODINGS) >= 60


def test_spelling_variants_are_one_word(tool: th.Analyser) -> None:
    # 表記揺れ folded by Sudachi's normalised form
    assert {"打ち合わせ"} <= terms(tool, "打合せの進め方") & terms(tool, "打ち合せのアジェンダ")
    assert "打ち合わせ" in terms(tool, "打ち合わせとの違い")
    assert "振り返り" in terms(tool, "ふりかえりの質問例") & terms(tool, "振り返りシートの書き方")
    assert "コミュニケーション" in terms(tool, "コミニュケーションの取り方")  # a common typo
    # 全角/半角 and case by NFKC + lower case
    assert "スケジュール" in terms(tool, "ｽｹｼﾞｭｰﾙが合わない")
    assert "okr" in terms(tool, "ＯＫＲの進め方") & terms(tool, "OKRの進め方")
    # compounds and synonyms from kops.yaml
    assert "スッキリ度" in terms(tool, "すっきり度の入力") & terms(tool, "スッキリ度が低い")
    feedback = ("feedbackの受け方", "FBを伝える", "フィードバッグの仕方", "フィードバックの伝え方")
    assert all("フィードバック" in terms(tool, t) for t in feedback)
    # labels: a synonym shows as its word, ASCII keeps the answer's case
    assert tool.analyse("feedbackの受け方").themes[("フィードバック",)] == "フィードバック"
    assert tool.analyse("ＯＫＲの進め方").themes[("okr",)] == "OKR"


def test_one_on_one_spellings_are_one_word() -> None:
    settings = Settings()
    stop = [w for w in settings.seminar_survey.themes.stop_words if w != "1on1"]
    tool = th.analyser(settings.seminar_survey.themes.model_copy(update={"stop_words": stop}))
    for text in (
        "1on1の頻度",
        "１ｏｎ１の頻度",
        "1 on 1の頻度",
        "ワンオンワンの頻度",
        "1on1ミーティングの頻度",
    ):
        assert terms(tool, text) == {"1on1", "頻度"}, text
    assert ("1on1", "頻度") in tool.analyse("ワンオンワンの頻度").themes


def test_content_words_and_phrases(tool: th.Analyser) -> None:
    found = tool.analyse("部下のモチベーションを上げる声かけを知りたい").themes
    assert {k for k in found if len(k) == 1} == {
        ("部下",),
        ("モチベーション",),
        ("上げる",),
        ("声掛け",),
    }  # normalised: 声かけ = 声掛け
    assert (
        found[("モチベーション", "上げる")] == "モチベーションを上げる"
    )  # verbs in dictionary form
    assert ("部下", "モチベーション") in found
    # a stop word between two words breaks the phrase: 続く and 対処 are not adjacent
    found = tool.analyse("沈黙が続いたときの対処").themes
    assert ("沈黙", "続く") in found and ("続く", "対処") not in found
    assert not tool.analyse("特になし").themes
    assert not tool.analyse("何を知りたいか分からない").themes  # a pronoun and stop words


def test_person_names_are_never_terms(tool: th.Analyser) -> None:
    answer = tool.analyse("山田さんのチームの工夫")
    assert answer.mentions_person and ("山田",) not in answer.themes


def test_very_long_answers_are_tokenised_in_pieces(tool: th.Analyser) -> None:
    # Sudachi refuses more than 49,149 bytes in one call
    found = tool.analyse("研修の内容" * 20000 + "\n" + "雑談" * 30000).themes
    assert ("研修",) in found and ("雑談",) in found


def test_keyword_groups_match_normalised_forms() -> None:
    keywords = {**Settings().seminar_survey.keywords, "打ち合わせとの違い": ["打合せ"]}
    grouped = group_answers(
        [
            "ふりかえりの質問例",
            "すっきり度の入力を忘れる",
            "ｽｹｼﾞｭｰﾙ調整",
            "打ち合せのアジェンダ",
            "打ち合わせのように進捗報告になってしまう",
            "ランチの話",
        ],
        keywords,
    )
    groups = grouped.groupby("answer")["group"].apply(set).to_dict()
    assert groups["ふりかえりの質問例"] == {"スッキリ度・振り返り"}
    assert groups["すっきり度の入力を忘れる"] == {"スッキリ度・振り返り"}
    assert groups["ｽｹｼﾞｭｰﾙ調整"] == {"繰り返し・予定"}
    assert groups["打ち合せのアジェンダ"] == {"打ち合わせとの違い"}
    assert groups["打ち合わせのように進捗報告になってしまう"] == {"打ち合わせとの違い"}
    assert groups["ランチの話"] == {"その他"}
    # the words matched are the ones configured
    row = grouped[grouped["answer"] == "打ち合せのアジェンダ"].iloc[0]
    assert row["matched"] == "打合せ"


def test_names_from_the_users_export() -> None:
    names = NameMatcher(["髙橋 悠斗", "森 陽介", "石川 修", "西村 真由美", "あべ ゆい", "小林浩二"])
    for text in (
        "高橋悠斗さんの雑談術",  # 髙 and 高 are the same name
        "髙橋　悠斗さん",  # full-width space
        "ﾀｲﾄﾙは西村 真由美さんから",
        "森さんのチームの雑談",  # a one-character family name with an honorific
        "修くんが言っていた",
        "ゆいさんの工夫",
        "悠斗の工夫",  # a given name of two characters matches alone
        "髙橋と話した",
        "小林浩二さん",  # a name without a space is matched whole
        # Not split from 小林浩二, but two kanji before さん name someone, whoever it is.
        "小林さん",
    ):
        assert names.contains(text), text
    for text in (
        "森林浴のような1on1",
        "研修後の実践",
        "ゆいごんのような",
        "小林の工夫",  # 小林 alone is not the export's 小林浩二, and no honorific follows
        "陽気な雰囲気",
    ):
        assert not names.contains(text), text
    assert names.is_name("髙橋") and names.is_name("修") and not names.is_name("研修")


def test_themes_need_min_group_answers_and_pick_an_example_without_names() -> None:
    tool = th.analyser(Settings().seminar_survey.themes)
    analysed = [tool.analyse(t) for t in answers("month2.csv")]
    names = NameMatcher(["髙橋 悠斗", "森 陽介"])
    keywords = th.prepare_keywords(Settings().seminar_survey.keywords, tool)
    found = th.find_themes(
        analysed,
        keywords,
        min_group=5,
        top=10,
        hidden=lambda a: names.contains(a.text),
        is_name=names.is_name,
    )
    assert [(t.label, t.answers, t.example) for t in found] == [
        ("雑談", 5, "雑談から入るのが苦手です")
    ]
    assert found[0].covered_by is None
    lower = th.find_themes(
        analysed, keywords, min_group=3, top=10, hidden=lambda a: False, is_name=names.is_name
    )
    labels = {t.label: t for t in lower}
    assert labels["雑談"].example == "髙橋との雑談術"  # the shortest, when names may show
    assert labels["OKR"].answers == 3 and labels["モチベーション"].answers == 3


def test_shipped_themes_settings_are_the_defaults() -> None:
    shipped = parse_settings(yaml.load(default_config_text(), Loader=yaml.CSafeLoader))
    assert shipped.seminar_survey == Settings().seminar_survey


def test_themes_settings_are_validated() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"seminar_survey": {"themes": {"top": 0, "stop_word": []}}})
    message = caught.value.message
    assert "seminar_survey.themes.top: must be a positive integer, got 0" in message
    assert (
        "seminar_survey.themes.stop_word: unknown setting (did you mean 'stop_words'?)" in message
    )


def test_a_name_is_never_a_theme(tool: th.Analyser) -> None:
    analysed = [
        tool.analyse(f"さくらと{topic}の相談") for topic in ("目標", "評価", "育成", "異動", "研修")
    ]
    keywords = th.prepare_keywords({}, tool)

    def labels(names: NameMatcher) -> set[str]:
        found = th.find_themes(
            analysed, keywords, min_group=5, top=10, hidden=lambda a: False, is_name=names.is_name
        )
        return {t.label for t in found}

    assert labels(NameMatcher([])) == {"さくら", "相談"}  # the dictionary reads it as 桜
    assert labels(NameMatcher(["長谷川 さくら"])) == {"相談"}


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_analysed_without_error(text: str) -> None:
    tool = th.analyser(Settings().seminar_survey.themes)
    answer = tool.analyse(text)
    assert all(1 <= len(key) <= 2 for key in answer.themes)
    NameMatcher(["森 陽介", "髙橋 悠斗"]).contains(text)
