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
