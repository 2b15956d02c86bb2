"""One thing, one word: the Japanese catalog says each thing as the docs and the other
messages do (a reader who meets two words looks for two things)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import Cli

CATALOG = Path(__file__).parents[1] / "src/kakeai_ops/locale/ja/LC_MESSAGES/kops.po"

# The word not to use → the one the docs and the other messages use.
OTHER_WORDS = {
    "ディレクトリ": "フォルダ",
    "フォルダー": "フォルダ",
    "送付頻度": "送信頻度",
    "配信停止の一覧": "配信停止リスト",
}


def _translations() -> list[str]:
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    return [str(m.string) for m in catalog if m.id and m.string]


@pytest.mark.parametrize("word", sorted(OTHER_WORDS))
def test_the_catalog_uses_one_word_for_one_thing(word: str) -> None:
    found = [t for t in _translations() if word in t]
    assert not found, f"{word} (say {OTHER_WORDS[word]}): {found[:3]}"


def test_mail_status_help_names_the_states_as_the_table_does(ws) -> None:  # type: ignore[no-untyped-def]
    text = Cli(ws)("mail", "status", "--help", env={"KOPS_LANG": "ja"}).stdout
    assert "「書き出しのみ（未送信）」" in text and "「後日送信」" in text
    assert "written =" not in text and "deferred =" not in text
