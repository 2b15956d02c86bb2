"""Stuck points (rules.md §1): every user's primary stuck point, flags and the facts behind them."""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np

from .. import glossary, model
from ..config import Rules
from ..dates import typed_text
from ..errors import KopsError
from ..i18n import N_, _, term
from ..numbers import percent
from . import reads
from .counting import cross_counts
from .roles import roles

if TYPE_CHECKING:  # imported where a frame is made: segment_table needs no pandas
    import pandas as pd
    import pyarrow as pa

    from ..model import Tables


@dataclass(frozen=True)
class StuckPoint:
    key: str
    label: str
    seminar: int | None  # which month of the seminar series fits it
    help: str


# What helps a person past each stuck point: the month of the seminar series that fits
# it, and the help that reaches them.
# (Marked for the catalog: said with _() where shown.)
HELP: dict[str, tuple[int | None, str]] = {
    "not_activated": (
        1,
        N_("the Month1 seminar (using KAKEAI, the basics) and the mail on how to log in"),
    ),
    "no_pair": (1, N_("the Month1 seminar (pair invitations) and the mail on inviting a pair")),
    "no_1on1": (
        1,
        N_("the Month1 seminar (starting and ending a 1on1) and the mail for the first 1on1"),
    ),
    "lapsed": (None, N_("the mail to start again (booking the next 1on1)")),
    "no_prep": (
        2,
        N_("the Month2 seminar (choosing topics; topic and response examples ①②③)"),
    ),
    "no_rating": (1, N_("the Month1 seminar (スッキリ度) and the mail on entering it")),
    "no_recurrence": (3, N_("the Month3 seminar (notes, recurring 1on1s)")),
    "healthy": (
        None,
        N_(
            "for managers the Month4 seminar (reading the data); a candidate for good "
            "practice and campaigns"
        ),
    ),
}

# Funnel order (model.STUCK_POINTS): the first that applies is the primary stuck point.
STUCK_POINTS: tuple[StuckPoint, ...] = tuple(
    StuckPoint(key, glossary.STUCK_POINTS[key], *HELP[key]) for key in model.STUCK_POINTS
)
BY_KEY = {sp.key: sp for sp in STUCK_POINTS}
KEYS = model.STUCK_POINTS
ORDER = {key: index for index, key in enumerate(KEYS)}


def stuck_point_key(text: str, option: str) -> str:
    """A stuck point as people type it, by key (no_prep) or label (事前準備なし) → its key."""
    return _typed_key(
        text,
        option,
        {sp.key: sp.label for sp in STUCK_POINTS},
        N_("{option}: unknown stuck point '{text}'"),
        N_("use a key or its label: {known}"),
    )


def role_key(text: str, option: str, allowed: tuple[str, ...] = model.ROLES) -> str:
    """A role as people type it, manager/member/both/none or 上司/部下/両方/なし → its key."""
    return _typed_key(
        text,
        option,
        {key: glossary.ROLES[key] for key in allowed},
        N_("{option}: unknown role '{text}'"),
        N_("use {known}"),
    )


def _typed_key(text: str, option: str, labels: dict[str, str], unknown: str, known: str) -> str:
    """The key ``text`` names, by the key itself or its label, in any case and
    full-width or not; else refused with ``unknown``, ``known`` listing them all."""
    value = typed_text(text)
    by_text = {key: key for key in labels}
    by_text.update({unicodedata.normalize("NFKC", label): key for key, label in labels.items()})
    found = by_text.get(value) or by_text.get(value.lower())
    if found is None:
        raise KopsError(
            _(unknown).format(option=option, text=text),
            hint=_(known).format(
                known=", ".join(f"{key} ({label})" for key, label in labels.items())
            ),
        )
    return found


MANAGER_SEMINAR = 4

# The columns of `kops segment --list --format csv`, in this order (docs/commands/segment.md).
LIST_COLUMNS = [
    "user_id",
    *model.PERSON_COLUMNS,
    "employment",
    "role",
    "stuck_point",
    "stuck_point_label",
    "flags",
    "last_login_at",
    "pairs_as_manager",
    "pairs_as_member",
    "recurring_pairs",
    "held_total",
    "held_as_manager",
    "held_as_member",
    "last_held_at",
    "held_in_lapse_window",
    "recent_count",
    "recent_prepared",
    "recent_rated",
    "prep_share",
    "rating_share",
    "seminar_month",
]

# The users' own columns in the list, as the snapshot has them.
PEOPLE_COLUMNS = [*model.PERSON_COLUMNS, "employment"]

