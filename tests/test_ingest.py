"""kops ingest: reading, normalising, merging, and all-or-nothing on bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from conftest import (
    MEETINGS_HEADER,
    USERS_HEADER,
    Cli,
    tree_digest,
    write_csv,
    write_xlsx,
)
from kakeai_ops.config import Settings
from kakeai_ops.errors import InputError
from kakeai_ops.jobs.ingest import ingest
from kakeai_ops.store import latest_snapshot, list_snapshots, load_tables
from kakeai_ops.workspace import Workspace

MakeExports = Callable[..., list[Path]]


def test_ingest_normalises_values_and_stores_a_snapshot(
    ws: Workspace, make_exports: MakeExports
) -> None:
    files = make_exports(
        users=[
            [
                "０００１",
                "髙橋 一郎",
                " Ichiro@Example.JP ",
                "営業本部",
                "第一営業部",
                "営業",
                "４０代",
                "在籍",
                "2026/11/20 9:05",
            ],
            [
                "0002",
                "山﨑 花子",
                "ｈａｎａｋｏ@example.jp",
                "営業本部",
                "第一営業部",
                "営業",
                "20代",
                "",
                "2026-11-19T10:00:00",
            ],
            ["0003", "神田 ㈱子", "", "", "-", "", "", "育休", "－"],
        ],
    )
    result = ingest(ws, Settings(), files)
    tables = load_tables(result.snapshot)
    users = tables.users.set_index("user_id")
    assert list(users.index) == ["0001", "0002", "0003"]  # full-width digits → ASCII, zeros kept
    assert users.loc["0001", "name"] == "髙橋 一郎"  # names never NFKC-normalised
    assert users.loc["0002", "name"] == "山﨑 花子"
    assert users.loc["0003", "name"] == "神田 ㈱子"
    assert users.loc["0001", "email"] == "ichiro@example.jp"
    assert users.loc["0002", "email"] == "hanako@example.jp"
    assert pd.isna(users.loc["0003", "email"])
    assert users.loc["0003", "division"] == "(未設定)"
    assert users.loc["0003", "department"] == "(未設定)"
    assert users.loc["0001", "age_band"] == "40代"
    assert users.loc["0003", "employment_status"] == "leave"
    assert users.loc["0002", "employment"] == "在籍"
    assert users.loc["0001", "last_login_at"] == pd.Timestamp("2026-11-20 09:05")
    assert pd.isna(users.loc["0003", "last_login_at"])  # '－' is missing

    pairs = tables.pairs.set_index("member_id")
    assert pairs.loc["0002", "accepted_at"] == pd.Timestamp("2026-04-02")
    assert pd.isna(pairs.loc["0003", "accepted_at"])  # '-' = not accepted
    assert bool(pairs.loc["0002", "recurring"]) and not bool(pairs.loc["0003", "recurring"])

    meetings = tables.meetings.set_index("meeting_id")
    assert meetings.loc["M1", "response"] == "一緒に考えてほしい"  # 欲しい folded
    assert meetings.loc["M1", "status"] == "held"
    assert meetings.loc["M2", "status"] == "cancelled"
    assert meetings.loc["M3", "status"] == "scheduled"
    assert meetings.loc["M1", "sukkiri"] == 4
    assert meetings.loc["M1", "prepared_at"] == pd.Timestamp("2026-11-01 18:00")
    # The as-of date is the latest login or held 1on1, never a scheduled one.
    assert result.snapshot.as_of.isoformat() == "2026-11-20"
    assert any("normalised" in note for note in result.notes)


def test_memo_column_is_never_stored(
    ws: Workspace, tmp_path: Path, make_exports: MakeExports
) -> None:
    files = make_exports()
    memo = write_xlsx(
        tmp_path / "with_memo.xlsx",
        [*MEETINGS_HEADER, "メモ"],
        [
            [
                "M9",
                "0001",
                "0002",
                "2026/11/05 10:00",
                "実施済",
                "人間関係",
                "報告したい",
                "",
                "3",
                "",
                "ひみつのメモ本文",
            ]
        ],
    )
    result = ingest(ws, Settings(), [*files, memo])
    assert any("メモ" in n and "unread" in n for n in result.notes)
    snapshot_bytes = b"".join(p.read_bytes() for p in result.snapshot.path.iterdir())
    assert "ひみつのメモ本文".encode() not in snapshot_bytes
    assert "memo" not in load_tables(result.snapshot).meetings.columns


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_csv_encodings_and_delimiters(
    ws: Workspace, tmp_path: Path, make_exports: MakeExports, encoding: str, delimiter: str
) -> None:
    files = make_exports()
    users = write_csv(
        tmp_path / "u.txt",
        USERS_HEADER,
        [
            ["0001", "髙橋 一郎", "", "営業本部", "第一営業部", "営業", "40代", "", "2026/11/20"],
            ["0002", "山﨑 花子", "", "営業本部", "", "", "", "", ""],
            ["0003", "佐藤 ①", "", "", "", "", "", "", ""],
        ],
        encoding=encoding,
        delimiter=delimiter,
    )
    result = ingest(ws, Settings(), [users, *files[1:]])
    names = load_tables(result.snapshot).users["name"].tolist()
    assert names == ["髙橋 一郎", "山﨑 花子", "佐藤 ①"]


def test_xlsx_with_excel_dates_and_serials(
    ws: Workspace, tmp_path: Path, make_exports: MakeExports
) -> None:
    import datetime as dt

    files = make_exports()
    meetings = write_xlsx(
        tmp_path / "meetings.xlsx",
        MEETINGS_HEADER,
        [
            [
                "M1",
                "0001",
                "0002",
                dt.datetime(2026, 11, 2, 10, 0),
                "実施済",
                "人間関係",
                "",
                dt.datetime(2026, 11, 1, 9),
                5,
                4,
            ],
            ["M2", 1, "0002", "46331", "実施済", "", "", "", "", ""],  # Excel serial as text
            ["M3", "0001", "0002", "2026年11月4日", "実施済", "", "", "", "", ""],
        ],
    )
    with pytest.raises(InputError) as caught:
        ingest(ws, Settings(), [files[0], files[1], meetings])
    # An id Excel turned into the number 1 no longer matches '0001': reported, not guessed.
    assert (
        "meetings.xlsx:3: 上司ID: is not in users ('1'; '0001' is: leading zeros lost? "
        "re-export with the column formatted as text)" in str(caught.value)
    )


def test_numeric_id_cells_in_excel_are_warned_about(
    ws: Workspace, tmp_path: Path, make_exports: MakeExports
) -> None:
    files = make_exports()
    users = write_xlsx(
        tmp_path / "users.xlsx",
        ["ユーザーID", "氏名", "最終ログイン日時"],
        [[1, "A", "2026/11/01"], ["0002", "B", ""]],
    )
    result = ingest(ws, Settings(), [users])
    assert any("ユーザーID: some ids are number cells in Excel" in note for note in result.notes)
    del files


def test_date_forms_are_all_understood(
    ws: Workspace, tmp_path: Path, make_exports: MakeExports
) -> None:
    files = make_exports(
        meetings=[
            ["M1", "0001", "0002", "2026/11/24", "実施済", "", "", "", "", ""],
            ["M2", "0001", "0002", "2026-11-24", "実施済", "", "", "", "", ""],
            ["M3", "0001", "0002", "2026/11/24 9:05", "実施済", "", "", "", "", ""],
            ["M4", "0001", "0002", "2026-11-24T09:05:00", "実施済", "", "", "", "", ""],
            ["M5", "0001", "0002", "46350", "実施済", "", "", "", "", ""],
            ["M6", "0001", "0002", "２０２６／１１／２４", "実施済", "", "", "", "", ""],
            ["M7", "0001", "0002", "2026-11-24T00:05:00Z", "実施済", "", "", "", "", ""],
        ]
    )
    tables = load_tables(ingest(ws, Settings(), files).snapshot)
    held = tables.meetings.set_index("meeting_id")["held_at"]
    assert held["M1"] == held["M2"] == pd.Timestamp("2026-11-24")
    assert held["M3"] == held["M4"] == pd.Timestamp("2026-11-24 09:05")
    assert held["M5"] == pd.Timestamp("2026-11-24")  # Excel serial 46350
    assert held["M6"] == pd.Timestamp("2026-11-24")
    assert held["M7"] == pd.Timestamp("2026-11-24 09:05")  # UTC → JST


# --- bad input: every case names file, row and column, and changes nothing ----


def _fails(ws: Workspace, cli: Cli, files: list[Path]) -> str:
    before = tree_digest(ws.root)
    result = cli("ingest", *map(str, files), ok=False)
    assert result.exit_code == 1
    assert "nothing was changed" in result.stderr
    assert tree_digest(ws.root) == before, "a failed ingest changed the workspace"
    return str(result.stderr)


def test_unknown_encoding(
    ws: Workspace, cli: Cli, tmp_path: Path, make_exports: MakeExports
) -> None:
    files = make_exports()
    bad = tmp_path / "users_latin.csv"
    bad.write_bytes("ユーザーID,氏名,最終ログイン日時\n".encode() + b"0009,\xfd\xfe\xff,\n")
    message = _fails(ws, cli, [bad, *files[1:]])
    assert "users_latin.csv: unknown encoding: neither UTF-8 nor CP932" in message


def test_utf16_is_named(ws: Workspace, cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "users16.csv"
    bad.write_text("ユーザーID,氏名\n1,a\n", encoding="utf-16")
    assert "users16.csv: is UTF-16" in _fails(ws, cli, [bad])
    # In Japanese, the file types as Japanese Excel's 名前を付けて保存 lists them.
    said = cli("ingest", str(bad), ok=False, env={"KOPS_LANG": "ja"}).stderr
    assert "「CSV UTF-8 (コンマ区切り)」か「CSV (コンマ区切り)」" in " ".join(said.split())


def test_missing_required_column_lists_headers_found(
    ws: Workspace, cli: Cli, tmp_path: Path
) -> None:
    users = write_csv(
        tmp_path / "users.csv", ["ユーザーID", "名前", "最終ログイン日時"], [["1", "a", ""]]
    )
    message = _fails(ws, cli, [users])
    assert (
        "users.csv:1: 氏名: missing required column for the users export; headers found: ユーザーID, 名前, 最終ログイン日時"
        in message
    )


def test_an_export_with_its_id_column_renamed_is_named_with_where_to_map_it(
    ws: Workspace, cli: Cli, tmp_path: Path
) -> None:
    """ユーザーID renamed 社員番号 (kops' own lists call it so): every other header is the
    users export's, and 「can't tell which export」 sent the reader nowhere."""
    users = write_csv(
        tmp_path / "users.csv",
        ["社員番号", "氏名", "メールアドレス", "事業部", "部署", "最終ログイン日時"],
        [["000101", "a", "a@example.jp", "営業本部", "第一営業部", ""]],
    )
    message = " ".join(_fails(ws, cli, [users]).split())
    assert "users.csv:1: ユーザーID: this looks like the users export" in message
    assert "no column for its ids" in message
    assert "exports.headers.users.user_id (user_id: [ユーザーID, 社員番号])" in message
    meetings = write_csv(tmp_path / "other.csv", ["a", "b", "c"], [["1", "2", "3"]])
    assert "can't tell which export this is" in _fails(ws, cli, [meetings])
    # 氏名 and 最終ログイン日時 dropped too: all said at once (it said 「1件」 and needed a second round); and a
    # users export of three columns is still named as one.
    short = write_csv(
        tmp_path / "short.csv",
        ["社員番号", "メールアドレス", "事業部"],
        [["1", "a@x.jp", "営業本部"]],
    )
    both = " ".join(_fails(ws, cli, [short]).split())
    assert "3 problems" in both and "short.csv:1: ユーザーID: this looks like the users" in both
    assert "short.csv:1: 氏名: missing required column for the users export" in both
    assert "short.csv:1: 最終ログイン日時: missing required column" in both


def test_unknown_status_topic_and_response(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    files = make_exports(
        meetings=[
            ["M1", "0001", "0002", "2026/11/02", "完了", "雑談", "聞いてね", "", "", ""],
        ]
    )
    message = _fails(ws, cli, files)
    assert (
        "meetings.csv:2: ステータス: unknown status (expected 実施済/予定/キャンセル) ('完了')"
        in message
    )
    assert "meetings.csv:2: トピック: unknown トピック" in message and "('雑談')" in message
    assert "meetings.csv:2: 対応: unknown 対応" in message and "('聞いてね')" in message
    # In Japanese the label is the export's column name, as 対応's is (it said 「topic の値」).
    said = cli(*["ingest", *map(str, files)], ok=False, env={"KOPS_LANG": "ja"}).stderr
    assert "トピック: トピックの値が不明です" in said.replace(" の値", "の値")


def test_unparseable_date_and_out_of_scale_rating(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    files = make_exports(
        meetings=[["M1", "0001", "0002", "2026/13/45", "実施済", "", "", "昨日", "7", ""]]
    )
    message = _fails(ws, cli, files)
    assert "meetings.csv:2: 実施日時: unparseable date" in message and "('2026/13/45')" in message
    assert "meetings.csv:2: 事前準備日時: unparseable date" in message and "('昨日')" in message
    assert "meetings.csv:2: スッキリ度: not a whole number from 0 to 5 ('7')" in message


def test_duplicate_user_and_meeting_ids(ws: Workspace, cli: Cli, make_exports: MakeExports) -> None:
    files = make_exports(
        users=[
            ["0001", "A", "", "", "", "", "", "", "2026/11/01"],
            ["0002", "B", "", "", "", "", "", "", ""],
            ["０００１", "C", "", "", "", "", "", "", ""],  # the same id after NFKC
        ],
        meetings=[
            ["M1", "0001", "0002", "2026/11/02", "実施済", "", "", "", "", ""],
            ["M1", "0001", "0002", "2026/11/03", "実施済", "", "", "", "", ""],
        ],
    )
    message = _fails(ws, cli, files)
    assert "users.csv:4: ユーザーID: duplicate user id ('0001', first at row 2)" in message
    assert "meetings.csv:3: 1on1ID: duplicate 1on1 id ('M1', first at row 2)" in message


def test_references_to_unknown_users_and_self_pairs(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    files = make_exports(
        pairs=[["0001", "00981", "", "2026/04/01", ""], ["0002", "0002", "", "2026/04/01", ""]],
        meetings=[
            ["M1", "0777", "0002", "2026/11/02", "実施済", "", "", "", "", ""],
            ["M2", "0001", "0001", "2026/11/02", "実施済", "", "", "", "", ""],
        ],
    )
    message = _fails(ws, cli, files)
    assert "pairs.csv:2: 部下ID: is not in users ('00981')" in message
    assert "pairs.csv:3: 部下ID: manager and member are the same person ('0002')" in message
    assert "meetings.csv:2: 上司ID: is not in users ('0777')" in message
    assert "meetings.csv:3: 部下ID: manager and member are the same person ('0001')" in message


def test_unrecognised_and_empty_files(
    ws: Workspace, cli: Cli, tmp_path: Path, make_exports: MakeExports
) -> None:
    files = make_exports()
    other = write_csv(tmp_path / "budget.csv", ["科目", "金額"], [["旅費", "100"]])
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    header_only = write_csv(tmp_path / "header_only.csv", USERS_HEADER, [])
    message = _fails(ws, cli, [*files, other, empty, header_only])
    assert "budget.csv:1: can't tell which export this is: headers found: 科目, 金額" in message
    assert "empty.csv: file is empty" in message
    assert "header_only.csv: has a header row but no data rows" in message


def test_all_problems_are_reported_together_and_capped(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    meetings = [
        [f"M{i}", "0001", "0002", "bad date", "実施済", "", "", "", "", ""] for i in range(60)
    ]
    files = make_exports(pairs=[["0001", "0404", "", "2026/04/01", ""]], meetings=meetings)
    message = _fails(ws, cli, files)
    assert "61 problems in the input" in message
    assert "pairs.csv:2: 部下ID: is not in users" in message  # a problem of another file too
    # 20 examples per kind of problem are kept, so the rarer kinds still show.
    assert "… and 40 more" in message


def test_first_ingest_needs_users(ws: Workspace, cli: Cli, make_exports: MakeExports) -> None:
    files = make_exports()
    assert "the first ingest needs the users export" in _fails(ws, cli, files[1:])


def test_missing_file(ws: Workspace, cli: Cli, tmp_path: Path) -> None:
    assert f"{tmp_path / 'nope.csv'}: file not found" in _fails(ws, cli, [tmp_path / "nope.csv"])


# --- snapshots: merge, replace, carry over --------------------------------------


def test_meetings_merge_by_id_and_tables_carry_over(
    ws: Workspace,
    cli: Cli,
    tmp_path: Path,
    make_exports: MakeExports,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    first = make_exports()
    cli("ingest", *map(str, first))
    later = write_csv(
        tmp_path / "meetings_dec.csv",
        MEETINGS_HEADER,
        [
            [
                "M3",
                "0001",
                "0002",
                "2026/11/30 10:00",
                "実施済",
                "人間関係",
                "報告したい",
                "2026/11/29",
                "5",
                "",
            ],
            ["M4", "0001", "0002", "2026/12/07 10:00", "実施済", "", "", "", "", ""],
        ],
    )
    result = cli("ingest", str(later), env={"KOPS_NOW": "2026-12-08T09:00:00+09:00"})
    assert "前回から引き継ぎ" in result.stdout
    assert "追加 +1行、置き換え 1行" in result.stdout
    snaps = list_snapshots(ws)
    assert [s.id for s in snaps] == ["0001", "0002"]
    meetings = load_tables(snaps[-1]).meetings.set_index("meeting_id")
    assert sorted(meetings.index) == ["M1", "M2", "M3", "M4"]
    assert meetings.loc["M3", "status"] == "held"  # the newer export replaced the 予定 row
    assert len(load_tables(snaps[-1]).users) == 3  # carried over
    # The first snapshot is immutable.
    assert len(load_tables(snaps[0]).meetings) == 3
    assert snaps[-1].as_of.isoformat() == "2026-12-07"


def test_users_file_replaces_the_table(
    ws: Workspace, make_exports: MakeExports, tmp_path: Path
) -> None:
    ingest(ws, Settings(), make_exports())
    users = write_csv(
        tmp_path / "users2.csv",
        USERS_HEADER,
        [
            ["0001", "髙橋 一郎", "", "", "", "", "", "", "2026/11/21"],
            ["0002", "山﨑 花子", "", "", "", "", "", "退職", ""],
            ["0003", "佐藤 健太", "", "", "", "", "", "", ""],
            ["0004", "新人 太郎", "", "", "", "", "", "", ""],
        ],
    )
    result = ingest(ws, Settings(), [users])
    tables = load_tables(result.snapshot)
    assert tables.users["user_id"].tolist() == ["0001", "0002", "0003", "0004"]
    assert tables.users.set_index("user_id").loc["0002", "employment_status"] == "retired"
    assert [c.action for c in result.changes] == ["replaced", "carried over", "carried over"]


def test_status_lists_snapshots(ws: Workspace, cli: Cli, make_exports: MakeExports) -> None:
    cli("ingest", *map(str, make_exports()))
    result = cli("status", "--format", "json")
    import json

    rows = json.loads(result.stdout)
    assert rows[0]["snapshot"] == "0001"
    assert rows[0]["users"] == 3 and rows[0]["meetings"] == 3
    assert rows[0]["as_of"] == "2026-11-20"
    assert rows[0]["meetings_from"] == rows[0]["meetings_to"] == "2026-11-02"


def test_age_band_from_birth_date(ws: Workspace, tmp_path: Path) -> None:
    users = write_csv(
        tmp_path / "users.csv",
        ["ユーザーID", "氏名", "生年月日", "最終ログイン日時"],
        [["1", "A", "1990/11/21", "2026/11/20"], ["2", "B", "1990/11/20", ""]],
    )
    tables = load_tables(ingest(ws, Settings(), [users]).snapshot)
    assert tables.users["age_band"].tolist() == ["30代", "30代"]
    assert "birth_date" not in tables.users.columns  # not kept


def test_sample_tenant_ingests_cleanly(sample_ws: Workspace) -> None:
    """The sample's October, then November, as `kops ingest` stored them (sample_ws)."""
    snap = latest_snapshot(sample_ws)
    assert snap is not None and snap.as_of.isoformat() == "2026-11-20"
    tables = load_tables(snap)
    names = "".join(tables.users["name"])
    assert "髙" in names and "﨑" in names
    assert set(tables.meetings["status"].astype(str)) == {"held", "scheduled", "cancelled"}
    assert set(tables.users["employment_status"]) == {"active", "leave", "retired"}
    assert tables.users["user_id"].str.fullmatch(r"\d{6}").all()


def test_bytes_cp932_only_maps_to_private_use_are_refused(
    ws: Workspace, cli: Cli, tmp_path: Path
) -> None:
    # Python's cp932 decodes 0xFD as U+F8F1 rather than failing: still not a CP932 file.
    bad = tmp_path / "users_fd.csv"
    bad.write_bytes(b"\x83\x86\x81[\x83U\x81[ID,\x8e\x81\x96\xbc\r\n1,\xfd\xfe\r\n")
    assert "users_fd.csv: unknown encoding" in _fails(ws, cli, [bad])


def test_rows_with_the_wrong_number_of_fields_are_numbered(
    ws: Workspace, cli: Cli, tmp_path: Path
) -> None:
    users = tmp_path / "users.csv"
    users.write_text(
        "ユーザーID,氏名,最終ログイン日時\n0001,山田 太郎,2026/11/01\n0002,鈴木\n0003,佐藤,2026/11/02,extra\n",
        encoding="utf-8",
    )
    message = _fails(ws, cli, [users])
    assert "users.csv:3: has 2 fields, the header 3 ('0002,鈴木')" in message
    assert "users.csv:4: has 4 fields, the header 3 ('0003,佐藤,2026/11/02,extra')" in message


def test_the_manifest_names_each_export_by_its_sha256(
    ws: Workspace, make_exports: MakeExports
) -> None:
    """The hashes are computed on another thread while the files are read: each is the
    file's own, in the order given, a file given twice named twice."""
    import hashlib
    import threading

    users, pairs, meetings = make_exports()
    files = [meetings, users, pairs, meetings]
    snapshot = ingest(ws, Settings(), files).snapshot
    sources = snapshot.manifest["sources"]
    assert [Path(s["file"]).name for s in sources] == [p.name for p in files]
    assert [s["sha256"] for s in sources] == [
        hashlib.sha256(p.read_bytes()).hexdigest() for p in files
    ]
    # A refused ingest leaves no hashing behind it.
    before = threading.active_count()
    with pytest.raises(InputError):
        ingest(ws, Settings(), [users, pairs, meetings, ws.root / "missing.csv"])
    assert threading.active_count() == before


@pytest.mark.parametrize("big", [(), (1,), (2,), (0, 2), (0, 1, 2, 3, 4)])
def test_files_read_on_two_threads_are_reported_in_the_order_given(
    big: tuple[int, ...], ws: Workspace, make_exports: MakeExports, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small files are read on a second thread while the big ones are read first: the
    problems, their examples (20 per file, column and kind: two files of one name share
    them) and the notes are those of reading the files one after another, as given."""
    from kakeai_ops.jobs import ingest as ingest_job

    def bad_meetings(first: int, date: str) -> list[list[str]]:
        return [
            [f"M{first + i}", "0001", "0002", date, "済み", "", "", "", "", ""] for i in range(15)
        ]

    users, pairs, _meetings = make_exports(
        users=[["0001", "氏名", "a@example.jp", "", "", "", "", "", "2026-13-01"]],
    )
    march = make_exports(meetings=bad_meetings(0, "2026/02/30"), folder="march")[2]
    april = make_exports(meetings=bad_meetings(100, "2026/04/31"), folder="april")[2]
    broken = make_exports(folder="broken")[1]
    broken.write_text("上司ID,部下ID,承認日\n0001,0002\n", encoding="utf-8")
    files = [march, users, april, broken, pairs]

    def refused(sizes: dict[Path, int]) -> tuple[list[object], int, list[str]]:
        with monkeypatch.context() as patch:
            patch.setattr(ingest_job, "_size", lambda path: sizes[path])
            with pytest.raises(InputError) as caught:
                ingest(ws, Settings(), files)
        return caught.value.problems, caught.value.total, caught.value.hint

    # Every file "big": read here, one after another, in the order given.
    in_turn = refused(dict.fromkeys(files, ingest_job.SMALL_FILE))
    sizes = {path: ingest_job.SMALL_FILE if i in big else 0 for i, path in enumerate(files)}
    assert refused(sizes) == in_turn
    problems, total, _hint = in_turn
    assert total > 40
    dated = [p.value for p in problems if "date" in str(p.what) and p.file == "meetings.csv"]
    assert (dated.count("'2026/02/30'"), dated.count("'2026/04/31'")) == (15, 5)
