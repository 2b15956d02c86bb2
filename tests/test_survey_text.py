"""The free text of a seminar survey (「今、知りたいこと」): what counts as an answer and
which keyword group an answer joins."""

from __future__ import annotations

from kakeai_ops.analyses.survey_text import analyse, group_answers, says_nothing
from kakeai_ops.config import Settings


def test_an_answer_that_says_nothing_is_not_an_answer() -> None:
    """「特になし」 was counted, and grouped under その他, as something someone wants to know."""
    nothing = ["特になし", "特になし。", "なし", " ﾅｼ ", "－", "特にありません", "N/A"]
    assert [says_nothing(t) for t in nothing] == [True, True, True, False, True, True, True]
    # An aside or 「いまのところ」 around it says nothing more.
    assert says_nothing("なし（今は十分です）") and says_nothing("いまのところ特にないです")
    something = [
        "なしの場合の進め方",
        "特にないと言われたときの話の広げ方",
        "なし（部下の話を聴くコツ）",
    ]
    assert not any(says_nothing(t) for t in something)
    texts = ["特になし", "部下の話の聴き方", "なし。", "特にないと言われたときの話の広げ方"]
    assert [a.text for a in analyse(texts, Settings())] == [texts[1], texts[3]]
    grouped = group_answers(texts, Settings().seminar_survey.keywords)
    assert set(grouped["answer"]) == {texts[1], texts[3]}


def test_wanting_to_know_what_others_talk_about_is_the_month2_theme() -> None:
    """「他の部署の人が、どんな話をしているのか知りたい」 (×2 in the sample) went to その他,
    though it is the theme of Month2 (他の人は1on1でどんな話をしているの？)."""
    answer = "他の部署の人が、どんな話をしているのか知りたい"
    grouped = group_answers([answer], Settings().seminar_survey.keywords)
    assert list(grouped["group"]) == ["ほかの人の1on1"]
