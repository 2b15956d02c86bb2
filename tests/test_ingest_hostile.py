"""Input that must be refused: every case goes through the real `kops ingest`, with
real files, and must exit 1 with `file:row: column: what (value)` and change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import MEETINGS_HEADER, PAIRS_HEADER, USERS_HEADER, Cli, tree_digest, write_csv
from kakeai_ops.store import latest_snapshot, load_tables
from kakeai_ops.workspace import Workspace

MakeExports = Callable[..., list[Path]]
NOW = {"KOPS_NOW": "2026-11-25T12:00:00+09:00"}


def _refused(ws: Workspace, cli: Cli, files: list[Path], env: dict[str, str] | None = None) -> str:
    before = tree_digest(ws.root)
    result = cli("ingest", *map(str, files), env=env, ok=False)
    assert "Internal error" not in result.stderr, result.stderr
    assert result.exit_code == 1, result.stderr
    assert "nothing was changed" in result.stderr
    assert tree_digest(ws.root) == before, "a refused ingest changed the workspace"
    assert not list(ws.root.rglob(".incoming-*")), "a refused ingest left staging behind"
    return str(result.stderr)


def _user(user_id: str, name: str = "山田 太郎", email: str = "", login: str = "") -> list[str]:
    return [user_id, name, email, "営業本部", "第一営業部", "営業", "30代", "在籍", login]


def _write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


# --- 1. emails equal after normalisation --------------------------------------------


def test_two_users_with_the_same_email_after_normalisation(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    files = make_exports(
        users=[
            _user("0001", "髙橋 一郎", "Ichiro@Example.JP", "2026/11/20"),
            _user("0002", "山﨑 花子", " ichiro@example.jp "),
            _user("0003", "佐藤 健太", "ｉｃｈｉｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"),  # full-width (NFKC)
            _user("0004", "鈴木 一郎", "suzuki@example.jp"),
        ]
    )  # written in CP932, as Japanese Excel saves it
    message = _refused(ws, cli, files)
    expected = "users.csv:{}: メールアドレス: email address already used by another user "
    assert expected.format(3) + "('ichiro@example.jp', first at row 2)" in message
    assert expected.format(4) + "('ichiro@example.jp', first at row 2)" in message
    assert "users.csv:5" not in message
    # In Japanese the whole line is Japanese, as the docs quote it.
    ja = cli("ingest", *map(str, files), env={"KOPS_LANG": "ja"}, ok=False).stderr
    assert (
        "users.csv:3: メールアドレス: ほかのユーザーがすでに使っているメールアドレスです "
        "('ichiro@example.jp'、最初は 2 行目)"
    ) in ja
    assert "first at row" not in ja


def test_a_division_named_like_the_company_row_is_refused(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    """A 事業部 named 「全社」 was the company's row in every report (an internal error in
    `report divisions`): refused at ingest, row and column named, the workspace as it was."""
    company = _user("0002", "山﨑 花子", "hanako@example.jp")
    company[3] = "全社"
    files = make_exports(users=[_user("0001", "髙橋 一郎", "ichiro@example.jp"), company])
    message = " ".join(_refused(ws, cli, files).split())
    assert "users.csv:3: 事業部: 「全社」 names the whole company in kops' reports" in message
    assert "users.csv:2" not in message


# --- 2. control characters ----------------------------------------------------------


def test_control_characters_in_identifying_fields(ws: Workspace, cli: Cli, tmp_path: Path) -> None:
    lines = [
        ",".join(USERS_HEADER),
        "0001,髙橋 一郎,ichiro@example.jp,営業本部,第一営業部,営業,40代,在籍,2026/11/20",
        "0002\x00,山﨑 花子,hanako@example.jp,営業本部,第一営業部,営業,20代,,",
        '0003,"佐藤\r\n健太",kenta@example.jp,開発本部,,,30代,,',  # quoted, as Excel writes it
        '0004,鈴木 次郎,"jiro@example.jp\r",開発本部,,,30代,,',
        "0005,田中 三郎,saburo@example.jp,開発\x1f本部,品質\x85保証部,,30代,,",
        "0006,伊藤 四郎,shiro@example.jp,開発本部,\x7f,,30代,,",
    ]
    users = tmp_path / "users.csv"
    users.write_bytes("\r\n".join(lines).encode() + b"\r\n")
    pairs = _write_text(
        tmp_path / "pairs.csv",
        ",".join(PAIRS_HEADER) + "\n0001,0006\x07,2026/04/01,2026/04/02,あり\n",
    )
    meetings = _write_text(
        tmp_path / "meetings.csv",
        ",".join(MEETINGS_HEADER) + "\nM\x001,0001,0006,2026/11/02 10:00,実施済,,,,,\n",
    )
    message = _refused(ws, cli, [users, pairs, meetings])
    what = "contains a control character (line break, tab, NUL…)"
    assert f"users.csv:3: ユーザーID: {what} ('0002\\x00')" in message
    assert f"users.csv:4: 氏名: {what} ('佐藤\\r\\n健太')" in message
    assert f"users.csv:5: メールアドレス: {what} ('jiro@example.jp\\r')" in message
    assert f"users.csv:6: 事業部: {what} ('開発\\x1f本部')" in message
    assert f"users.csv:6: 部署: {what} ('品質\\x85保証部')" in message
    assert f"users.csv:7: 部署: {what} ('\\x7f')" in message
    assert f"pairs.csv:2: 部下ID: {what} ('0006\\x07')" in message
    assert f"meetings.csv:2: 1on1ID: {what} ('M\\x001')" in message
    # The message itself never carries the raw characters to the terminal.
    assert "\x00" not in message and "\x1f" not in message and "\x85" not in message


def test_a_line_break_typed_into_an_xlsx_cell_is_refused(
    ws: Workspace, cli: Cli, tmp_path: Path
) -> None:
    from conftest import write_xlsx

    users = write_xlsx(  # Alt+Enter in Excel puts a line break inside the cell
        tmp_path / "users.xlsx",
        ["ユーザーID", "氏名", "事業部", "最終ログイン日時"],
        [["0001", "山田\n太郎", "営業本部", "2026/11/20"], ["0002", "鈴木", "開発\t本部", ""]],
    )
    message = _refused(ws, cli, [users])
    what = "contains a control character (line break, tab, NUL…)"
    assert f"users.xlsx:2: 氏名: {what} ('山田\\n太郎')" in message
    assert f"users.xlsx:3: 事業部: {what} ('開発\\t本部')" in message


def test_values_shown_in_messages_never_carry_control_characters(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    # A terminal escape sequence in a field kops refuses for another reason (an
    # unknown status) is shown spelled out, not sent to the terminal.
    files = make_exports(
        meetings=[["M1", "0001", "0002", "2026/11/02", "\x1b[2J完了", "", "", "", "", ""]]
    )
    message = _refused(ws, cli, files)
    assert "meetings.csv:2: ステータス: unknown status" in message
    assert "('\\x1b[2J完了')" in message and "\x1b" not in message


def test_header_cells_in_messages_never_carry_control_characters(
    ws: Workspace, cli: Cli, tmp_path: Path
) -> None:
    users = _write_text(tmp_path / "users.csv", "ユーザーID,氏\x1b名,最終ログイン日時\n1,a,\n")
    message = _refused(ws, cli, [users])
    assert "headers found: ユーザーID, 氏\\x1b名, 最終ログイン日時" in message
    assert "\x1b" not in message


# --- 3. one email address, checked by email-validator --------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "a@example.jp,b@example.jp",
        "a@example.jp; b@example.jp",
        "山田 太郎 <yamada@example.jp>",
        "yama da@example.jp",
        "yamada@",
        "@example.jp",
        "yamada@example",
        "yamada..taro@example.jp",
    ],
)
def test_an_email_must_be_exactly_one_address(
    ws: Workspace, cli: Cli, make_exports: MakeExports, email: str
) -> None:
    files = make_exports(
        users=[_user("0001", login="2026/11/20"), _user("0002", email=email), _user("0003")]
    )
    message = _refused(ws, cli, files)
    assert "users.csv:3: メールアドレス: not one email address" in message
    assert f"('{email.strip()}': " in message  # with email-validator's reason


def test_a_look_alike_address_says_which_alphabets_it_mixes(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    """「exаmple」 with a Cyrillic а: refused, and the reason names the alphabets in the
    reader's words (ラテン・キリル in Japanese, as the docs quote it)."""
    files = make_exports(
        users=[_user("0001", login="2026/11/20"), _user("0002", email="u13@ex\u0430mple.jp")]
    )
    message = _refused(ws, cli, files)
    assert "'ex\u0430mple' mixes Cyrillic and Latin letters" in message
    ja = cli("ingest", *map(str, files), env={"KOPS_LANG": "ja"}, ok=False).stderr
    assert (
        "users.csv:3: メールアドレス: 文字の種類が混ざっていて、別のアドレスに見えます "
        "('u13@ex\u0430mple.jp': 'ex\u0430mple' にキリル・ラテンの文字が混ざっています)"
    ) in ja
    assert "mixes" not in ja


