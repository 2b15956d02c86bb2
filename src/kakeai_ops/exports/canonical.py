"""Raw text tables → canonical frames (model.py: their fields), with every problem found.

The users' frame keeps birth_date (not stored) until ingest has derived age_band."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from .. import model
from ..columnar.buffers import arrow_text
from ..columnar.distinct import Distinct, per_distinct
from ..config import Exports
from ..errors import Phrase
from ..i18n import N_, _
from . import normalise
from .columns import EARLIEST, Context
from .findings import Findings
from .reading import RawTable

__all__ = ["EARLIEST", "canonicalise", "repeated_headers", "required_columns_missing"]


def canonicalise(
    table: str,
    raw: RawTable,
    columns: dict[str, str],
    settings: Exports,
    findings: Findings,
    now: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The table's canonical frame; ``now`` (naive JST) bounds the dates of things that
    have happened (logins, held 1on1s); without it they are not checked against the clock."""
    converter = {"users": _users, "pairs": _pairs, "meetings": _meetings}[table]
    ctx = Context(raw, columns, findings, now)
    # The dates, the longest part, are parsed on another core while the rest is checked
    # (one thread for all: a second one gained nothing measurable and cost CPU time).
    dates = [f.name for f in model.TABLES[table].fields if f.dtype == "datetime"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        ctx.parse_dates_ahead(dates, pool)
        return converter(ctx, settings)


def _ids(ctx: Context, field: str, required: bool = True, defines: bool = False) -> pd.Series:
    """An id column, per row (see ``_distinct_ids``)."""
    column, values = _distinct_ids(ctx, field, required, defines)
    return column.spread(values).rename(field)


def _distinct_ids(
    ctx: Context, field: str, required: bool = True, defines: bool = False
) -> tuple[Distinct, pd.Series]:
    """An id column: its distinct raw values with their normalised forms, checked once each.

    ``defines``: the column that gives each row its id (users' ユーザーID, 1on1ID), checked
    for ids that lost their zero padding and read row by row (each row differs); references
    are checked against users instead."""
    column = Distinct.each_row(ctx.text(field)) if defines else ctx.distinct(field)
    raw = column.values
    control = normalise.has_control(raw)
    if control.any():  # the message spells the characters out (findings.visible)
        ctx.bad_each(
            field,
            column,
            control,
            N_("contains a control character (line break, tab, NUL…)"),
            raw,
            kind="control",
        )
    values = normalise.normalise_id(raw).rename(field)
    ctx.note_respelled(field, raw, values, column)
    ctx.bad_each(
        field,
        column,
        normalise.excel_scientific(values),
        Phrase(
            N_(
                "looks like a number Excel wrote in scientific notation; "
                "re-export with the column formatted as text"
            )
        ),
        values,
        kind="scientific",
    )
    if defines:
        shorter, width = normalise.lost_leading_zeros(values)
        if shorter.any():
            maybe = _("maybe")  # a value part, shown as it is: in the reader's language
            described = "'" + values + f"', {maybe} '" + values.str.zfill(width) + "'"
            ctx.findings.rows(
                ctx.file,
                shorter,
                ctx.raw.first_row,
                ctx.header(field),
                Phrase(
                    N_(
                        "shorter than the other ids ({width} digits): leading zeros lost? "
                        "re-export with the column formatted as text"
                    ),
                    width=width,
                ),
                described,
                kind="zeros",
                quote=False,
            )
    if ctx.header(field) in ctx.raw.numeric_columns:
        ctx.findings.note(
            _(
                "{file}: {column}: some ids are number cells in Excel; leading zeros "
                "(0123 → 123) may have been lost there. Format the column as text"
            ).format(file=ctx.file, column=ctx.header(field))
        )
    if required:
        ctx.bad_each(field, column, values == "", N_("required value is blank"), raw, kind="blank")
    return column, values


def _users(ctx: Context, settings: Exports) -> pd.DataFrame:
    user_id = _ids(ctx, "user_id", defines=True)
    ctx.duplicates("user_id", user_id, N_("duplicate user id"))
    name_raw = ctx.plain_text("name")
    name = normalise.blank_to_empty(name_raw)  # names are never NFKC-normalised (髙, 﨑 stay)
    ctx.required("name", name, name_raw)
    email = _emails(ctx)
    division = normalise.blank_to_empty(ctx.plain_text("division"))
    # 「全社」 is the whole company's row in every report: a 事業部 of that name would be
    # read as the company (and its row and the company's would be one).
    ctx.bad(
        "division",
        division == model.COMPANY_ROW,
        N_("「全社」 names the whole company in kops' reports; give this 事業部 another name"),
        division,
        kind="company",
    )
    department = normalise.blank_to_empty(ctx.plain_text("department"))
    job_type = normalise.blank_to_empty(ctx.plain_text("job_type"))
    age_band = normalise.nfkc(normalise.blank_to_empty(ctx.plain_text("age_band")))
    employment_raw = ctx.plain_text("employment")
    vocab = settings.employment
    status_of = {}
    for key in model.EMPLOYMENT_STATUSES:
        for word in getattr(vocab, key):
            status_of[normalise.fold_key(word)] = key
    employment = normalise.blank_to_empty(employment_raw)
    folded = per_distinct(
        employment, lambda v: status_of.get(normalise.fold_key(v)) if v else "active"
    )
    unknown = folded.isna()
    ctx.bad(
        "employment",
        unknown,
        Phrase(
            N_("unknown 在籍状況 (expected {expected})"),
            expected="/".join(_words(vocab, model.EMPLOYMENT_STATUSES)),
        ),
        employment_raw,
        kind="employment",
    )
    frame = pd.DataFrame(
        {
            "user_id": user_id,
            "name": name,
            "email": email.mask(email == "", None),
            "division": division.mask(division == "", model.UNSET),
            "department": department.mask(department == "", model.UNSET),
            "job_type": job_type.mask(job_type == "", None),
            "age_band": age_band.mask(age_band == "", None),
            "employment": employment.mask(employment == "", vocab.active[0]),
            "employment_status": folded.fillna("active"),
            "created_at": ctx.dates("created_at"),
            "last_login_at": ctx.dates("last_login_at", happened=True),
            "birth_date": ctx.dates("birth_date", since_2000=False),
        }
    )
    return frame


def _emails(ctx: Context) -> pd.Series:
    """Normalised addresses: exactly one address each, no two users sharing one."""
    raw = ctx.plain_text("email")
    email = normalise.normalise_email(raw)
    ctx.note_respelled("email", raw, email)
    checked = email.where(~normalise.has_control(raw), "")  # control characters already reported
    reasons = normalise.email_problems(checked)
    malformed = reasons.notna()
    if malformed.any():
        described = "'" + normalise.blank_to_empty(raw) + "': " + reasons.fillna("")
        ctx.findings.rows(
            ctx.file,
            malformed,
            ctx.raw.first_row,
            ctx.header("email"),
            N_("not one email address"),
            described,
            kind="email",
            quote=False,
        )
    # A look-alike address (exаmple.jp with a Cyrillic а) is refused; an address in
    # Japanese (or another script) is valid but no mail kops sends can reach it: noted
    # by row, and such people are left out of mail runs with the reason.
    ascii_only = pc.fill_null(pc.string_is_ascii(arrow_text(email)), True).to_numpy(
        zero_copy_only=False
    )
    mixed = per_distinct(email, normalise.mixed_scripts, rows=~ascii_only & ~malformed)
    if mixed.notna().any():
        ctx.findings.rows(
            ctx.file,
            mixed.notna(),
            ctx.raw.first_row,
            ctx.header("email"),
            N_("the address mixes scripts, so it looks like another address"),
            "'" + email + "': " + mixed.fillna(""),
            kind="email",
            quote=False,
        )
    foreign = pd.Series(~ascii_only, index=email.index) & ~malformed
    foreign &= mixed.isna()
    if foreign.any():
        rows = [ctx.raw.first_row + int(i) for i in foreign[foreign].index[:5]]
        first = email[foreign].iloc[0]
        ctx.findings.note(
            _(
                "{file}:{row}: {column}: {n} address(es) mail can't be sent to (not ASCII), "
                "e.g. '{first}' (rows {rows}); those people are left out of mail runs"
            ).format(
                file=ctx.file,
                row=rows[0],
                column=ctx.header("email"),
                n=int(foreign.sum()),
                first=first,
                rows=", ".join(map(str, rows)),
            )
        )
    # One person, one address: two rows with one address would mail one person twice,
    # under two names.
    ctx.duplicates("email", email, N_("email address already used by another user"))
    return email


def _pairs(ctx: Context, settings: Exports) -> pd.DataFrame:
    manager_id = _ids(ctx, "manager_id")
    member_id = _ids(ctx, "member_id")
    same = (manager_id == member_id) & (manager_id != "")
    ctx.bad("member_id", same, N_("manager and member are the same person"), member_id, kind="self")
    recurring_raw = ctx.text("recurring")
    recurring, bad = normalise.parse_bools(
        recurring_raw, settings.recurring_true, settings.recurring_false
    )
    ctx.bad(
        "recurring",
        bad,
        N_("unknown 繰り返し設定 value (expected あり/なし, true/false, 1/0, ○/×)"),
        recurring_raw,
        kind="bool",
    )
    return pd.DataFrame(
        {
            "manager_id": manager_id,
            "member_id": member_id,
            # An invitation sent or accepted after now is a mistyped date: a pair "accepted"
            # in 2099 was counted as a 部下 of no period at all.
            "invited_at": ctx.dates("invited_at", happened=True),
            "accepted_at": ctx.dates("accepted_at", happened=True),
            "recurring": recurring,
        }
    )


def _meetings(ctx: Context, settings: Exports) -> pd.DataFrame:
    meeting_id = _ids(ctx, "meeting_id", defines=True)
    ctx.duplicates("meeting_id", meeting_id, N_("duplicate 1on1 id"))
    # Manager and member ids repeat (a few thousand people over millions of 1on1s):
    # checked per distinct id and stored dictionary-encoded.
    managers, manager_values = _distinct_ids(ctx, "manager_id")
    members, member_values = _distinct_ids(ctx, "member_id")
    manager_id = managers.categorical(manager_values)
    member_id = members.categorical(member_values)
    same = _same_values(manager_id, member_id) & ~_is_value(manager_id, "")
    if same.any():  # (the ids spread over 2.5M rows only to be quoted)
        ctx.bad(
            "member_id",
            pd.Series(same, index=members.index),
            N_("manager and member are the same person"),
            members.spread(member_values),
            kind="self",
        )

    held_raw = ctx.text("held_at")
    held_at = ctx.dates("held_at")  # 予定 may lie ahead: checked with the status below
    ctx.required_where("held_at", ctx.blank_dates("held_at", held_at), held_raw)

    status_map: dict[str, str] = {}
    for key in model.STATUSES:
        for word in [*getattr(settings.statuses, key), key]:
            status_map[normalise.fold_key(word)] = key
    statuses = ctx.distinct("status")
    status_raw = statuses.values
    status, unknown, _respelled = normalise.map_vocabulary(status_raw, status_map)
    expected = "/".join(_words(settings.statuses, model.STATUSES))
    ctx.bad_each(
        "status",
        statuses,
        unknown,
        Phrase(N_("unknown status (expected {expected})"), expected=expected),
        status_raw,
        kind="status",
    )
    ctx.bad_each(
        "status",
        statuses,
        status.where(~unknown, "?") == "",
        N_("required value is blank"),
        status_raw,
        kind="blank",
    )
    ctx.not_after_now("held_at", held_at, held_raw, statuses.rows_with(status == "held"))

    topic, topics = _vocab(ctx, "topic", settings.topics, settings.topic_aliases, "トピック")
    response, responses = _vocab(
        ctx, "response", settings.responses, settings.response_aliases, "対応"
    )
    sukkiri = _scores(ctx, "sukkiri", settings.sukkiri_scale.min, settings.sukkiri_scale.max)
    growth = _scores(ctx, "growth", settings.growth_scale.min, settings.growth_scale.max)
    return pd.DataFrame(
        {
            "meeting_id": meeting_id,
            "manager_id": manager_id,
            "member_id": member_id,
            "held_at": held_at,
            "status": _categorical(statuses, status.mask(unknown, None), model.STATUSES),
            "topic": _categorical(topics, topic.mask(topic == "", None), settings.topics),
            "response": _categorical(
                responses, response.mask(response == "", None), settings.responses
            ),
            "prepared_at": ctx.dates("prepared_at"),
            "sukkiri": sukkiri,
            "growth": growth,
        },
        index=members.index,
    )


def _words(vocabulary: object, keys: Sequence[str]) -> list[str]:
    """A kops.yaml vocabulary's words for each key (its fields are the schema's keys)."""
    return [word for key in keys for word in getattr(vocabulary, key)]


def _same_values(left: pd.Categorical, right: pd.Categorical) -> np.ndarray:
    """Row by row, whether two categoricals hold the same value (compared by code)."""
    right_in_left = np.append(left.categories.get_indexer(right.categories), -2)
    return np.asarray(left.codes) == right_in_left[np.asarray(right.codes)]


def _is_value(values: pd.Categorical, value: str) -> np.ndarray:
    """Row by row, whether a categorical holds ``value``."""
    codes = np.asarray(values.codes)
    if value not in values.categories:
        return np.zeros(len(codes), dtype=bool)
    return codes == values.categories.get_loc(value)


def _scores(ctx: Context, field: str, low: int, high: int) -> pd.Series:
    """A rating column (スッキリ度, 成長実感): whole numbers from ``low`` to ``high``."""
    column = ctx.distinct(field)
    values, bad = normalise.parse_ints(column.values, low, high)
    ctx.bad_each(
        field,
        column,
        bad,
        Phrase(N_("not a whole number from {low} to {high}"), low=low, high=high),
        column.values,
        kind="int",
    )
    return column.spread(values)


def _categorical(
    column: Distinct, values: pd.Series, categories: Sequence[str]
) -> pd.Categorical[str]:
    """``pd.Categorical(rows, categories)`` from ``values`` given per distinct value of
    ``column``: each distinct value is looked up once (missing and unknown values: -1)."""
    positions = pd.Index(categories).get_indexer(pd.Index(values))
    codes = positions if column.codes is None else positions[column.codes]
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories))


