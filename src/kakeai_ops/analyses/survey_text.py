"""Free text of the seminar surveys (「今、知りたいこと」): keyword groups and emerging themes.

Privacy (rules.md): free text leaves kops only as counts and examples, and only for a
group or theme of at least `privacy.min_group` answers (smaller counts show as `<5`);
an example that names a person from the users export (or that the dictionary reads as
a person's name) is never shown: another answer is chosen, or none. The respondent is
never shown. Memo text is not survey text and is never read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..config import Settings
from ..errors import KopsError
from ..i18n import _
from ..privacy.rules import count_or_label, share_or_none, shows
from . import themes as theme_finding
from .names import NameMatcher

UNGROUPED = "その他"
EXAMPLES_PER_GROUP = 3
THEME_COLUMNS = ["theme", "kind", "answers", "share", "covered_by", "suggestion", "example"]


# Answers that say there is nothing to say: not answers to 「今、知りたいこと」 (「特になし」
# was counted, and grouped under その他, as something someone wants to know).
NOTHING = frozenset(
    {"なし", "無し", "特になし", "特に無し", "とくになし", "ない", "特にない", "特にありません"}
    | {"ありません", "特にないです", "とくにない", "なしです", "-", "ー", "—", "none", "n/a", "na"}
)


# Said around a 「なし」 without saying anything more: 「なし（今は十分です）」, 「いまのところ
# 特にないです」.
# An aside that asks for nothing itself: 「（強いて言えば聴き方のコツ）」 keeps its answer.
_ASIDE = re.compile(r"[(（][^)）]*(十分|満足|大丈夫|ない|ありません)[^)）]*[)）]")
_FOR_NOW = re.compile(r"^(いまのところ|今のところ|現時点では|現状|今は|いまは)[、,]?")


def says_nothing(text: str) -> bool:
    """「特になし。」, 「なし」, 「－」, 「なし（今は十分です）」…: an answer that answers
    nothing (width, spaces, an aside in brackets and ending punctuation aside)."""
    folded = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    folded = _FOR_NOW.sub("", _ASIDE.sub("", folded)).rstrip("。.!！")
    return folded in NOTHING or folded.removesuffix("です") in NOTHING


def analyse(texts: Sequence[str], settings: Settings) -> list[theme_finding.Analysed]:
    """Every answer that says something analysed (not blank, not 「特になし」); the same
    text is tokenised once."""
    tool = theme_finding.analyser(settings.seminar_survey.themes)
    seen: dict[str, theme_finding.Analysed] = {}
    analysed = []
    for text in map(str, texts):
        if text.strip() and not says_nothing(text):
            if text not in seen:
                seen[text] = tool.analyse(text)
            analysed.append(seen[text])
    return analysed


def keywords(settings: Settings) -> theme_finding.Keywords:
    tool = theme_finding.analyser(settings.seminar_survey.themes)
    return theme_finding.prepare_keywords(settings.seminar_survey.keywords, tool)


def hidden_by(names: NameMatcher) -> Callable[[theme_finding.Analysed], bool]:
    """Answers never shown as examples: they name a person."""
    return lambda answer: answer.mentions_person or names.contains(answer.text)


def suppressed(count: int, min_group: int) -> int | str:
    """A count of answers as published: ``<5`` when small, zero included."""
    return count_or_label(count, min_group)


def group_answers(
    answers: Sequence[str], keyword_lists: dict[str, list[str]], settings: Settings | None = None
) -> pd.DataFrame:
    """Each answer in every group one of whose words it contains (as written or in
    normalised form, so 表記揺れ joins the same group); otherwise その他."""
    settings = settings or Settings()
    tool = theme_finding.analyser(settings.seminar_survey.themes)
    prepared = theme_finding.prepare_keywords(keyword_lists, tool)
    rows = []
    for answer in answers:
        text = str(answer).strip()
        if not text or says_nothing(text):
            continue
        groups = theme_finding.match_groups(tool.analyse(text), prepared) or {UNGROUPED: []}
        for group, matched in groups.items():
            rows.append({"group": group, "answer": text, "matched": "、".join(matched)})
    return pd.DataFrame(rows, columns=["group", "answer", "matched"])


def group_summary(
    analysed: Sequence[theme_finding.Analysed],
    prepared: theme_finding.Keywords,
    min_group: int,
    hidden: Callable[[theme_finding.Analysed], bool],
) -> pd.DataFrame:
    """Per keyword group: how many answers, and up to three that may be shown."""
    members: dict[str, list[theme_finding.Analysed]] = {g: [] for g in prepared}
    members[UNGROUPED] = []
    for answer in analysed:
        for group in theme_finding.match_groups(answer, prepared) or {UNGROUPED: []}:
            members[group].append(answer)
    rows = []
    for group, answers in sorted(members.items(), key=lambda kv: -len(kv[1])):
        if not answers:
            continue
        shown: list[str] = []
        if shows(len(answers), min_group):
            for answer in answers:
                fits = len(shown) < EXAMPLES_PER_GROUP and answer.text not in shown
                if fits and not hidden(answer):
                    shown.append(answer.text)
        row: dict[str, object] = {"group": group, "answers": suppressed(len(answers), min_group)}
        for i in range(EXAMPLES_PER_GROUP):
            row[f"example_{i + 1}"] = shown[i] if i < len(shown) else ""
        rows.append(row)
    columns = ["group", "answers", *(f"example_{i + 1}" for i in range(EXAMPLES_PER_GROUP))]
    return pd.DataFrame(rows, columns=columns)


def themes_frame(themes: Sequence[theme_finding.Theme], total: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "theme": t.label,
                "kind": t.kind,
                "answers": t.answers,
                "share": t.answers / total if total else None,
                "covered_by": "、".join(t.covered_by or []),
                "suggestion": t.covered_by is None,
                "example": t.example or "",
            }
            for t in themes
        ],
        columns=THEME_COLUMNS,
    )


EVERY_ANSWER_COLUMNS = ["group", "answer"]


@dataclass
class FreeText:
    groups: pd.DataFrame  # group, answers (count or <N), example_1..3
    themes: pd.DataFrame  # THEME_COLUMNS
    answers: int
    # The secretariat's own view (事務局内限り): every answer under each group it falls
    # in, people named in it masked as ○○; no respondent.
    every_answer: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=EVERY_ANSWER_COLUMNS)
    )


def every_answer(
    analysed: Sequence[theme_finding.Analysed],
    prepared: theme_finding.Keywords,
    names: NameMatcher,
) -> pd.DataFrame:
    """Every answer, masked, under each keyword group it matches (その他 otherwise),
    the largest group first: what the secretariat reads to plan the next seminar."""
    members: dict[str, list[str]] = {}
    for answer in analysed:
        for group in theme_finding.match_groups(answer, prepared) or {UNGROUPED: []}:
            members.setdefault(group, []).append(names.mask(answer.text))
    rows = [
        {"group": group, "answer": text}
        for group, texts in sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        for text in texts
    ]
    return pd.DataFrame(rows, columns=EVERY_ANSWER_COLUMNS)


def answers_per_group(every: pd.DataFrame) -> pd.DataFrame:
    """How many answers fall in each group, exactly, the largest first: the secretariat's
    own count (事務局内限り), beside ``every_answer``; shared outputs show ``groups``."""
    counts = every.groupby("group", sort=False).size()
    frame = counts.rename("answers").rename_axis("group").reset_index()
    return frame.sort_values("answers", ascending=False, kind="stable").reset_index(drop=True)


def summarise_free_text(texts: Sequence[str], settings: Settings, names: NameMatcher) -> FreeText:
    """One seminar's free text: keyword groups and emerging themes."""
    analysed = analyse(texts, settings)
    prepared = keywords(settings)
    min_group = settings.privacy.min_group
    hidden = hidden_by(names)
    found = theme_finding.find_themes(
        analysed,
        prepared,
        min_group=min_group,
        top=settings.seminar_survey.themes.top,
        hidden=hidden,
        is_name=names.is_name,
    )
    return FreeText(
        group_summary(analysed, prepared, min_group, hidden),
        themes_frame(found, len(analysed)),
        len(analysed),
        every_answer(analysed, prepared, names),
    )