def test_plain_and_japanese_addresses_are_accepted(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    files = make_exports(
        users=[
            _user("0001", email="taro.yamada+1on1@example.co.jp", login="2026/11/20"),
            _user("0002", email="山田@例え.jp"),
            _user("0003", email="u000103@sample-seisakusho.example"),
        ]
    )
    cli("ingest", *map(str, files))
    emails = load_tables(latest_snapshot(ws)).users["email"].tolist()  # type: ignore[arg-type]
    assert emails == [
        "taro.yamada+1on1@example.co.jp",
        "山田@例え.jp",
        "u000103@sample-seisakusho.example",
    ]


# --- 4. dates that can't be true ------------------------------------------------------


def test_future_logins_and_held_meetings_are_refused(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    files = make_exports(
        users=[
            _user("0001", login="2026/11/20 9:05"),
            _user("0002", login="2029/11/20 10:00"),  # a typo years ahead
            _user("0003", login="2026/11/25 12:30"),  # half an hour after ingest
        ],
        meetings=[
            ["M1", "0001", "0002", "2026/11/02 10:00", "実施済", "", "", "", "", ""],
            ["M2", "0001", "0002", "2026/12/01 10:00", "実施済", "", "", "", "", ""],
            ["M3", "0001", "0002", "2027/01/15 10:00", "予定", "", "", "", "", ""],  # fine
            ["M4", "0001", "0002", "2026/12/01 10:00", "キャンセル", "", "", "", "", ""],  # fine
        ],
    )
    message = _refused(ws, cli, files, env=NOW)
    later = "later than now (2026-11-25 12:00 JST): can't have happened yet"
    assert f"users.csv:3: 最終ログイン日時: {later} ('2029/11/20 10:00')" in message
    assert f"users.csv:4: 最終ログイン日時: {later} ('2026/11/25 12:30')" in message
    assert f"meetings.csv:3: 実施日時: {later} ('2026/12/01 10:00')" in message
    assert "meetings.csv:4" not in message and "meetings.csv:5" not in message
    assert "3 problems in the input" in message


def test_a_pair_invited_or_accepted_after_now_is_refused(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    """An 承認日 years ahead (a typo) was taken, and the division report counted that 部下
    in no period: refused as a future login is, row and column named."""
    files = make_exports(
        users=[_user("0001", login="2026/11/20 9:05"), _user("0002"), _user("0003")],
        pairs=[
            ["0001", "0002", "2026/01/01", "2099/01/02", "あり"],
            ["0001", "0003", "2026/12/24", "", "なし"],
        ],
    )
    message = " ".join(_refused(ws, cli, files, env=NOW).split())
    later = "later than now (2026-11-25 12:00 JST): can't have happened yet"
    assert f"pairs.csv:2: 承認日: {later} ('2099/01/02')" in message
    assert f"pairs.csv:3: 招待日: {later} ('2026/12/24')" in message


def test_scheduled_meetings_may_lie_in_the_future(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    files = make_exports(
        meetings=[
            ["M1", "0001", "0002", "2026/11/25 11:59", "実施済", "", "", "", "", ""],
            ["M3", "0001", "0002", "2027/01/15 10:00", "予定", "", "", "", "", ""],
        ],
    )
    cli("ingest", *map(str, files), env=NOW)
    assert latest_snapshot(ws).as_of.isoformat() == "2026-11-25"  # type: ignore[union-attr]


def test_dates_before_2000_are_refused_in_csv_and_xlsx(
    ws: Workspace, cli: Cli, tmp_path: Path, make_exports: MakeExports
) -> None:
    from openpyxl import Workbook

    files = make_exports(
        users=[_user("0001", login="2026/11/20"), _user("0002", login="1900/02/28")],
        pairs=[["0001", "0002", "1999/12/31", "2026/04/02", "あり"]],
    )
    book = Workbook()
    sheet = book.active
    sheet.append(MEETINGS_HEADER)
    sheet.append(["M1", "0001", "0002", dt.datetime(2026, 11, 2, 10), "実施済"] + [""] * 5)
    sheet.append(["M2", "0001", "0002", 60, "実施済"] + [""] * 5)  # Excel's 1900-02-29
    sheet["D3"].number_format = "yyyy/mm/dd"
    sheet.append(["M3", "0001", "0002", dt.datetime(1900, 1, 1), "予定"] + [""] * 5)
    meetings = tmp_path / "meetings.xlsx"
    book.save(meetings)
    message = _refused(ws, cli, [*files[:2], meetings])
    before = "before 2000-01-01 (an Excel date serial read wrongly?)"
    assert f"users.csv:3: 最終ログイン日時: {before} ('1900/02/28')" in message
    assert f"pairs.csv:2: 招待日: {before} ('1999/12/31')" in message
    assert f"meetings.xlsx:3: 実施日時: {before} ('1900-02-28')" in message
    assert f"meetings.xlsx:4: 実施日時: {before} ('1900-01-01')" in message


def test_birth_dates_before_2000_are_fine(ws: Workspace, cli: Cli, tmp_path: Path) -> None:
    users = write_csv(
        tmp_path / "users.csv",
        ["ユーザーID", "氏名", "生年月日", "最終ログイン日時"],
        [["1", "A", "1968/05/01", "2026/11/20"]],
    )
    cli("ingest", str(users), env=NOW)
    assert load_tables(latest_snapshot(ws)).users["age_band"].tolist() == ["50代"]  # type: ignore[arg-type]


# --- 5. ids Excel has mangled ---------------------------------------------------------

TEXT_HINT = "re-export with the column formatted as text"


def test_ids_in_scientific_notation_are_refused(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    files = make_exports(
        users=[
            _user("0001", login="2026/11/20"),
            _user("0002"),
            _user("1.23457E+11"),
            _user("１．２３Ｅ＋０５"),
        ],
        pairs=[["0001", "1.23457E+11", "", "2026/04/02", ""]],
    )
    message = _refused(ws, cli, files)
    excel = f"looks like a number Excel wrote in scientific notation; {TEXT_HINT}"
    assert f"users.csv:4: ユーザーID: {excel} ('1.23457E+11')" in message
    assert f"users.csv:5: ユーザーID: {excel} ('1.23E+05')" in message
    assert f"pairs.csv:2: 部下ID: {excel} ('1.23457E+11')" in message
    assert "pairs.csv:2: 部下ID: is not in users" not in message  # said once, not twice


def test_ids_that_lost_their_leading_zeros_are_refused(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    files = make_exports(
        users=[
            _user("000101", login="2026/11/20"),
            _user("000102"),
            _user("103"),
            _user("000104"),
            _user("000105"),
        ],
        pairs=[["000101", "102", "", "2026/04/02", ""], ["000101", "000104", "", "", ""]],
        meetings=[["M1", "101", "000102", "2026/11/02 10:00", "実施済", "", "", "", "", ""]],
    )
    message = _refused(ws, cli, files)
    assert (
        "users.csv:4: ユーザーID: shorter than the other ids (6 digits): leading zeros lost? "
        f"{TEXT_HINT} ('103', maybe '000103')" in message
    )
    assert (
        "pairs.csv:2: 部下ID: is not in users ('102'; '000102' is: leading zeros lost? "
        f"{TEXT_HINT})" in message
    )
    assert (
        "meetings.csv:2: 上司ID: is not in users ('101'; '000101' is: leading zeros lost? "
        f"{TEXT_HINT})" in message
    )


def test_xlsx_number_cells_that_lost_leading_zeros_are_refused(
    ws: Workspace, cli: Cli, tmp_path: Path
) -> None:
    from conftest import write_xlsx

    users = write_xlsx(
        tmp_path / "users.xlsx",
        ["ユーザーID", "氏名", "最終ログイン日時"],
        [["000101", "A", "2026/11/20"], [102, "B", ""], ["000103", "C", ""]],
    )
    message = _refused(ws, cli, [users])
    assert "users.xlsx:3: ユーザーID: shorter than the other ids (6 digits)" in message


def test_ids_of_varying_width_without_leading_zeros_are_fine(
    ws: Workspace, cli: Cli, tmp_path: Path
) -> None:
    users = write_csv(
        tmp_path / "users.csv",
        ["ユーザーID", "氏名", "最終ログイン日時"],
        [["7", "A", "2026/11/20"], ["12", "B", ""], ["123456", "C", ""], ["2023E001", "D", ""]],
    )
    cli("ingest", str(users))
    ids = load_tables(latest_snapshot(ws)).users["user_id"].tolist()  # type: ignore[arg-type]
    assert ids == ["7", "12", "123456", "2023E001"]


# --- 6. header rows as they arrive -----------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_duplicate_header_columns_are_refused(
    ws: Workspace, cli: Cli, tmp_path: Path, suffix: str
) -> None:
    from conftest import write_xlsx

    header = ["ユーザーID", "氏名", "メールアドレス", "氏名 ", "最終ログイン日時"]
    rows = [["0001", "山田", "a@example.jp", "鈴木", "2026/11/20"]]
    path = tmp_path / f"users.{suffix}"
    if suffix == "csv":
        write_csv(path, header, rows, encoding="cp932")
    else:
        write_xlsx(path, header, rows)
    message = _refused(ws, cli, [path])
    assert f"users.{suffix}:1: 氏名: column appears more than once (columns 2 and 4)" in message


def test_a_duplicate_column_kops_does_not_use_is_only_noted(
    ws: Workspace, cli: Cli, tmp_path: Path
) -> None:
    users = write_csv(
        tmp_path / "users.csv",
        ["ユーザーID", "氏名", "備考", "最終ログイン日時", "備考"],
        [["0001", "山田", "x", "2026/11/20", "y"]],
    )
    cli("ingest", str(users))
    assert load_tables(latest_snapshot(ws)).users["name"].tolist() == ["山田"]  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_header_cells_with_stray_spaces_are_accepted(
    ws: Workspace, cli: Cli, tmp_path: Path, make_exports: MakeExports, encoding: str
) -> None:
    files = make_exports()
    header = [" ユーザーID", "氏名　", "\u3000メールアドレス ", "事業部", " 最終ログイン日時 "]
    users = write_csv(
        tmp_path / "users.csv",
        header,
        [
            ["0001", "髙橋 一郎", "ichiro@example.jp", "営業本部", "2026/11/20"],
            ["0002", "山﨑 花子", "", "", ""],
            ["0003", "佐藤 健太", "", "", ""],
        ],
        encoding=encoding,
    )
    cli("ingest", str(users), *map(str, files[1:]))
    users_table = load_tables(latest_snapshot(ws)).users  # type: ignore[arg-type]
    assert users_table["name"].tolist() == ["髙橋 一郎", "山﨑 花子", "佐藤 健太"]
    assert users_table["email"].tolist()[0] == "ichiro@example.jp"


def test_header_spaces_in_xlsx_are_accepted(ws: Workspace, cli: Cli, tmp_path: Path) -> None:
    from conftest import write_xlsx

    users = write_xlsx(
        tmp_path / "users.xlsx",
        ["ユーザーID ", "　氏名", "最終ログイン日時"],
        [["0001", "山田", "2026/11/20"]],
    )
    cli("ingest", str(users))
    assert load_tables(latest_snapshot(ws)).users["name"].tolist() == ["山田"]  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_blank_lines_before_the_header_are_skipped(
    ws: Workspace, cli: Cli, tmp_path: Path, encoding: str
) -> None:
    users = _write_text(
        tmp_path / "users.csv",
        "\n,,\n\nユーザーID,氏名,最終ログイン日時\n0001,山田,2026/11/20\n0002,鈴木,2026/11/19\n",
        encoding,
    )
    cli("ingest", str(users))
    assert load_tables(latest_snapshot(ws)).users["name"].tolist() == ["山田", "鈴木"]  # type: ignore[arg-type]


def test_rows_after_blank_leading_lines_keep_their_numbers(
    ws: Workspace, cli: Cli, tmp_path: Path
) -> None:
    users = _write_text(
        tmp_path / "users.csv",
        "\n\nユーザーID,氏名,最終ログイン日時\n0001,山田,2026/11/20\n0002,,昨日\n",
    )
    message = _refused(ws, cli, [users])
    assert "users.csv:5: 氏名: required value is blank" in message
    assert "users.csv:5: 最終ログイン日時: unparseable date" in message


def test_missing_column_names_the_real_header_row(ws: Workspace, cli: Cli, tmp_path: Path) -> None:
    users = _write_text(tmp_path / "users.csv", "\n\nユーザーID,名前,最終ログイン日時\n1,a,\n")
    assert "users.csv:3: 氏名: missing required column" in _refused(ws, cli, [users])


def test_ids_excel_mangled_are_named_in_japanese(
    ws: Workspace, cli: Cli, make_exports: MakeExports
) -> None:
    """What the secretariat reads (KOPS_LANG=ja): no English left in these lines."""
    files = make_exports(
        users=[
            _user("000101", login="2026/11/20"),
            _user("000102"),
            _user("103"),
            _user("1.23457E+11"),
        ],
        pairs=[["000101", "102", "", "2026/04/02", ""]],
    )
    result = cli("ingest", *map(str, files), env={**NOW, "KOPS_LANG": "ja"}, ok=False)
    assert result.exit_code == 1
    text = "出力し直してください"
    for line in (
        f"users.csv:4: ユーザーID: ほかの ID（6 桁）より短く、先頭の 0 が落ちたようです。列を文字列の"
        f"書式にして{text} ('103', もしかして '000103')",
        f"users.csv:5: ユーザーID: Excel が指数表記にした数値のようです。列を文字列の書式にして{text} "
        "('1.23457E+11')",
        "pairs.csv:2: 部下ID: ユーザー一覧にありません ('102'。'000102' ならユーザーです: 先頭の 0 が"
        f"落ちたようです。列を文字列の書式にして{text})",
    ):
        assert line in result.stderr


def test_a_clock_behind_the_export_is_named_not_every_row(ws: Workspace) -> None:
    """A computer whose date reset (or KOPS_NOW left set) made every login and 1on1
    "later than now", with the hint to fix the files."""
    from conftest import SAMPLE

    users = str(SAMPLE / "2026-11" / "users.csv")
    pinned = Cli(ws)("ingest", users, env={"KOPS_NOW": "2005-01-01T10:00:00"}, ok=False)
    hint = pinned.stderr.split("Hint:")[1]
    assert "most rows are later than now (2005-01-01 10:00 JST, pinned by KOPS_NOW)" in hint
    assert "fix the files" not in hint
    japanese = Cli(ws)(
        "ingest", users, env={"KOPS_NOW": "2005-01-01T10:00:00", "KOPS_LANG": "ja"}, ok=False
    )
    assert "KOPS_NOW" in japanese.stderr.split("ヒント:")[1], japanese.stderr


def test_a_workbook_whose_export_is_not_its_first_sheet_says_which_sheets_it_has(
    ws: Workspace, tmp_path: Path
) -> None:
    """A cover sheet (「説明」) before the export: 「can't tell which export this is」 or
    「file is empty」, with nothing about the sheet the data is on."""
    import csv
    import io

    import openpyxl

    from conftest import SAMPLE

    rows = list(csv.reader(io.StringIO((SAMPLE / "2026-11" / "users.csv").read_text("cp932"))))
    for cover in ("このファイルは KAKEAI のエクスポートです", None):
        book = openpyxl.Workbook()
        first = book.active
        assert first is not None
        first.title = "説明"
        first["A1"] = cover
        data = book.create_sheet("ユーザー一覧")
        for row in rows:
            data.append(row)
        path = tmp_path / "users.xlsx"
        book.save(path)
        result = Cli(ws)("ingest", str(path), ok=False)
        said = result.stderr.replace("\n", " ")
        assert "kops reads the first sheet, '説明'; the workbook also has 'ユーザー一覧'" in said, (
            said
        )
        assert "exports.sheet" in said


def test_a_list_of_people_given_to_ingest_is_named_for_what_it_is(
    ws: Workspace, tmp_path: Path
) -> None:
    """The seminar's attendance list given to `kops ingest` was told 「最終ログイン日時:
    users のエクスポートに必須の列がありません」, as if an export had lost a column."""
    from conftest import SAMPLE

    attendance = SAMPLE / "seminar" / "month1-attendance.csv"
    said = Cli(ws)("ingest", str(attendance), ok=False, env={"KOPS_LANG": "ja"}).stderr
    text = " ".join(said.split())
    assert (
        "month1-attendance.csv:1: 人の一覧で、KAKEAI のユーザー一覧のエクスポートではありません"
        in text
    )
    assert "kops seminar attendance" in text and "最終ログイン日時" not in text