# What ``segment`` reads of a snapshot (a command loads only these: see load_tables).
NEEDED_COLUMNS = reads.SEGMENT


@dataclass(frozen=True)
class Judgement:
    """Each user's stuck points from their facts (``judge``), as NumPy arrays; a text
    column as its few distinct texts and, per user, which of them."""

    role: np.ndarray
    texts: dict[str, tuple[list[str], np.ndarray]]  # stuck_point, stuck_point_label, flags
    prep_share: np.ndarray  # NaN where no recent 1on1 as member
    rating_share: np.ndarray
    seminar_month: np.ndarray  # valid where seminar_known
    seminar_known: np.ndarray


def judge(facts: dict[str, np.ndarray], never_logged_in: np.ndarray, rules: Rules) -> Judgement:
    """The stuck points (rules.md §1) from ``segment_facts`` and who never logged in."""
    is_manager = facts["pairs_as_manager"] > 0
    is_member = facts["pairs_as_member"] > 0
    recent = facts["recent_count"]
    with np.errstate(invalid="ignore", divide="ignore"):
        prep_share = np.where(recent > 0, facts["recent_prepared"] / recent, np.nan)
        rating_share = np.where(recent > 0, facts["recent_rated"] / recent, np.nan)
    held_total = facts["held_total"]
    judged = is_member & (recent > 0)
    flags = np.column_stack(
        [
            never_logged_in,  # not_activated
            ~is_manager & ~is_member,  # no_pair
            (is_manager | is_member) & (held_total == 0),  # no_1on1
            (held_total > 0) & (facts["held_in_lapse_window"] == 0),  # lapsed
            judged & (prep_share < rules.min_prep_share),  # no_prep
            judged & (rating_share < rules.min_rating_share),  # no_rating
            is_manager & (facts["recurring_pairs"] == 0),  # no_recurrence
        ]
    )
    flags = np.column_stack([flags, ~flags.any(axis=1)])  # healthy
    # Users share few combinations of flags: each combination's texts are made once.
    # (np.unique: the sorted combinations and, per user, which: as distinct_numbers.)
    combination = flags.astype(np.int64) @ (1 << np.arange(len(KEYS), dtype=np.int64))
    combinations, which = np.unique(combination, return_inverse=True)
    which = which.reshape(-1)
    keys = np.array(KEYS, dtype=object)
    texts = [keys[(int(c) >> np.arange(len(KEYS))) & 1 == 1] for c in combinations]
    primary = [BY_KEY[str(t[0])] for t in texts]
    seminar = np.array([p.seminar or 0 for p in primary], dtype=np.int64)[which]
    known = np.array([p.seminar is not None for p in primary], dtype=bool)[which]
    healthy_manager = (np.array([p.key == "healthy" for p in primary], dtype=bool)[which]) & (
        is_manager
    )
    seminar[healthy_manager] = MANAGER_SEMINAR
    return Judgement(
        role=roles(is_manager, is_member),
        texts={
            "stuck_point": ([p.key for p in primary], which),
            "stuck_point_label": ([p.label for p in primary], which),
            "flags": ([";".join(t) for t in texts], which),
        },
        prep_share=prep_share,
        rating_share=rating_share,
        seminar_month=seminar,
        seminar_known=known | healthy_manager,
    )


def segment(tables: Tables, rules: Rules, as_of: dt.date) -> pd.DataFrame:
    """One row per user not 退職: primary stuck point, all flags, and the facts.

    Columns are LIST_COLUMNS (plus ``employment_status``); the frame is sorted by user_id.
    """
    import pandas as pd

    from .definitions import current_users
    from .segment_facts import user_facts

    users = current_users(tables.users)
    if not users["user_id"].is_monotonic_increasing:
        users = users.sort_values("user_id", kind="stable")
    users = users.set_index("user_id")
    index = users.index
    facts = user_facts(index, tables.pairs, tables.meetings, rules, as_of)
    judgement = judge(facts, users["last_login_at"].isna().to_numpy(dtype=bool), rules)

    def text(name: str) -> pd.api.extensions.ExtensionArray:
        distinct, which = judgement.texts[name]
        return pd.array(distinct, dtype="str")[which]

    seminar = pd.array(judgement.seminar_month, dtype="Int64")
    seminar[~judgement.seminar_known] = pd.NA
    columns: dict[str, object] = {
        "user_id": index.array,
        **{c: users[c].array for c in PEOPLE_COLUMNS},
        "role": judgement.role,
        "stuck_point": text("stuck_point"),
        "stuck_point_label": text("stuck_point_label"),
        "flags": text("flags"),
        "last_login_at": users["last_login_at"].array,
        **{c: facts[c] for c in FACT_COLUMNS},
        "prep_share": judgement.prep_share,
        "rating_share": judgement.rating_share,
        "seminar_month": seminar,
        "employment_status": users["employment_status"].array,
        # For the mails only (not a column of the list): invitations waiting for them.
        "invites_to_accept": facts["invites_to_accept"],
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(len(index)))


