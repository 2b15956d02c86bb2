"""Does a text name a person from the users export? Free-text examples that do are never shown.

Names and text are compared after NFKC, without spaces (全角/半角, 山田 太郎 / 山田太郎),
without invisible characters (a zero-width space pasted from chat: 橋\u200b本さん, variation
selectors), with katakana read as hiragana (誠サン = 誠さん) and with the old and variant
forms of common name characters folded (髙橋 = 高橋, 山﨑 = 山崎, 𠮷川 = 吉川, 嶋 = 島), so
a false "yes" costs only the choice of another example. Each name is matched as the full
name, and, when the export separates family and given name with a space, as each part:

- a part of two or more characters matches anywhere (佐藤, 陽介);
- a part of one character (森, 誠, 恵), or of two kana (ゆい), matches only when an
  honorific or title follows it (森さん, 誠くん, 林課長): alone it is too often part of
  an ordinary word (研修 holds 修, 森林 holds 森).

A name the export does not have, or has in another script (ナカモトさん for 中本), is
found where an honorific or title follows it: katakana before either (タナカ課長), two to
four kanji before a personal honorific (鈴木さん; not 営業部長, 皆さん). Without one
(やまだの話), it is not; the tokenizer's own person-name tag is the second line of
defence (analyses.themes).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable


def _is_katakana(text: str) -> bool:
    return all("\u30a0" <= c <= "\u30ff" for c in text)


HONORIFICS = (
    *("さん", "様", "さま", "くん", "君", "ちゃん", "氏", "先輩", "後輩", "殿", "どの", "はん"),
    *("課長", "部長", "係長", "主任", "室長", "所長", "本部長", "社長", "専務", "常務"),
    *("次長", "課長代理", "部長代理", "代理", "先生", "会長", "副社長", "取締役", "局長"),
    *("支店長", "店長", "工場長", "班長", "主査", "参事", "担当"),
    *("リーダー", "マネージャー", "マネジャー", "マネージャ", "pm", "gm"),
)
# Old and variant forms seen in Japanese names, folded to the common form.
_VARIANTS = str.maketrans(
    {
        "髙": "高",
        "﨑": "崎",
        "嵜": "崎",
        "濵": "浜",
        "濱": "浜",
        "邊": "辺",
        "邉": "辺",
        "齋": "斉",
        "齊": "斉",
        "斎": "斉",
        "澤": "沢",
        "櫻": "桜",
        "廣": "広",
        "國": "国",
        "德": "徳",
        "惠": "恵",
        "眞": "真",
        "冨": "富",
        "藪": "薮",
        "𠮷": "吉",
        "嶋": "島",
        "嶌": "島",
        "舘": "館",
        "栁": "柳",
        "槇": "槙",
        "瀨": "瀬",
        "龍": "竜",
        "圓": "円",
        "實": "実",
        "桒": "桑",
        "曻": "昇",
    }
)
# A name the export does not have (written in another script: ナカモトさん for 中本, or a
# colleague who has left) is still a name when a person's honorific or title follows it:
# two or more katakana before either (タナカ課長), two to four kanji before a personal
# honorific only (営業部長 is a department; 皆さん and お客様 are one kanji).
_PERSONAL = ("さん", "様", "さま", "くん", "君", "ちゃん", "氏", "先輩", "後輩")
_JAPANESE_TITLES = tuple(h for h in HONORIFICS if not h.isascii() and not _is_katakana(h))
_BEFORE_TITLE = re.compile(
    r"[ァ-ヺ][ァ-ヺー]+(?=" + "|".join(map(re.escape, (*_PERSONAL, *_JAPANESE_TITLES))) + ")"
    r"|[\u4e00-\u9fff々]{2,4}(?=" + "|".join(map(re.escape, _PERSONAL)) + ")"
)
# Words for people by their place, not names, that an honorific follows all the same
# (新人さん, 上司さん, メンバーさん, 先輩後輩): not masked, or the answer loses its sense.
NOT_NAMES = frozenset(
    {
        *("新人", "若手", "部下", "上司", "同僚", "先輩", "後輩", "後任", "前任"),
        *("社員", "派遣社員", "役員", "人事", "総務", "経理", "営業", "事務局"),
        *("課長", "部長", "係長", "主任", "社長", "担当", "担当者", "利用者", "参加者"),
        *("講師", "顧客", "近所", "家族", "皆", "皆様"),
        *("パート", "メンバー", "リーダー", "マネージャー", "チーム", "ユーザー", "スタッフ"),
        *("ベテラン", "アルバイト", "メンター", "トレーナー", "ゲスト"),
    }
)
_SPACE = re.compile(r"\s+")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff]+")


MASK = "○○"


# Names and answers share most of their characters: each is folded once per process
# (a company's 50,000 names were 300,000 calls); bounded for text of every character.
@functools.lru_cache(maxsize=1 << 16)
def _fold_char(char: str) -> str:
    """One character as names are compared: NFKC, no spaces or invisible characters
    (format characters such as U+200B, variation selectors), the common form of a
    variant, hiragana for katakana, lower case."""
    out = []
    for c in unicodedata.normalize("NFKC", char):
        if c.isspace() or unicodedata.category(c) == "Cf" or _is_selector(c):
            continue
        c = c.translate(_VARIANTS)
        if "\u30a1" <= c <= "\u30f6":  # katakana → hiragana (サン = さん)
            c = chr(ord(c) - 0x60)
        out.append(c.casefold())
    return "".join(out)


def _is_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def fold(text: str) -> str:
    return "".join(_fold_char(c) for c in text)


def fold_with_origins(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, where it came from in ``text``."""
    folded: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        for c in _fold_char(char):
            folded.append(c)
            origins.append(index)
    return "".join(folded), origins


