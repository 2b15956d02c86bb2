"""Does a text name a person from the users export? Free-text examples that do are never shown.

Names and text are compared after NFKC, without spaces (全角/半角, 山田 太郎 / 山田太郎), and
with the old forms of common name characters folded (髙橋 = 高橋, 山﨑 = 山崎), so a
false "yes" costs only the choice of another example. Each name is matched as the full
name, and, when the export separates family and given name with a space, as each part:

- a part of two or more characters matches anywhere (佐藤, 陽介);
- a part of one character (森, 誠, 恵), or of two kana (ゆい), matches only when an
  honorific or title follows it (森さん, 誠くん, 林課長): alone it is too often part of
  an ordinary word (研修 holds 修, 森林 holds 森).

Names written in another script than the export's (やまださん for 山田) are not found;
the tokenizer's own person-name tag is the second line of defence (analyses.themes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

HONORIFICS = (
    *("さん", "様", "さま", "くん", "君", "ちゃん", "氏", "先輩", "後輩", "殿"),
    *("課長", "部長", "係長", "主任", "室長", "所長", "本部長", "社長", "専務", "常務"),
    *("リーダー", "マネージャー", "マネジャー", "pm", "gm"),
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
    }
)
_SPACE = re.compile(r"\s+")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff]+")


def fold(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_VARIANTS).casefold()


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
        folded = fold(text)
        for n in self.lengths:
            for i in range(len(folded) - n + 1):
                if folded[i : i + n] in self.anywhere:
                    return True
        for title in self.honorifics:
            start = folded.find(title)
            while start != -1:
                before = (folded[max(start - 1, 0) : start], folded[max(start - 2, 0) : start])
                if any(b in self.titled for b in before if b):
                    return True
                start = folded.find(title, start + 1)
        return False

    def is_name(self, word: str) -> bool:
        """A whole word that is a name or a part of one (never shown as a theme)."""
        folded = fold(word)
        return folded in self.anywhere or folded in self.titled
