"""A list of user ids or emails (`kops mail send --users`): one reader with the seminar files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kakeai_ops.errors import InputError
from kakeai_ops.exports.user_files import read_user_list

USERS = pd.DataFrame(
    {
        "user_id": ["000120", "000121"],
        "email": ["hanako@example.jp", "taro@example.jp"],
    }
)


def test_a_list_names_the_line_a_bad_id_is_on_after_a_quoted_line_break(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text('user_id,備考\n000120,"一行目\n二行目"\n000999,x\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_user_list(path, USERS)
    assert "list.csv:4: user_id: is not in users ('000999')" in str(raised.value)


def test_a_list_of_emails_skips_repeats_and_blank_rows_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "メールアドレス\nTaro@Example.jp\nhanako@example.jp\ntaro@example.jp\n\n\n",
        encoding="utf-8",
    )
    assert read_user_list(path, USERS) == ["000121", "000120"]


def _refused(tmp_path: Path, text: str) -> str:
    """What reading ``text`` as a list refuses it with."""
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_user_list(path, USERS)
    return str(raised.value)


def test_an_empty_line_between_rows_is_named_and_no_row_after_it_moves(tmp_path: Path) -> None:
    """An empty line was skipped by the reader: every row after it was named one row up
    (「102」 for what Excel and an editor show on 105). It is a row of blanks, refused by
    its number as any blank row between rows, and the rows after it keep theirs."""
    said = _refused(tmp_path, "メールアドレス\ntaro@example.jp\n\n\nnobody@example.jp\n")
    assert "list.csv:3: メールアドレス: required value is blank" in said
    assert "list.csv:4: メールアドレス: required value is blank" in said
    assert "list.csv:5: メールアドレス: no user has this email ('nobody@example.jp')" in said


def test_a_list_without_an_id_or_email_column_says_which_headers_it_found(
    tmp_path: Path,
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("氏名\n山田\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_user_list(path, USERS)
    assert "missing required column; headers found: 氏名" in str(raised.value)


def test_a_row_with_a_name_and_no_id_is_refused_by_its_row(tmp_path: Path) -> None:
    """Such a row was left out without a word (the person got no mail and no one knew);
    the attendance and entry files refuse it: so does this list, last row or not."""
    for rows in ("000120,甲\n,山田 太郎\n", ",山田 太郎\n000120,甲\n"):
        path = tmp_path / "list.csv"
        path.write_text("ユーザーID,氏名\n" + rows, encoding="utf-8")
        with pytest.raises(InputError) as raised:
            read_user_list(path, USERS)
        row = 2 + rows.split("\n").index(",山田 太郎")
        assert f"list.csv:{row}: ユーザーID: required value is blank" in str(raised.value)


def test_a_row_without_an_id_is_read_by_its_email(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("ユーザーID,メールアドレス\n000120,\n,taro@example.jp\n", encoding="utf-8")
    assert read_user_list(path, USERS) == ["000120", "000121"]


def test_a_problem_is_named_under_the_column_its_value_came_from(tmp_path: Path) -> None:
    """An email read where the id was blank was said to be a ユーザーID (「ユーザーID: no
    user has this email」); a row with neither said only that the id was blank."""
    said = _refused(
        tmp_path, "ユーザーID,メールアドレス,メモ\n000120,,\n,nobody@example.jp,\n,,c\n000999,,\n"
    )
    assert "list.csv:3: メールアドレス: no user has this email ('nobody@example.jp')" in said
    assert "list.csv:4: ユーザーID/メールアドレス: neither a user id nor an email" in said
    assert "list.csv:5: ユーザーID: is not in users ('000999')" in said
    assert "ユーザーID: no user has this email" not in said


def test_empty_lines_above_the_header_count_as_lines(tmp_path: Path) -> None:
    """With an empty line above the header, 999999 on line 4 was said to be on line 3."""
    said = _refused(tmp_path, "\n\nユーザーID\n000120\n\n999999\n")
    assert "list.csv:5: ユーザーID: required value is blank" in said
    assert "list.csv:6: ユーザーID: is not in users ('999999')" in said


def test_a_list_of_only_empty_lines_is_said_to_be_empty(tmp_path: Path) -> None:
    """It was told its id or email column was missing, 「見出しは  です」 (no header to
    name), with the English 「or」 between the two."""
    said = _refused(tmp_path, "\n\n\n")
    assert "list.csv: file is empty (no header row)" in said
    assert "missing required column" not in said