def _titled(text: str) -> list[tuple[int, int]]:
    """Where a word an honorific or title follows is taken for a name (NOT_NAMES aside)."""
    return [m.span() for m in _BEFORE_TITLE.finditer(text) if not _not_a_name(m.group())]


def _not_a_name(word: str) -> bool:
    """A word for people by their place, alone or at the end (ご近所, 派遣社員, 先輩後輩)."""
    return any(word == w or (word.endswith(w) and len(w) > 1) for w in NOT_NAMES)


class NameMatcher:
    """Built once from every name in the users export; answers `contains(text)` quickly."""

    def __init__(self, names: Iterable[str]) -> None:
        self.anywhere: set[str] = set()
        self.titled: set[str] = set()
        for name in names:
            if not isinstance(name, str) or not name.strip():
                continue
            parts = unicodedata.normalize("NFKC", name).split()
            self._add(fold(name))
            if len(parts) > 1:
                for part in parts:
                    self._add(fold(part))
        self.lengths = sorted({len(n) for n in self.anywhere})
        self.honorifics = [fold(h) for h in HONORIFICS]

    def _add(self, part: str) -> None:
        short = len(part) == 1 or (len(part) == 2 and _KANA.fullmatch(part) is not None)
        if part:
            (self.titled if short else self.anywhere).add(part)

    def contains(self, text: str) -> bool:
        return bool(_titled(text)) or bool(self._spans(fold(text), first=True))

    def mask(self, text: str) -> str:
        """``text`` with every name in it replaced by ○○ (the honorific stays: ○○さん),
        for the secretariat's own view of every answer."""
        folded, origins = fold_with_origins(text)
        spans = self._spans(folded)
        titled = _titled(text)
        if not spans and not titled:
            return text
        hidden = [False] * len(text)
        for start, end in spans:
            for index in range(origins[start], origins[end - 1] + 1):
                hidden[index] = True
        for start, end in titled:
            hidden[start:end] = [True] * (end - start)
        out, previous = [], False
        for char, masked in zip(text, hidden, strict=True):
            if masked and not previous:
                out.append(MASK)
            elif not masked:
                out.append(char)
            previous = masked
        return "".join(out)

    def _spans(self, folded: str, first: bool = False) -> list[tuple[int, int]]:
        """Where names are in folded text, as (start, end) positions."""
        spans = []
        for n in reversed(self.lengths):  # the longest name first
            for i in range(len(folded) - n + 1):
                if folded[i : i + n] in self.anywhere:
                    spans.append((i, i + n))
                    if first:
                        return spans
        for title in self.honorifics:
            start = folded.find(title)
            while start != -1:
                for size in (1, 2):
                    before = folded[max(start - size, 0) : start]
                    if len(before) == size and before in self.titled:
                        spans.append((start - size, start))
                        if first:
                            return spans
                start = folded.find(title, start + 1)
        return spans

    def is_name(self, word: str) -> bool:
        """A whole word that is a name or a part of one (never shown as a theme)."""
        folded = fold(word)
        return folded in self.anywhere or folded in self.titled