# The facts' columns of the list, in its order (between last_login_at and prep_share).
FACT_COLUMNS = LIST_COLUMNS[
    LIST_COLUMNS.index("pairs_as_manager") : LIST_COLUMNS.index("prep_share")
]


def segment_table(
    users: pa.Table, pairs: pa.Table, meetings: pa.Table, rules: Rules, as_of: dt.date
) -> pa.Table | None:
    """``segment(...)[LIST_COLUMNS]`` from the snapshot's Arrow tables (reads.SEGMENT),
    without pandas, for `segment --list --format csv`; None for tables it does not take
    as a snapshot stores them (users out of id order or an id twice, times not naive),
    which ``segment`` then judges as before."""
    import pyarrow as pa

    from ..columnar.arrow_codes import all_different, code_of, dictionary_codes
    from ..columnar.buffers import numbers, present, texts
    from .segment_facts import arrow_fact_rows, facts_of

    # As definitions.current_users: everyone but 退職.
    statuses, status = dictionary_codes(users.column("employment_status"))
    retired = code_of(statuses, "retired")
    users = users.filter(numbers(status != retired))
    if not users.num_rows:
        return None
    ids = users.column("user_id").combine_chunks()
    listed = ids.to_pylist()
    in_order = all(a <= b for a, b in itertools.pairwise(listed))
    if not (pa.types.is_large_string(ids.type) and in_order and all_different(ids)):
        return None
    rows = arrow_fact_rows(ids, pairs, meetings, as_of)
    if rows is None:
        return None
    facts = facts_of(rows, rules, as_of)
    judgement = judge(facts, ~present(users.column("last_login_at")), rules)

    def text(distinct: list[str], which: np.ndarray) -> pa.Array:
        return texts(distinct).take(numbers(which.astype(np.int64)))

    role_names, role_of = np.unique(judgement.role, return_inverse=True)
    last_held_at = facts["last_held_at"]
    columns = {
        "user_id": ids,
        **{c: users.column(c) for c in PEOPLE_COLUMNS},
        "role": text(role_names.tolist(), role_of.reshape(-1)),
        **{name: text(*judgement.texts[name]) for name in judgement.texts},
        "last_login_at": users.column("last_login_at"),
        **{c: numbers(facts[c].astype(np.int64)) for c in FACT_COLUMNS if c != "last_held_at"},
        "last_held_at": numbers(last_held_at, valid=~np.isnat(last_held_at)),
        "prep_share": numbers(judgement.prep_share),
        "rating_share": numbers(judgement.rating_share),
        "seminar_month": numbers(judgement.seminar_month, valid=judgement.seminar_known),
    }
    return pa.table({name: columns[name] for name in LIST_COLUMNS})


