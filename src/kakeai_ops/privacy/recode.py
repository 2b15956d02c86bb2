"""Recode before you hide: small units are merged before anything is suppressed.

Complementary suppression protects a small group by hiding a second, often
large one: to keep a 事業部 of 3 people hidden, the company report hid one of
49, and the meeting could not discuss it. Merging costs less: the small unit's
people are counted inside a labelled row and every figure stays visible.

- A 事業部 of fewer than ``min_group`` people is merged with a sibling: the one
  named with it in ``privacy.merge`` (kops.yaml), else the smallest other
  事業部 that no advisor receives on its own (that advisor's figures, subtracted
  from the merged row, would give the small one back), until every group is
  big enough. The row reads 「管理本部・経営企画室」
  (the larger first).
- Within each (merged) 事業部, the 部署 of fewer than ``min_group`` people are
  one row, 「その他の部署（2部署）」. Where that row is still too small, it is
  merged with the smallest 部署 beside it (「人事部・その他の部署（1部署）」).

The recoding depends only on the organisation (who belongs where, from the
current users), never on the period's figures: the same structure gives the
same rows month after month. Complementary suppression then runs on the
recoded rows for whatever is still small (members, topics, 心身の状態).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..config.rule_settings import Privacy
from ..errors import KopsError
from ..i18n import _
from ..model import UNSET
from .rules import is_small

SEPARATOR = "・"
UNIT = "/"


class RecodingError(KopsError):
    """A ``privacy.merge`` pair or an advisor scope names no unit of the organisation."""


def other_departments(count: int) -> str:
    return f"その他の部署（{count}部署）"


@dataclass(frozen=True)
class Note:
    """A sentence for the sheet about one merged row (``row`` None: the 事業部 row)."""

    division: str
    row: str | None
    text: str


@dataclass
class Recoding:
    """Where each 事業部 and 部署 of the organisation is published."""

    divisions: dict[str, str] = field(default_factory=dict)  # 事業部 → its row
    departments: dict[tuple[str, str], str] = field(default_factory=dict)  # → its 部署 row
    merges: list[Note] = field(default_factory=list)  # what was merged, for the sheet
    sizes: dict[tuple[str, str], int] = field(default_factory=dict)  # the organisation
    # People whose 部署 figures appear only inside a row of several 部署 (a merged
    # 事業部's people are counted by their 部署: a large one still has its own row).
    merged_people: int = 0

    def division(self, name: str) -> str:
        return self.divisions.get(name, name)

    def department(self, division: str, name: str) -> str:
        return self.departments.get((division, name), name)

    @property
    def notes(self) -> list[str]:
        return [note.text for note in self.merges]

    def within(self, sizes: Mapping[tuple[str, str], int]) -> Recoding:
        """The rows of a report of only ``sizes``' people (an advisor's scope): a merged
        row keeps its label only where all of it is there; a part of one is its own
        unit under its own name (and a different node for the audit)."""
        whole = {k for k, n in self.sizes.items() if sizes.get(k) == n}
        out = Recoding(sizes=dict(sizes))
        for label in set(self.divisions.values()):
            members = [d for d, row in self.divisions.items() if row == label]
            units = {k for k in self.sizes if k[0] in members}
            full = units <= whole
            for d in members:
                out.divisions[d] = label if full else d
        rows: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for key, row in self.departments.items():  # 部署 rows are named within a 事業部
            rows.setdefault((self.division(key[0]), row), []).append(key)
        for (_division, row), keys in rows.items():
            full = set(keys) <= whole
            for key in keys:
                if key in sizes:
                    out.departments[key] = row if full else key[1]
        out.merges = [
            m
            for m in self.merges
            if m.division in out.divisions.values()
            and (m.row is None or m.row in out.departments.values())
        ]
        return out

    def rows_touching(self, units: set[tuple[str, str]]) -> list[set[tuple[str, str]]]:
        """The 部署 of each merged row (several 部署 in one row) holding one of ``units``."""
        rows: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for key, row in self.departments.items():
            rows.setdefault((self.division(key[0]), row), set()).add(key)
        return [keys for keys in rows.values() if len(keys) > 1 and not keys.isdisjoint(units)]

    @property
    def changed(self) -> bool:
        return any(k != v for k, v in self.divisions.items()) or any(
            k[1] != v for k, v in self.departments.items()
        )


def recode(
    sizes: Mapping[tuple[str, str], int],
    privacy: Privacy,
    published_alone: Iterable[str] = (),
    members: Mapping[tuple[str, str], int] | None = None,
) -> Recoding:
    """The published rows for an organisation of ``sizes`` people per (事業部, 部署).
    ``published_alone``: units (事業部 or 事業部/部署) some other report shows on
    their own, chosen as merge partners only where nothing else is left. ``members``:
    the 部下 of each unit (see ``_merge_departments``)."""
    alone = set(published_alone)
    minimum = privacy.min_group
    check_merge_pairs(privacy.merge, sizes)
    division_sizes: dict[str, int] = {}
    for (division, _department), people in sizes.items():
        division_sizes[division] = division_sizes.get(division, 0) + people
    out = Recoding(sizes=dict(sizes))
    groups = _merge_divisions(division_sizes, privacy.merge, minimum, alone)
    for group in groups:
        label = SEPARATOR.join(group)
        for name in group:
            out.divisions[name] = label
        if len(group) > 1:
            text = (
                f"{label}：{'、'.join(group[1:])}は{minimum}人未満のため、"
                f"{group[0]}と合わせて1行で表示しています。"
            )
            out.merges.append(Note(label, None, text))
        units = {key: people for key, people in sizes.items() if key[0] in group}
        _merge_departments(units, label, minimum, out, privacy.merge, alone, members or {})
    return out


def _merge_divisions(
    sizes: Mapping[str, int], pairs: Sequence[Sequence[str]], minimum: int, alone: set[str]
) -> list[list[str]]:
    """Groups of 事業部 (each largest first), every group of at least ``minimum``
    people where the whole organisation has that many."""
    groups: list[list[str]] = [[name] for name in sorted(sizes)]

    def size(group: list[str]) -> int:
        return sum(sizes[n] for n in group)

    def join(a: list[str], b: list[str]) -> None:
        groups.remove(b)
        a.extend(b)

    for pair in pairs:
        names = [n for n in pair if UNIT not in n]
        if len(names) != 2:
            continue
        first = next(g for g in groups if names[0] in g)
        second = next(g for g in groups if names[1] in g)
        if first is not second and (
            is_small(size(first), minimum) or is_small(size(second), minimum)
        ):
            join(first, second)
    while len(groups) > 1:
        small = sorted(
            (g for g in groups if is_small(size(g), minimum)), key=lambda g: (size(g), g)
        )
        if not small:
            break
        group = small[0]
        partner = min(
            (g for g in groups if g is not group),
            key=lambda g: (not alone.isdisjoint(g), size(g), g),
        )
        join(partner, group)
    for group in groups:
        group.sort(key=lambda n: (-sizes[n], n))
    return groups


def _merge_departments(
    units: Mapping[tuple[str, str], int],
    label: str,
    minimum: int,
    out: Recoding,
    pairs: Sequence[Sequence[str]] = (),
    alone: set[str] = frozenset(),  # type: ignore[assignment]
    members: Mapping[tuple[str, str], int] | None = None,
) -> None:
    """The 部署 rows within one (merged) 事業部. The small 部署 make one row; it joins
    the smallest 部署 beside it when it holds too few people (one shown alone in another
    report only where no other is left), and also when it holds 1–4 部下 (``members``):
    else its 部下 figures are hidden, and a whole sibling's with them, to keep them from
    subtraction. For 部下 it joins only a 部署 no advisor sees alone: the merged row less
    that one would give the small ones back, so with none the row stays apart and hiding
    protects it."""
    names = [department for _division, department in units]
    clash = {n for n in names if names.count(n) > 1}

    def own(key: tuple[str, str]) -> str:
        # 部署 of the same name in two merged 事業部 keep apart by their 事業部.
        return f"{key[0]}{UNIT}{key[1]}" if key[1] in clash else key[1]

    units = dict(units)
    for pair in pairs:  # configured 部署 pairs, where one of them is small
        keys = [tuple(u.split(UNIT, 1)) for u in pair if UNIT in u]
        if len(keys) != 2 or not all(k in units for k in keys):
            continue
        if not any(is_small(units[k], minimum) for k in keys):  # type: ignore[index]
            continue
        keys.sort(key=lambda k: (-units[k], k))  # type: ignore[index]
        row = SEPARATOR.join(own(k) for k in keys)  # type: ignore[arg-type]
        for key in keys:
            out.departments[key] = row  # type: ignore[index]
            out.merged_people += units.pop(key)  # type: ignore[arg-type]
        text = f"{label}：{row}は人数が少ないため1行で表示しています（privacy.merge）。"
        out.merges.append(Note(label, row, text))
    small = sorted(k for k, people in units.items() if is_small(people, minimum))
    large = sorted(
        (k for k in units if k not in small),
        key=lambda k: (f"{k[0]}{UNIT}{k[1]}" in alone, units[k], k),
    )
    for key in large:
        out.departments[key] = own(key)
    if not small:
        return
    if not large:  # every 部署 is small: one row, the whole 事業部
        row = other_departments(len(small))
        for key in small:
            out.departments[key] = row
        text = f"{label}：すべての部署が{minimum}人未満のため、部署は1行にまとめています。"
        out.merges.append(Note(label, row, text))
        out.merged_people += sum(units[k] for k in small)
        return
    row = other_departments(len(small))
    together = sum(units[k] for k in small)
    listed = "、".join(_department_words(k[1]) for k in small)
    merged = list(small)
    few_members = 0 < sum((members or {}).get(k, 0) for k in small) < minimum
    shown_alone = f"{large[0][0]}{UNIT}{large[0][1]}" in alone
    if is_small(together, minimum) or (few_members and not shown_alone):
        host = large[0]  # the smallest 部署 big enough on its own
        row = f"{own(host)}{SEPARATOR}{row}"
        merged.append(host)
        text = (
            f"{label}：{minimum}人未満の部署（{listed}）は"
            f"{own(host)}と合わせて「{row}」として表示しています。"
        )
    else:
        text = f"{label}：{minimum}人未満の部署（{listed}）は「{row}」にまとめています。"
    out.merges.append(Note(label, row, text))
    for key in merged:
        out.departments[key] = row
    out.merged_people += sum(units[k] for k in merged)


def _department_words(name: str) -> str:
    """A 部署 as the merge note lists it in its brackets: a blank one as 「部署未設定」, not
    「（(未設定)）」 (brackets in brackets)."""
    return "部署未設定" if name == UNSET else name


def check_merge_pairs(pairs: Sequence[Sequence[str]], sizes: Mapping[tuple[str, str], int]) -> None:
    """Every ``privacy.merge`` pair names two existing siblings: two 事業部, or two
    部署 of one 事業部 (``事業部/部署``)."""
    divisions = {d for d, _size in sizes}
    for index, pair in enumerate(pairs):
        where = f"privacy.merge[{index}]"
        if len(pair) != 2:
            raise RecodingError(
                _("{where}: a merge names two units, got {count}").format(
                    where=where, count=len(pair)
                ),
                hint=_("write each pair as [事業部, 事業部] or [事業部/部署, 事業部/部署]"),
            )
        kinds = set()
        for unit in pair:
            division, _unit, department = unit.partition(UNIT)
            known = (division, department) in sizes if department else division in divisions
            if not known:
                raise RecodingError(
                    _("{where}: {unit} is no 事業部 or 事業部/部署 of the current users").format(
                        where=where, unit=repr(unit)
                    ),
                    hint=_("check the spelling against `kops report divisions --format table`"),
                )
            kinds.add((bool(department), division if department else ""))
        if len(kinds) != 1:
            raise RecodingError(
                _("{where}: {first} and {second} are not siblings").format(
                    where=where, first=repr(pair[0]), second=repr(pair[1])
                ),
                hint=_("merge two 事業部, or two 部署 of the same 事業部"),
            )
        if pair[0] == pair[1]:
            raise RecodingError(
                _("{where}: {unit} is named twice").format(where=where, unit=repr(pair[0])),
                hint=_("name two units"),
            )
