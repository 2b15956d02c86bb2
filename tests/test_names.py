"""People named in free text are found and masked whatever way the name was typed."""

from __future__ import annotations

import pytest

from kakeai_ops.analyses.names import NameMatcher

NAMES = NameMatcher(["橋本 健", "吉川 誠", "高嶋 恵", "山崎 ゆい", "森 陽介"])


@pytest.mark.parametrize(
    "text",
    [
        "橋\u200b本さんに相談した",  # a zero-width space pasted from chat
        "橋\u2060本さん",  # a word joiner
        "橋本\ufeffさん",  # a BOM in the middle
        "𠮷川さんの話",  # 𠮷 for 吉
        "髙嶋さんと",  # 髙 and 嶋 for 高島… 高嶋
        "高島恵さん",  # 嶋 written 島
        "山﨑さんが",  # 﨑 for 崎
        "誠サンが言っていた",  # katakana honorific
        "誠さまの資料",  # hiragana honorific
        "誠くん",
        "恵先生のセミナー",  # a title
        "森次長の1on1",
        "森課長代理",
        "ユイさんの工夫",  # a kana given name in the other script
        "吉川　誠さん",  # a full-width space
    ],
)
def test_a_name_however_typed_is_found(text: str) -> None:
    assert NAMES.contains(text), text


@pytest.mark.parametrize("text", ["森林浴", "誠実な対応", "恵まれた環境", "ゆいごん", "代理で参加"])
def test_ordinary_words_are_not_names(text: str) -> None:
    assert not NAMES.contains(text), text


def test_masking_keeps_the_text_and_hides_the_name() -> None:
    assert NAMES.mask("橋\u200b本さんに相談した") == "○○さんに相談した"
    assert NAMES.mask("𠮷川さんと誠サンが") == "○○さんと○○サンが"
    assert NAMES.mask("森次長の1on1はいつも短い") == "○○次長の1on1はいつも短い"
    assert NAMES.mask("雑談から入るのが苦手") == "雑談から入るのが苦手"
    masked = NAMES.mask("吉川 誠さんと山崎ゆいさん")
    assert "吉川" not in masked and "誠" not in masked and "山崎" not in masked
    assert masked.endswith("さん")


@pytest.mark.parametrize(
    "text, masked",
    [
        ("ナカモトさんの例を知りたい", "○○さんの例を知りたい"),  # 中本 in the export
        ("事前準備はタナカ課長流で", "事前準備は○○課長流で"),  # not in it at all
        ("鈴木さんに聞いた", "○○さんに聞いた"),  # left the company
        ("皆さんの話を聞きたい", "皆さんの話を聞きたい"),
        ("お客様対応の話", "お客様対応の話"),
        ("営業部長の話", "営業部長の話"),  # a department's head, not a name
        ("プロジェクトマネージャーの役割", "プロジェクトマネージャーの役割"),
        # People by their place, not names, with an honorific all the same.
        ("新人さんへの接し方", "新人さんへの接し方"),
        ("上司さんと部下さん", "上司さんと部下さん"),
        ("メンバーさんの話", "メンバーさんの話"),
        ("派遣社員さんとの1on1", "派遣社員さんとの1on1"),
        ("先輩後輩の関係", "先輩後輩の関係"),
        ("ご近所さんの話", "ご近所さんの話"),
    ],
)
def test_a_name_the_export_does_not_have_is_masked_before_an_honorific(
    text: str, masked: str
) -> None:
    """The secretariat's sheet of every answer is headed 「回答（名前は○○）」, and kept
    「ナカモトさんの例」 and 「タナカ課長流」 as written: names in katakana, or of no one
    in the export, are masked where an honorific or title follows them."""
    matcher = NameMatcher(["中本 一郎", "田岡 達也"])
    assert matcher.mask(text) == masked
    assert matcher.contains(text) == (masked != text)