def summary(result: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Users per stuck point × role (or × the ``by`` column), with the share of the population."""

    column = by or "role"
    table = cross_counts(result["stuck_point"], result[column])
    table = table.reindex(KEYS, fill_value=0)
    if by is None:
        table = table.reindex(columns=list(model.ROLES), fill_value=0)
    table["total"] = table.sum(axis=1)
    population = max(int(table["total"].sum()), 1)
    table["share"] = table["total"] / population
    table.insert(0, "label", [BY_KEY[k].label for k in table.index])
    table.index.name = "stuck_point"
    return table.reset_index()


def by_group(result: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per group (e.g. 事業部): headcount, users per stuck point, healthy share."""

    table = cross_counts(result[by].fillna(model.UNSET), result["stuck_point"])
    table = table.reindex(columns=list(KEYS), fill_value=0)
    table.insert(0, "users", table.sum(axis=1))
    table["healthy_share"] = table["healthy"] / table["users"].where(table["users"] > 0)
    table.index.name = by
    return table.reset_index().sort_values(by, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Movement:
    transitions: pd.DataFrame  # rows: before, columns: after (users in both)
    moved_on: pd.DataFrame
    slid_back: pd.DataFrame
    joined: int
    left: int


def compare(before: pd.DataFrame, after: pd.DataFrame) -> Movement:
    """How users moved between stuck points from one result to another.

    Moving on = to a later stage of the funnel (healthy is the last); sliding
    back = to an earlier one.
    """

    from ..columnar.lookup import is_in

    merged = before[["user_id", "stuck_point"]].merge(
        after[["user_id", "name", "division", "department", "role", "employment", "stuck_point"]],
        on="user_id",
        how="inner",
        suffixes=("_before", "_after"),
    )
    transitions = cross_counts(merged["stuck_point_before"], merged["stuck_point_after"])
    transitions = transitions.reindex(index=KEYS, columns=KEYS, fill_value=0)
    transitions.index.name = "before"
    transitions.columns.name = "after"
    rank_before = merged["stuck_point_before"].map(ORDER)
    rank_after = merged["stuck_point_after"].map(ORDER)
    columns = [
        "user_id",
        "name",
        "division",
        "department",
        "role",
        # On leave now, a person slides back for want of 1on1s: the list says so.
        "employment",
        "stuck_point_before",
        "stuck_point_after",
    ]
    moved_on = merged.loc[rank_after > rank_before, columns].reset_index(drop=True)
    slid_back = merged.loc[rank_after < rank_before, columns].reset_index(drop=True)
    joined = int((~is_in(after["user_id"], before["user_id"])).sum())
    left = int((~is_in(before["user_id"], after["user_id"])).sum())
    return Movement(transitions, moved_on, slid_back, joined, left)


@dataclass(frozen=True)
class RuleCheck:
    key: str
    label: str
    facts: str
    threshold: str
    applies: bool


def explain(row: pd.Series, rules: Rules, as_of: dt.date) -> list[RuleCheck]:
    """Each rule in funnel order for one user (a row of ``segment``): facts, threshold, verdict."""
    import pandas as pd

    def date(value: object) -> str:  # a datetime cell of the row
        if model.missing(value):
            return _("none")
        return pd.Timestamp(cast(dt.datetime, value)).strftime("%Y-%m-%d %H:%M")

    def share(value: object) -> str:
        return "-" if model.missing(value) else percent(model.number(value))

    flags = set(str(row["flags"]).split(";"))
    start = (pd.Timestamp(as_of) - pd.Timedelta(days=rules.lapse_days - 1)).date()
    manager, member = int(row["pairs_as_manager"]), int(row["pairs_as_member"])
    recent = int(row["recent_count"])
    window = _("{start} – {end}").format(start=start, end=as_of)
    checks = [
        (
            "not_activated",
            _("last login {at}").format(at=date(row["last_login_at"])),
            _("no login on record"),
        ),
        (
            "no_pair",
            _("pairs as a manager {manager} / as a member {member}").format(
                manager=manager, member=member
            ),
            _("no pair in either role"),
        ),
        (
            "no_1on1",
            _("1on1s held {total} (as a manager {manager} / as a member {member})").format(
                total=int(row["held_total"]),
                manager=int(row["held_as_manager"]),
                member=int(row["held_as_member"]),
            ),
            _("a pair, and no 1on1 held"),
        ),
        (
            "lapsed",
            _("last held {at}; held in {window}: {n}").format(
                at=date(row["last_held_at"]), window=window, n=int(row["held_in_lapse_window"])
            ),
            _("1on1s held before, none in the last {days} days ({window})").format(
                days=rules.lapse_days, window=window
            ),
        ),
        (
            "no_prep",
            _("prepared {n} of the last {recent} (as a member; {share})").format(
                n=int(row["recent_prepared"]), recent=recent, share=share(row["prep_share"])
            ),
            _(
                "prepared fewer than {share} of the last {n} as a member (preparing after "
                "the 1on1 does not count)"
            ).format(share=percent(rules.min_prep_share), n=rules.recent_n),
        ),
        (
            "no_rating",
            _("スッキリ度 entered for {n} of the last {recent} (as a member; {share})").format(
                n=int(row["recent_rated"]), recent=recent, share=share(row["rating_share"])
            ),
            _("スッキリ度 entered for fewer than {share} of the last {n} as a member").format(
                share=percent(rules.min_rating_share), n=rules.recent_n
            ),
        ),
        (
            "no_recurrence",
            _("pairs as a manager {pairs}, recurring {recurring}").format(
                pairs=manager, recurring=int(row["recurring_pairs"])
            ),
            _("as a manager, no pair has a recurring 1on1"),
        ),
        ("healthy", "", _("none of the above")),
    ]
    return [
        RuleCheck(key, term(glossary.STUCK_POINTS, key), facts, threshold, key in flags)
        for key, facts, threshold in checks
    ]