def _vocab(
    ctx: Context, field: str, canonical: list[str], aliases: dict[str, str], label: str
) -> tuple[pd.Series, Distinct]:
    """The canonical spelling per distinct value of the column, and the column."""
    column = ctx.distinct(field)
    raw = column.values
    values, unknown, respelled = normalise.map_vocabulary(
        raw, normalise.vocabulary_map(canonical, aliases)
    )
    ctx.bad_each(
        field,
        column,
        unknown,
        Phrase(
            N_(
                "unknown {label} (expected one of {expected}; "
                "map other spellings in kops.yaml exports.{field}_aliases)"
            ),
            label=label,
            expected=", ".join(canonical),
            field=field,
        ),
        raw,
        kind=field,
    )
    rows_per_value = column.row_counts()
    stripped = normalise.blank_to_empty(raw)
    for before, after in list(respelled.items())[:5]:
        count = int(rows_per_value[(stripped == before).to_numpy(dtype=bool)].sum())
        ctx.findings.note(
            _("{file}: {column}: '{before}' read as '{after}' ({count} rows)").format(
                file=ctx.file, column=ctx.header(field), before=before, after=after, count=count
            )
        )
    return values, column


def repeated_headers(table: str, columns: dict[str, str]) -> set[str]:
    """The headers of ``table``'s repeated-value columns as found in the file: they are
    read as categoricals (see read_table)."""
    return {columns[field] for field in model.TABLES[table].repeated if field in columns}


def required_columns_missing(table: str, columns: dict[str, str]) -> list[str]:
    return [field for field in model.TABLES[table].required if field not in columns]
