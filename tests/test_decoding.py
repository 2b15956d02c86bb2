"""Encoding checks on whole files: the chunked fast checks agree with Python's codecs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kakeai_ops.exports import decoding


def _python_says_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=6).map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.binary(max_size=4),
            st.sampled_from([b"\xed\xa0\x80", b"\xc0\x80", b"\xf4\x90\x80\x80", "髙".encode()]),
        ),
        max_size=12,
    ),
    st.sampled_from([1, 2, 3, 5, 7, 1 << 20]),
)
def test_utf8_check_in_chunks_agrees_with_python(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[bytes], chunk: int
) -> None:
    data = b"".join(pieces)
    path = tmp_path_factory.mktemp("utf8") / "x.csv"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(decoding, "CHUNK", chunk)
        assert decoding._is_utf8(path) == _python_says_utf8(data), data


def test_a_cp932_file_is_read_from_the_utf8_copy_its_check_made(tmp_path: Path) -> None:
    path = tmp_path / "meetings.csv"
    text = "1on1ID,氏名\r\nM1,髙橋 ①～\r\n"
    path.write_bytes(text.encode("cp932"))
    assert decoding.detect_encoding(path) == "cp932"
    assert decoding.utf8_copy(path).to_pybytes() == text.encode("utf-8")
    # Handed over once; asked again, the file is decoded again.
    assert decoding.utf8_copy(path).to_pybytes() == text.encode("utf-8")


def test_a_workbook_given_where_a_csv_is_read_is_said_by_what_it_is(tmp_path: Path) -> None:
    """An old .xls (or a workbook with a password) or an .xlsx renamed .csv was refused as
    'unknown encoding: neither UTF-8 nor CP932', which sent people to change the encoding."""
    from conftest import SAMPLE, Cli

    xlsx = (SAMPLE / "2026-11" / "meetings.xlsx").read_bytes()
    files = {
        "users.xls": bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600),
        "users.csv": bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600),
        "meetings.csv": xlsx,
    }
    said = {
        "users.xls": ("is an old Excel file (.xls) or has a password", "古い形式の Excel"),
        "users.csv": ("is an old Excel file (.xls) or has a password", "古い形式の Excel"),
        "meetings.csv": ("is an Excel workbook (.xlsx), not a CSV", "CSV ではなく Excel ブック"),
    }
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(decoding.ReadFailure) as caught:
            decoding.detect_encoding(path)
        assert said[name][0] in str(caught.value), caught.value
    cli = Cli(None)
    cli("init", str(tmp_path / "ws"))
    for name in files:
        result = cli(
            "ingest",
            "-w",
            str(tmp_path / "ws"),
            str(tmp_path / name),
            ok=False,
            env={"KOPS_LANG": "ja"},
        )
        line = result.stderr.replace("\n", "")
        assert said[name][1] in line and "文字コード" not in line, line


def test_cp932_files_checked_on_two_threads_keep_each_its_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ingest reads small files on a second thread while it reads a big one: each
    thread's check keeps its own file's UTF-8 text, not the other's."""
    import threading

    decoded = []
    check = decoding._is_cp932
    monkeypatch.setattr(decoding, "_is_cp932", lambda path: decoded.append(path) or check(path))

    texts = {name: f"ユーザーID,氏名\r\n{name},髙橋 {name}\r\n" for name in ("users", "meetings")}
    paths = {name: tmp_path / f"{name}.csv" for name in texts}
    for name, text in texts.items():
        paths[name].write_bytes(text.encode("cp932"))
    checked = threading.Event()
    copies = {}

    def other_thread() -> None:
        assert decoding.detect_encoding(paths["users"]) == "cp932"
        checked.set()
        copies["users"] = decoding.utf8_copy(paths["users"]).to_pybytes()

    helper = threading.Thread(target=other_thread)
    assert decoding.detect_encoding(paths["meetings"]) == "cp932"
    helper.start()
    checked.wait()
    copies["meetings"] = decoding.utf8_copy(paths["meetings"]).to_pybytes()
    helper.join()
    assert copies == {name: text.encode("utf-8") for name, text in texts.items()}
    # Each copy was the one its thread's check made, not a second decoding.
    assert sorted(decoded) == sorted(paths.values())
    assert decoding._utf8_copies.kept == {}
