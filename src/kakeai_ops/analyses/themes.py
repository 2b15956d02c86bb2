"""Themes in free-text answers: normalised words and two-word phrases, counted per answer.

Pure: answers in, counts, labels and examples out. Words come from SudachiPy (core
dictionary, split mode C, so dictionary compounds such as 目標設定 stay whole) and are
compared by their normalised form, so 打合せ/打ち合わせ and ふりかえり/振り返り are one
word. Text is NFKC-normalised and lower-cased first (全角/半角, OKR/okr). The tokenizer is
made once per process and imported only when free text is analysed, so `kops --help`
stays fast.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from ..config import Themes
from ..errors import KopsError
from ..i18n import _
from ..privacy.rules import shows

ThemeKey = tuple[str, ...]  # one normalised word (a term) or two (a phrase)

# Part-of-speech of the words worth counting (UniDic tags as Sudachi gives them).
CONTENT_POS = {"名詞", "動詞", "形容詞"}
NOUN_KINDS = {"普通名詞", "固有名詞"}
# What may stand between the two words of a phrase: particles, auxiliaries, affixes.
GLUE_POS = {"助詞", "助動詞", "接尾辞", "接頭辞"}
BREAK_POS = {"補助記号", "空白"}
MAX_RULE_TOKENS = 4  # a compound or synonym spans at most this many tokens
CHUNK = 1000  # characters per tokenizer call: Sudachi refuses very long inputs
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_ONE_ON_ONE = re.compile(r"(?<![a-z0-9])1\s*on\s*1(?![a-z0-9])")


def prepare(text: str) -> str:
    """NFKC and lower case; '1 on 1' written with spaces is the word 1on1."""
    return _ONE_ON_ONE.sub("1on1", unicodedata.normalize("NFKC", text).lower())


@lru_cache(maxsize=1)
def _tokenizer_dictionary() -> Any:
    try:
        from sudachipy import Dictionary
    except ImportError:  # pragma: no cover - a broken install
        raise KopsError(
            _("SudachiPy is not installed: free text cannot be analysed"),
            hint="pip install sudachipy sudachidict_core",
        ) from None
    try:
        return Dictionary(dict="core")
    except Exception as error:  # pragma: no cover - the dictionary package is missing
        raise KopsError(
            _("the Sudachi core dictionary could not be loaded ({error})").format(
                error=type(error).__name__
            ),
            hint="pip install sudachidict_core",
        ) from None


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from sudachipy import SplitMode

    return _tokenizer_dictionary().tokenizer(mode=SplitMode.C)


class Token(NamedTuple):  # a tuple: tens of thousands are made per second
    key: str  # normalised form: what is counted and compared
    surface: str  # as written (after prepare)
    label: str  # how it is shown: as written, verbs and adjectives in dictionary form
    start: int
    end: int
    pos: str  # the first part-of-speech tag
    content: bool
    person: bool = False  # the dictionary knows it as a person's name


def _chunks(text: str) -> Iterable[tuple[int, str]]:
    start = 0
    for line in text.splitlines(keepends=True):
        for offset in range(0, len(line), CHUNK):
            yield start + offset, line[offset : offset + CHUNK]
        start += len(line)


@lru_cache(maxsize=4096)
def _pos_class(pos_id: int) -> tuple[str, bool, bool]:
    """(first tag, a content word?, a person's name?) for one of Sudachi's POS ids."""
    pos = _tokenizer_dictionary().pos_of(pos_id)
    content = pos[0] in CONTENT_POS and (pos[0] != "名詞" or pos[1] in NOUN_KINDS)
    person = pos[0] == "名詞" and pos[2] == "人名"
    return pos[0], content and not person, person


def _morphemes(text: str) -> list[Token]:
    """Sudachi's morphemes, with runs of ASCII letters and digits joined (1on1, okr)."""
    tokens: list[Token] = []
    tokenizer = _tokenizer()
    for base, chunk in _chunks(text):
        for m in tokenizer.tokenize(chunk):
            surface = m.surface()
            start, end = base + m.begin(), base + m.end()
            if _ASCII_WORD.fullmatch(surface):
                if tokens and tokens[-1].end == start and _ASCII_WORD.fullmatch(tokens[-1].surface):
                    surface = tokens.pop().surface + surface
                    start = end - len(surface)
                tokens.append(Token(surface, surface, surface, start, end, "名詞", True))
                continue
            pos, content, person = _pos_class(m.part_of_speech_id())
            label = m.dictionary_form().lower() if pos in ("動詞", "形容詞") else surface
            key = m.normalized_form().casefold()
            tokens.append(Token(key, surface, label, start, end, pos, content, person))
    return tokens


class Analyser:
    """Tokens, normalised text and themes of answers, under one kops.yaml `themes:`."""

    def __init__(self, settings: Themes) -> None:
        self.stop = {self._key(word) for word in settings.stop_words if word.strip()}
        # Spellings counted as one word (compounds, synonyms), by their text as written
        # and by their normalised form, since Sudachi splits a word differently in context.
        self.rules: dict[str, tuple[str, str]] = {}
        self.prefixes: set[str] = set()
        for word in settings.compounds:
            if word.strip():
                self._rule(word, (prepare(word).strip(), prepare(word).strip()))
        for variant, target in settings.synonyms.items():
            if variant.strip() and target.strip():
                self._rule(variant, (self._key(target), prepare(target).strip()))

    def _rule(self, word: str, target: tuple[str, str]) -> None:
        for spelling in (prepare(word).strip(), "".join(self._keys(word))):
            self.rules[spelling] = target
            self.prefixes.update(spelling[:n] for n in range(1, len(spelling) + 1))

    def _keys(self, word: str) -> tuple[str, ...]:
        return tuple(t.key for t in _morphemes(prepare(word).strip()) if t.pos not in BREAK_POS)

    def _key(self, word: str) -> str:
        keys = self._keys(word)
        return keys[0] if len(keys) == 1 else prepare(word).strip()

    def tokens(self, text: str) -> list[Token]:
        """Every token of the prepared text; content words marked, merges applied."""
        return self._merge(_morphemes(text), text)

    def _merge(self, raw: list[Token], text: str) -> list[Token]:
        """Runs of adjacent tokens that spell a compound or synonym become one token.

        The longest run wins; a run grows only while its text or its normalised form is
        still the start of some rule, so most tokens cost one lookup."""
        merged: list[Token] = []
        i = 0
        while i < len(raw):
            best: tuple[int, tuple[str, str]] | None = None
            keys = ""
            for j in range(i, min(i + MAX_RULE_TOKENS, len(raw))):
                if j > i and raw[j - 1].end != raw[j].start:
                    break
                keys += raw[j].key
                span = text[raw[i].start : raw[j].end]
                if span not in self.prefixes and keys not in self.prefixes:
                    break
                rule = self.rules.get(span) or self.rules.get(keys)
                if rule:
                    best = (j, rule)
            if best is None:
                merged.append(raw[i])
                i += 1
                continue
            j, (key, label) = best
            span = text[raw[i].start : raw[j].end]
            merged.append(Token(key, span, label, raw[i].start, raw[j].end, "名詞", True))
            i = j + 1
        return [self._judge(t) for t in merged]

    def _judge(self, token: Token) -> Token:
        keep = (
            token.content
            and token.key not in self.stop
            and len(token.surface) > 1
            and not token.key.isdigit()
            and not (token.key.isascii() and not any(c.isalpha() for c in token.key))
        )
        return token if keep == token.content else token._replace(content=keep)

    def analyse(self, answer: str) -> Analysed:
        text = prepare(answer)
        raw = _morphemes(text)
        tokens = self._merge(raw, text)
        # Labels keep the answer's upper case (OKR) where lower-casing kept the offsets.
        cased = unicodedata.normalize("NFKC", answer)
        cased = cased if len(cased) == len(text) else text
        themes: dict[ThemeKey, str] = {}
        previous: Token | None = None
        for token in tokens:
            if token.content:
                label = (
                    cased[token.start : token.end] if token.label == token.surface else token.label
                )
                themes.setdefault((token.key,), label)
                if previous is not None:
                    phrase = cased[previous.start : token.start] + label
                    themes.setdefault((previous.key, token.key), phrase)
                previous = token
            elif token.pos not in GLUE_POS:
                previous = None  # a dropped word or punctuation: not adjacent any more
        return Analysed(
            text=answer,
            folded=text,
            normalised="".join(t.key for t in tokens),
            normalised_raw="".join(t.key for t in raw),
            themes=themes,
            mentions_person=any(t.person for t in tokens),
        )


@dataclass(frozen=True)
class Analysed:
    text: str  # as written
    folded: str  # NFKC, lower case
    normalised: str  # every token's normalised form, joined (compounds, synonyms merged)
    normalised_raw: str = ""  # the same before merging
    themes: dict[ThemeKey, str] = field(default_factory=dict)  # key → as written here
    mentions_person: bool = False


@lru_cache(maxsize=4)
def _cached(
    stop: tuple[str, ...], compounds: tuple[str, ...], synonyms: tuple[tuple[str, str], ...]
) -> Analyser:
    return Analyser(
        Themes(stop_words=list(stop), compounds=list(compounds), synonyms=dict(synonyms))
    )


def analyser(settings: Themes) -> Analyser:
    """One Analyser per distinct setting in this process (building it tokenises the lists)."""
    return _cached(
        tuple(settings.stop_words), tuple(settings.compounds), tuple(settings.synonyms.items())
    )


# --- keyword groups -----------------------------------------------------------------

# group → (as configured, folded, normalised, normalised before merging)
Keywords = dict[str, list[tuple[str, str, str, str]]]


def prepare_keywords(keywords: dict[str, list[str]], tool: Analyser) -> Keywords:
    prepared: Keywords = {}
    for group, words in keywords.items():
        prepared[group] = []
        for word in words:
            if word.strip():
                form = tool.analyse(word.strip())
                prepared[group].append((word, form.folded, form.normalised, form.normalised_raw))
    return prepared


def _matches(word: tuple[str, str, str, str], folded: str, norm: str, raw: str) -> bool:
    _original, as_written, merged, split = word
    return (
        bool(as_written and as_written in folded)
        or bool(merged and merged in norm)
        or bool(split and split in raw)
    )


def match_groups(answer: Analysed, keywords: Keywords) -> dict[str, list[str]]:
    """The groups an answer joins, with the configured words it matched.

    A word matches when it occurs in the answer as written (NFKC, lower case) or when its
    normalised form occurs in the answer's normalised form (表記揺れ)."""
    found: dict[str, list[str]] = {}
    for group, words in keywords.items():
        hits = [
            w[0]
            for w in words
            if _matches(w, answer.folded, answer.normalised, answer.normalised_raw)
        ]
        if hits:
            found[group] = hits
    return found


def covering_groups(key: ThemeKey, label: str, keywords: Keywords) -> list[str] | None:
    """Groups whose words cover every word of a theme; None when some word is not covered."""
    words = [key[0]] if len(key) == 1 else list(key)
    covering: list[str] = []
    for word in words:
        forms = {word, prepare(label)} if len(key) == 1 else {word}
        groups = [
            g for g, ws in keywords.items() if any(_matches(w, f, f, f) for w in ws for f in forms)
        ]
        if not groups:
            return None
        covering += [g for g in groups if g not in covering]
    return covering


# --- themes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    key: ThemeKey
    label: str
    kind: Literal["term", "phrase"]
    answers: int
    example: str | None
    covered_by: list[str] | None  # None: no configured group covers it


def count_themes(answers: Sequence[Analysed]) -> Counter[ThemeKey]:
    """How many answers contain each theme (an answer counts once per theme)."""
    return Counter(key for answer in answers for key in answer.themes)


def pick_example(candidates: Iterable[Analysed], hidden: Callable[[Analysed], bool]) -> str | None:
    """The shortest answer that may be shown (ties: the first); None when none may."""
    for answer in sorted(candidates, key=lambda a: len(a.text)):
        if not hidden(answer):
            return answer.text
    return None


def find_themes(
    answers: Sequence[Analysed],
    keywords: Keywords,
    *,
    min_group: int,
    top: int | None,
    hidden: Callable[[Analysed], bool],
    is_name: Callable[[str], bool],
) -> list[Theme]:
    """The `top` (None: all) most frequent terms, then phrases, found in at least
    `min_group` answers.

    Terms that are people's names are never themes; an example is an answer that
    `hidden` lets through (no name in it), or none."""
    holders: dict[ThemeKey, list[Analysed]] = {}
    labels: dict[ThemeKey, Counter[str]] = {}
    for answer in answers:
        for key, label in answer.themes.items():
            holders.setdefault(key, []).append(answer)
            labels.setdefault(key, Counter())[label] += 1
    found: list[Theme] = []
    kinds: tuple[tuple[Literal["term", "phrase"], int], ...] = (("term", 1), ("phrase", 2))
    for kind, size in kinds:
        ranked = sorted(
            (k for k, held in holders.items() if len(k) == size and shows(len(held), min_group)),
            key=lambda k: (-len(holders[k]), k),
        )
        chosen = 0
        for key in ranked:
            if top is not None and chosen == top:
                break
            label = min(labels[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            if any(is_name(part) for part in (*key, label)):
                continue
            example = pick_example(holders[key], hidden)
            covered = covering_groups(key, label, keywords)
            found.append(
                Theme(
                    key=key,
                    label=label,
                    kind=kind,
                    answers=len(holders[key]),
                    example=example,
                    covered_by=covered,
                )
            )
            chosen += 1
    return found
