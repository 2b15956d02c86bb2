"""The export files' UTF-8 checks and SHA-256s, started before they are read."""

from __future__ import annotations

import hashlib
from pathlib import Path

from kakeai_ops.exports import decoding
from kakeai_ops.exports.ahead import ReadAhead


def test_checks_started_ahead_answer_as_checks_made_in_turn(tmp_path: Path) -> None:
    files = {
        "utf8.csv": "ユーザーID\r\n髙橋\r\n".encode(),
        "bom.csv": "\ufeffユーザーID\r\n1\r\n".encode(),
        "cp932.csv": "ユーザーID\r\n髙橋\r\n".encode("cp932"),
        "latin1.csv": "name\r\nJosé\r\n".encode("latin-1") + b"\xff\xfe",
        "empty.csv": b"",
    }
    paths = []
    for name, data in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    in_turn = [_encoding(path) for path in paths]
    ahead = ReadAhead([*paths, tmp_path, tmp_path / "missing.csv"])
    try:
        assert [_encoding(path) for path in paths] == in_turn
        assert decoding._checks_ahead == {}  # each answer taken once
        for path in paths:
            digest = ahead.digest(path)
            assert digest is not None
            assert digest.result() == hashlib.sha256(path.read_bytes()).hexdigest()
        assert ahead.digest(tmp_path) is None and ahead.digest(tmp_path / "missing.csv") is None
    finally:
        ahead.close()
    # A file whose check was started but that was not read leaves nothing behind.
    unread = ReadAhead(paths[:1])
    unread.close()
    assert decoding._checks_ahead == {}


def test_a_file_changed_after_its_check_started_is_checked_again(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes("ユーザーID\r\n髙橋\r\n".encode())
    ahead = ReadAhead([path])
    try:
        ahead.digest(path).result()  # type: ignore[union-attr]  # the check ran before
        path.write_bytes("ユーザーID\r\n髙橋 一郎\r\n".encode("cp932"))
        assert decoding.detect_encoding(path) == "cp932"
    finally:
        ahead.close()
    assert decoding._checks_ahead == {}


def _encoding(path: Path) -> str:
    try:
        return decoding.detect_encoding(path)
    except decoding.ReadFailure as failure:
        return str(failure.problem.what)
