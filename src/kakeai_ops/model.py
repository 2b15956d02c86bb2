"""The one schema of the canonical tables, and the values kops gives meaning to.

Each table's fields in the order a snapshot stores them: the pandas dtype a frame holds
them in, whether a value may be missing, the header an export names them by default
(kops.yaml may map others: config/export_settings.py), whether an export must have the column,
and the vocabulary where the values come from a list. Exports build frames of this
shape, the store refuses to write any other, analyses name the columns they read from
here, and ROLES, STATUSES and STUCK_POINTS are the only spelling of those keys (their
Japanese words are in glossary.py). The specification is ../spec/exports.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, SupportsFloat, SupportsInt, cast

if TYPE_CHECKING:  # pandas is imported where a frame is made or checked: the commands
    import pandas as pd  # that read no snapshot never load it

# --- vocabularies ------------------------------------------------------------

# A 1on1's status (meetings.status): 実施済 / 予定 / キャンセル in the export.
STATUSES = ("held", "scheduled", "cancelled")
# A user's employment status (users.employment_status), folded from 在籍状況.
EMPLOYMENT_STATUSES = ("active", "leave", "retired")
# A person's role from the formed pairs they are in: 上司 in one, 部下 in one, both, neither.
ROLES = ("manager", "member", "both", "none")
# The two sides of a pair (pairs.manager_id, pairs.member_id), and of a 1on1.
SIDES = ("manager", "member")
# The reports' row of everyone: no 事業部 may take this name (exports refuse it).
COMPANY_ROW = "全社"
# Stuck points in funnel order (rules.md §1): the first that applies is a user's primary
# one. The rules that judge them are in analyses/segmentation.py, the words in glossary.py.
STUCK_POINTS = (
    "not_activated",
    "no_pair",
    "no_1on1",
    "lapsed",
    "no_prep",
    "no_rating",
    "no_recurrence",
    "healthy",
)
# The service's topics (トピック) and responses (対応) by default; a tenant lists its own
# in kops.yaml (exports.topics, exports.responses).
TOPICS = (
    "業務の進捗や進め方",
    "業績目標の進捗",
    "人間関係",
    "心身の状態",
    "今後のキャリア",
    "スキルや力の向上",
    "プライベート",
    "会社や部署の方針",
)
RESPONSES = (
    "話を聞いてほしい",
    "意見を聞きたい",
    "一緒に考えてほしい",
    "具体的なアドバイスがほしい",
    "報告したい",
)

# --- fields and tables -------------------------------------------------------

# The dtypes a snapshot's columns have: text, dictionary-encoded text, naive JST times,
# booleans and small nullable whole numbers (the ratings).
Dtype = Literal["str", "category", "datetime", "bool", "Int8"]


@dataclass(frozen=True)
class Field:
    name: str
    dtype: Dtype
    nullable: bool = False
    header: str | None = None  # the export's default header; None: derived at ingest
    required: bool = False  # an export without the column is refused
    vocabulary: tuple[str, ...] = ()  # the values it may hold
    configurable: bool = False  # the vocabulary is a default that kops.yaml may replace
    repeats: bool = False  # few distinct values over many rows: read dictionary-encoded
    stored: bool = True  # False: read from the export for ingest's use, never stored


@dataclass(frozen=True)
class Table:
    name: str
    label: str  # the export's name on the service's admin screens
    key: tuple[str, ...]  # the fields that tell one row from another
    fields: tuple[Field, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """The stored columns, in order."""
        return tuple(f.name for f in self.fields if f.stored)

    @property
    def required(self) -> tuple[str, ...]:
        """The fields an export of this table must have."""
        return tuple(f.name for f in self.fields if f.required)

    @property
    def headers(self) -> dict[str, list[str]]:
        """Field → its default header names (the fields an export may carry)."""
        return {f.name: [f.header] for f in self.fields if f.header is not None}

    @property
    def repeated(self) -> tuple[str, ...]:
        """The fields with few values over many rows."""
        return tuple(f.name for f in self.fields if f.repeats)

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.name} has no field {name!r}")

    def without(self, *names: str) -> tuple[str, ...]:
        """The stored columns but ``names`` (each of which must be one)."""
        unknown = set(names) - set(self.columns)
        if unknown:
            raise KeyError(f"{self.name} has no column {', '.join(sorted(unknown))}")
        return tuple(c for c in self.columns if c not in names)


def _text(name: str, header: str | None, **more: Any) -> Field:
    return Field(name, "str", header=header, **more)


def _time(name: str, header: str, nullable: bool = True, **more: Any) -> Field:
    return Field(name, "datetime", nullable=nullable, header=header, **more)


# A blank 事業部 or 部署, as every output names it (exports.md).
UNSET = "(未設定)"

USERS = Table(
    "users",
    "ユーザー一覧",
    ("user_id",),
    (
        _text("user_id", "ユーザーID", required=True),
        _text("name", "氏名", required=True),
        _text("email", "メールアドレス", nullable=True),  # blank: the user can't be mailed
        _text("division", "事業部"),  # blank: UNSET
        _text("department", "部署"),  # blank: UNSET
        _text("job_type", "職種", nullable=True),
        _text("age_band", "年代", nullable=True),
        # Only to derive age_band when the export gives birth dates instead.
        Field("birth_date", "datetime", nullable=True, header="生年月日", stored=False),
        _text("employment", "在籍状況"),  # as the export words it; blank: 在籍
        _text("employment_status", None, vocabulary=EMPLOYMENT_STATUSES),
        _time("created_at", "アカウント作成日"),
        _time("last_login_at", "最終ログイン日時", required=True),  # blank: never logged in
    ),
)

PAIRS = Table(
    "pairs",
    "ペア一覧",
    ("manager_id", "member_id"),  # a pair exported twice is merged at ingest
    (
        _text("manager_id", "上司ID", required=True),
        _text("member_id", "部下ID", required=True),
        _time("invited_at", "招待日"),
        # Required: without it no pair could count as formed (blank: not accepted).
        _time("accepted_at", "承認日", required=True),
        Field("recurring", "bool", header="繰り返し設定"),
    ),
)

# The 1on1s' manager and member ids repeat (a few thousand people over millions of
# 1on1s): stored dictionary-encoded. topic, prepared_at and sukkiri are required because
# the stuck points are judged on them.
MEETINGS = Table(
    "meetings",
    "1on1履歴",
    ("meeting_id",),  # a re-ingested 1on1 replaces the one with its id
    (
        _text("meeting_id", "1on1ID", required=True),
        Field("manager_id", "category", header="上司ID", required=True, repeats=True),
        Field("member_id", "category", header="部下ID", required=True, repeats=True),
        _time("held_at", "実施日時", required=True, nullable=False),
        Field(
            "status",
            "category",
            header="ステータス",
            required=True,
            vocabulary=STATUSES,
            repeats=True,
        ),
        Field(
            "topic",
            "category",
            nullable=True,
            header="トピック",
            required=True,
            vocabulary=TOPICS,
            configurable=True,
            repeats=True,
        ),
        Field(
            "response",
            "category",
            nullable=True,
            header="対応",
            vocabulary=RESPONSES,
            configurable=True,
            repeats=True,
        ),
        _time("prepared_at", "事前準備日時", required=True),  # blank: not prepared
        # Scales are configurable (default スッキリ度 0–5, 成長実感 1–5).
        Field("sukkiri", "Int8", nullable=True, header="スッキリ度", required=True, repeats=True),
        Field("growth", "Int8", nullable=True, header="成長実感", repeats=True),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (USERS, PAIRS, MEETINGS)}
TABLE_NAMES = tuple(TABLES)

# The columns of each canonical table, as a snapshot stores them.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {name: t.columns for name, t in TABLES.items()}


def is_id(column: str) -> bool:
    """Whether a column holds ids: the canonical ones and those named after them
    (manager_id, run_id…) end in ``_id``. Ids are text: leading zeros are part of them,
    so no output may read them as numbers."""
    return column.endswith("_id")


# What a user's row says of the person (not of their use of the service), in order.
PERSON_COLUMNS = ("name", "email", "division", "department", "job_type", "age_band")


def needed(**columns: Iterable[str]) -> dict[str, list[str]]:
    """What an analysis reads of a snapshot (table → its columns, for load_tables), each
    name checked against the schema: a misspelt column fails on import, not on a load."""
    wanted = {table: list(names) for table, names in columns.items()}
    for table, names in wanted.items():
        TABLES[table].without(*names)  # raises KeyError for a column the table lacks
    return wanted


# --- frames of the schema's shape --------------------------------------------


def _dtype_fits(dtype: Any, wanted: Dtype) -> bool:
    import pandas as pd

    if wanted == "str":
        return pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)
    if wanted == "category":
        return isinstance(dtype, pd.CategoricalDtype)
    if wanted == "datetime":
        return pd.api.types.is_datetime64_dtype(dtype)  # naive: times are JST throughout
    if wanted == "bool":
        return pd.api.types.is_bool_dtype(dtype)
    return str(dtype) == wanted


def shape_problems(table: str, frame: pd.DataFrame) -> list[str]:
    """How ``frame`` differs from the stored shape of ``table`` (none: it fits)."""
    import pandas as pd

    schema = TABLES[table]
    found = [str(c) for c in frame.columns]
    if found != list(schema.columns):
        return [f"{table}: columns {found}, expected {list(schema.columns)}"]
    said: list[str] = []
    if not len(frame):  # read back from Parquet, an empty column may have lost its type
        return said
    for field in schema.fields:
        if not field.stored:
            continue
        column = frame[field.name]
        if not _dtype_fits(column.dtype, field.dtype):
            said.append(f"{table}.{field.name}: dtype {column.dtype}, expected {field.dtype}")
            continue
        if not field.nullable and bool(column.isna().any()):
            said.append(f"{table}.{field.name}: missing values")
        if field.vocabulary and not field.configurable:
            values = (
                column.cat.categories
                if isinstance(column.dtype, pd.CategoricalDtype)
                else pd.Index(column.dropna().unique())
            )
            unknown = sorted(set(map(str, values)) - set(field.vocabulary))
            if unknown:
                said.append(f"{table}.{field.name}: values {unknown} not in {field.vocabulary}")
    return said


def frame(
    table: str,
    rows: Iterable[Mapping[str, Any]],
    vocabularies: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """A frame of ``table``'s stored shape from plain rows (hand-made tables, tests):
    each column typed as the schema says; categories are the field's vocabulary
    (``vocabularies`` may give a tenant's own) or, for ids, the values present."""
    import pandas as pd

    schema = TABLES[table]
    listed = list(rows)
    unknown = sorted({key for row in listed for key in row} - set(schema.columns))
    if unknown:
        raise KeyError(f"{table} has no column {', '.join(unknown)}")
    data = pd.DataFrame(listed, columns=list(schema.columns))
    for field in schema.fields:
        if not field.stored:
            continue
        column = data[field.name]
        if field.dtype == "datetime":
            data[field.name] = pd.to_datetime(column)
        elif field.dtype == "bool":
            data[field.name] = column.astype(bool)
        elif field.dtype == "Int8":
            data[field.name] = column.astype("Int8")
        elif field.dtype == "category":
            given = (vocabularies or {}).get(field.name)
            categories = list(given) if given is not None else list(field.vocabulary) or None
            if categories is None:
                categories = sorted(str(v) for v in column.dropna().unique())
            data[field.name] = pd.Categorical(column, categories=categories)
        else:
            data[field.name] = column.astype("str")  # missing stays missing
    return data


# --- values out of frames, typed ---------------------------------------------
# pandas types a frame's labels as any hashable and a cell as any scalar; kops' frames
# name their columns with text and a cell read here is known to hold what is asked for.
# These say so once, where the value leaves the frame.


def record(row: pd.Series) -> dict[str, Any]:
    """A row as {column: value}."""
    return cast("dict[str, Any]", row.to_dict())


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as [{column: value}], in order."""
    return cast("list[dict[str, Any]]", frame.to_dict("records"))


def row_of(frame: pd.DataFrame, label: str) -> pd.Series:
    """The row labelled ``label`` of a frame indexed by a unique key (a user id)."""
    import pandas as pd

    found = frame.loc[label]
    if not isinstance(found, pd.Series):  # the index repeats the label: a broken invariant
        raise ValueError(f"more than one row labelled {label!r}")
    return found


def whole(value: object) -> int:
    """A cell holding a whole number (Python's or numpy's) as an int."""
    return int(cast(SupportsInt, value))


def number(value: object) -> float:
    """A cell holding a number as a float."""
    return float(cast(SupportsFloat, value))


def missing(value: object) -> bool:
    """Whether a cell holds no value (None, NaN, NaT, NA)."""
    import pandas as pd

    return bool(pd.isna(cast(Any, value)))  # isna takes any scalar; its types list some


@dataclass(frozen=True)
class Tables:
    """The three canonical tables of one snapshot (their shape: TABLES above)."""

    users: pd.DataFrame
    pairs: pd.DataFrame
    meetings: pd.DataFrame

    def get(self, name: str) -> pd.DataFrame:
        table: pd.DataFrame = getattr(self, name)
        return table
