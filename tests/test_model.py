"""The one schema of the canonical tables (kakeai_ops.model): what ingest builds, the
store keeps, and every other layer names its columns and keys from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from conftest import Cli, tree_digest
from factories import meeting, pair, tables, user
from kakeai_ops import glossary, model
from kakeai_ops.analyses import divisions, streaks
from kakeai_ops.analyses import segmentation as segment
from kakeai_ops.analyses.roles import roles
from kakeai_ops.config import Exports
from kakeai_ops.exports.canonical import repeated_headers, required_columns_missing
from kakeai_ops.store import latest_snapshot, list_snapshots, load_tables, write_snapshot
from kakeai_ops.workspace import Workspace


def test_a_snapshot_ingest_wrote_has_the_schemas_shape(sample_ws: Workspace) -> None:
    snapshot = latest_snapshot(sample_ws)
    assert snapshot is not None
    stored = load_tables(snapshot)
    for name in model.TABLE_NAMES:
        assert model.shape_problems(name, stored.get(name)) == [], name
    # The fixed vocabularies are the categories themselves, in the schema's order.
    assert tuple(stored.meetings["status"].cat.categories) == model.STATUSES
    assert set(stored.users["employment_status"]) <= set(model.EMPLOYMENT_STATUSES)
    assert set(stored.users["employment_status"]) >= {"active", "retired"}


@pytest.mark.parametrize(
    ("table", "spoil", "said"),
    [
        ("users", lambda f: f[list(reversed(f.columns))], "users: columns"),
        ("users", lambda f: f.assign(user_id=f["user_id"].mask(f.index == 3)), "users.user_id"),
        ("pairs", lambda f: f.assign(recurring=f["recurring"].map(str)), "pairs.recurring"),
        ("meetings", lambda f: f.assign(held_at=f["held_at"].astype(str)), "meetings.held_at"),
        (
            "meetings",
            lambda f: f.assign(status=f["status"].cat.rename_categories({"held": "done"})),
            "meetings.status: values ['done']",
        ),
        ("meetings", lambda f: f.assign(memo="本文"), "meetings: columns"),
    ],
)
def test_the_store_refuses_tables_of_another_shape(
    sample_copy: Workspace, table: str, spoil: Callable[[pd.DataFrame], pd.DataFrame], said: str
) -> None:
    snapshot = latest_snapshot(sample_copy)
    assert snapshot is not None
    frames = load_tables(snapshot)
    spoilt = model.Tables(
        **{n: spoil(frames.get(n)) if n == table else frames.get(n) for n in model.TABLE_NAMES}
    )
    before = sorted(p.name for p in sample_copy.snapshots_dir.iterdir())
    with pytest.raises(ValueError, match=said.replace("[", r"\[")):
        write_snapshot(sample_copy, spoilt, dict(snapshot.manifest))
    # Nothing half-written: no new snapshot, no staging directory left behind.
    assert sorted(p.name for p in sample_copy.snapshots_dir.iterdir()) == before
    assert [s.id for s in list_snapshots(sample_copy)] == ["0001", "0002"]


def test_exports_read_their_headers_and_required_fields_from_the_schema() -> None:
    headers = Exports().headers
    assert headers.meetings["sukkiri"] == ["スッキリ度"]
    assert headers.users["birth_date"] == ["生年月日"]  # read, never stored
    assert "birth_date" not in model.USERS.columns
    assert "employment_status" not in headers.users  # derived at ingest
    found = {f: h[0] for f, h in headers.meetings.items() if f != "sukkiri"}
    assert required_columns_missing("meetings", found) == ["sukkiri"]
    assert required_columns_missing("pairs", {"manager_id": "上司ID"}) == [
        "member_id",
        "accepted_at",
    ]
    assert repeated_headers("meetings", {"status": "ステータス", "meeting_id": "1on1ID"}) == {
        "ステータス"
    }


def test_each_key_is_spelt_in_one_place() -> None:
    assert tuple(glossary.ROLES) == model.ROLES
    assert tuple(glossary.STUCK_POINTS) == model.STUCK_POINTS
    assert segment.KEYS == model.STUCK_POINTS
    assert set(segment.HELP) == set(model.STUCK_POINTS)
    assert [sp.label for sp in segment.STUCK_POINTS] == list(glossary.STUCK_POINTS.values())
    assert set(roles([True, True, False, False], [True, False, True, False])) == set(model.ROLES)
    assert tuple(Exports().statuses.model_dump()) == model.STATUSES
    assert tuple(Exports().employment.model_dump()) == model.EMPLOYMENT_STATUSES
    assert Exports().topics == list(model.TOPICS)
    assert Exports().responses == list(model.RESPONSES)
    assert set(model.SIDES) < set(model.ROLES)
    assert model.PAIRS.key == tuple(f"{side}_id" for side in model.SIDES)
    assert all(set(t.key) <= set(t.required) for t in model.TABLES.values())


def test_what_an_analysis_reads_is_checked_against_the_schema() -> None:
    with pytest.raises(KeyError, match="nmae"):
        model.needed(users=["user_id", "nmae"])
    with pytest.raises(KeyError):
        model.needed(seminars=["user_id"])
    for reads in (segment.NEEDED_COLUMNS, divisions.NEEDED_COLUMNS, streaks.NEEDED_COLUMNS):
        for table, columns in reads.items():
            assert set(columns) <= set(model.TABLES[table].columns)
    # The division figures go by the member's place: not the 1on1s' ids. Managers are
    # read to be counted (the topic × 対応 grid's cells need min_group of them).
    assert divisions.NEEDED_COLUMNS["meetings"] == [
        c for c in model.MEETINGS.columns if c != "meeting_id"
    ]


def test_hand_made_tables_have_the_snapshots_shape() -> None:
    made = tables(
        users=[user("M"), user("X", last_login_at=None)],
        pairs=[pair("M", "X")],
        meetings=[meeting("M", "X", "2026-11-02 10:00", sukkiri=None, topic=None)],
    )
    for name in model.TABLE_NAMES:
        assert model.shape_problems(name, made.get(name)) == [], name
    assert list(made.meetings["manager_id"].cat.categories) == ["M"]
    assert pd.isna(made.meetings["sukkiri"].iloc[0])
    with pytest.raises(KeyError, match="nmae"):
        model.frame("users", [{"user_id": "1", "nmae": "x"}])


def test_a_tenants_own_topics_fit_the_schema() -> None:
    own = ["仕事", "キャリア"]
    frame = model.frame(
        "meetings",
        [meeting("M", "X", "2026-11-02 10:00", topic="仕事", response=None)],
        vocabularies={"topic": own},
    )
    assert list(frame["topic"].cat.categories) == own
    assert model.shape_problems("meetings", frame) == []


def test_values_leave_a_frame_as_what_they_are() -> None:
    frame = pd.DataFrame(
        {"user_id": ["A", "B"], "held": pd.array([3, None], dtype="Int8"), "share": [0.5, None]}
    )
    assert model.records(frame)[0] == {"user_id": "A", "held": 3, "share": 0.5}
    assert model.record(frame.iloc[1])["user_id"] == "B"
    people = frame.set_index("user_id")
    assert model.whole(model.row_of(people, "A")["held"]) == 3
    assert model.number(people["share"].iloc[0]) == 0.5
    assert model.missing(people["held"].iloc[1]) and model.missing(people["share"].iloc[1])
    assert not model.missing("") and not model.missing(0)
    # A label that stands twice is a broken invariant, not a row.
    with pytest.raises(ValueError, match="more than one row labelled 'A'"):
        model.row_of(pd.concat([people, people]), "A")


def test_id_columns_stay_text_in_files_for_people() -> None:
    from kakeai_ops.outputs.people import for_people

    assert all(model.is_id(c) for c in ("user_id", "manager_id", "member_id", "meeting_id"))
    assert not model.is_id("idle")
    shown = for_people(pd.DataFrame({"manager_id": ["0012"], "run_id": ["r-1"], "held": [3]}))
    assert shown.formats[:2] == [glossary.TEXT, glossary.TEXT]
    assert shown.formats[2] != glossary.TEXT


def test_an_unknown_employment_word_names_the_words_of_every_status(
    ws: Workspace, cli: Cli, make_exports: Callable[..., list[Path]]
) -> None:
    row = ["0009", "出向 太郎", "", "営業本部", "第一営業部", "営業", "30代", "出向", ""]
    files = make_exports(users=[row])
    before = tree_digest(ws.root)
    result = cli("ingest", *map(str, files), ok=False)
    assert result.exit_code == 1
    assert (
        "users.csv:2: 在籍状況: unknown 在籍状況 (expected 在籍/休職/産休/育休/退職) ('出向')"
        in result.stderr
    )
    assert tree_digest(ws.root) == before


def test_a_snapshot_with_an_empty_table_can_be_written_again(
    ws: Workspace, cli: Cli, make_exports: Callable[..., list[Path]]
) -> None:
    """A users-only ingest stores no 1on1s; Parquet gives the empty id columns back
    untyped, and a snapshot written from what was read is still accepted."""
    cli("ingest", str(make_exports()[0]))  # users only
    snapshot = latest_snapshot(ws)
    assert snapshot is not None
    stored = load_tables(snapshot)
    assert len(stored.meetings) == 0 and list(stored.meetings.columns) == list(
        model.MEETINGS.columns
    )
    assert write_snapshot(ws, stored, dict(snapshot.manifest)).id == "0002"