# --- across seminars: `kops seminar themes` -----------------------------------------


@dataclass
class Period:
    start: dt.date | None
    end: dt.date | None
    answers: int
    seminars: list[str]


@dataclass
class Trend:
    themes: pd.DataFrame  # THEME_COLUMNS + previous, previous_share, rising
    rising: pd.DataFrame  # the same columns, rising themes by growth of their share
    current: Period
    previous: Period | None


def trend(
    answers: pd.DataFrame,
    settings: Settings,
    names: NameMatcher,
    since: dt.date | None,
    today: dt.date,
) -> Trend:
    """Themes of the answers from `since` to `today`, against the period of equal length
    before it (rising: a larger share of answers than before). No `since`: every answer."""
    if since is not None and since > today:
        raise KopsError(
            _("--since {since} is after today ({today})").format(since=since, today=today),
            hint=_("give an earlier date"),
        )
    if since is None:
        now_part, before_part = answers, None
        current = Period(None, None, 0, sorted(set(answers["seminar"])))
    else:
        length = (today - since).days + 1
        start = since - dt.timedelta(days=length)
        now_part = answers[(answers["date"] >= since) & (answers["date"] <= today)]
        before_part = answers[(answers["date"] >= start) & (answers["date"] < since)]
        current = Period(since, today, 0, sorted(set(now_part["seminar"])))
    analysed = analyse(list(now_part["free_text"]), settings)
    current.answers = len(analysed)
    prepared = keywords(settings)
    min_group = settings.privacy.min_group
    found = theme_finding.find_themes(
        analysed,
        prepared,
        min_group=min_group,
        top=None,
        hidden=hidden_by(names),
        is_name=names.is_name,
    )
    frame = themes_frame(found, len(analysed))
    previous = None
    if before_part is not None and since is not None:
        earlier = analyse(list(before_part["free_text"]), settings)
        counts = theme_finding.count_themes(earlier)
        before = [counts.get(t.key, 0) for t in found]
        frame["previous"] = [suppressed(n, min_group) for n in before]
        frame["previous_share"] = [share_or_none(n, len(earlier), min_group) for n in before]
        growth = [
            t.answers / len(analysed) - (n / len(earlier) if earlier else 0.0)
            for t, n in zip(found, before, strict=True)
        ]
        frame["rising"] = [bool(earlier) and g > 0 for g in growth]
        frame["_growth"] = growth
        previous = Period(
            since - dt.timedelta(days=(today - since).days + 1),
            since - dt.timedelta(days=1),
            len(earlier),
            sorted(set(before_part["seminar"])),
        )
    top = settings.seminar_survey.themes.top
    by_kind = [frame[frame["kind"] == kind].head(top) for kind in ("term", "phrase")]
    main = pd.concat(by_kind) if len(frame) else frame
    rising = frame.iloc[0:0]
    if "rising" in frame:
        rising = frame[frame["rising"].astype(bool)]
        rising = rising.sort_values(["_growth", "answers"], ascending=False)
        rising = rising.head(top).drop(columns="_growth")
        main = main.drop(columns="_growth")
    return Trend(main.reset_index(drop=True), rising.reset_index(drop=True), current, previous)
