"""Small files that name people: a column of user ids or emails, plus a few others.

Seminar attendance and survey exports and campaign entry forms are read the
same way: any encoding kops reads, CSV or XLSX, columns found by header
(full-width/half-width and case folded), every row numbered as the file shows it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..errors import InputError, Phrase, Problem
from ..i18n import N_, _
from ..model import whole
from .findings import Findings
from .reading import (
    RawTable,
    ReadFailure,
    allow_fields_of,
    guess_delimiter,
    other_sheets,
    read_headers,
    read_rows,
    readable,
)
from .tables import header_key, repeated_column_problems


def find_column(headers: list[str], names: list[str]) -> str | None:
    wanted = {header_key(n) for n in names}
    return next((h for h in headers if header_key(h) in wanted), None)


def identify_users(
    values: pd.Series,
    header: str,
    users: pd.DataFrame,
    file: str,
    rows: pd.Series,
    findings: Findings,
) -> list[str | None]:
    """User ids from a column of ids or emails (whichever each value looks like)."""
    by_email = users.dropna(subset=["email"]).set_index("email")["user_id"].to_dict()
    known = set(users["user_id"])
    digits = [u for u in known if u.isdigit()]
    width = max(map(len, digits)) if any(u.startswith("0") for u in digits) else 0
    ids: list[str | None] = []
    file_rows = rows.to_dict()  # a .loc lookup per value costs more than the rest of the loop
    for position, raw in values.items():
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        row = int(file_rows[position])
        if text in ("", "-"):
            findings.problem(
                Problem(file, row, header, N_("required value is blank")), kind="blank"
            )
            ids.append(None)
        elif "@" in text:
            user = by_email.get(text.lower())
            if user is None:
                findings.problem(
                    Problem(file, row, header, N_("no user has this email"), f"'{text}'"),
                    kind="email",
                )
            ids.append(user)
        elif text in known:
            ids.append(text)
        elif mangled := _excel_mangled(text, width, known):
            findings.problem(Problem(file, row, header, mangled, f"'{text}'"), kind="mangled")
            ids.append(None)
        else:
            findings.problem(
                Problem(file, row, header, N_("is not in users"), f"'{text}'"), kind="user"
            )
            ids.append(None)
    return ids


def check_emails_agree(
    frame: pd.DataFrame,
    columns: dict[str, str],
    ids: list[str | None],
    users: pd.DataFrame,
    file: str,
    rows: pd.Series,
    findings: Findings,
    id_field: str = "user",
) -> None:
    """A row whose email column names another person than its id column: a shifted or
    mixed-up export, where taking either would record the wrong person. Named by row."""
    id_header, email_header = columns.get(id_field), columns.get("email")
    if id_header is None or email_header is None or email_header == id_header:
        return
    owner_of = users.dropna(subset=["email"]).set_index("email")["user_id"].to_dict()
    file_rows = rows.to_dict()
    for (position, raw), user in zip(frame[email_header].items(), ids, strict=True):
        text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
        owner = owner_of.get(text) if user and "@" in text else None
        if owner is not None and owner != user:
            findings.problem(
                Problem(
                    file,
                    int(file_rows[position]),
                    email_header,
                    Phrase(
                        N_(
                            "belongs to user {owner}, not to {user} ({column}); which one is meant?"
                        ),
                        owner=owner,
                        user=user,
                        column=id_header,
                    ),
                    f"'{text}'",
                ),
                kind="conflict",
            )


# Line breaks and tabs are how people write; other control characters (NUL, ESC…)
# would reach the terminal as commands and make the XLSX unwritable. A cell
# holds at most 32,767 characters in Excel.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_EXCEL_CELL_LIMIT = 32_767


def check_free_text(
    values: pd.Series, file: str, rows: pd.Series, header: str, findings: Findings
) -> None:
    for value, at in zip(values, rows.loc[values.index], strict=True):
        text, row = str(value), whole(at)
        control = _TEXT_CONTROL.search(text)
        if control:
            what = Phrase(
                N_("control character {code}; remove it"),
                code=f"U+{ord(control.group()):04X}",
            )
            findings.problem(Problem(file, row, header, what), kind="control")
        elif len(text) > _EXCEL_CELL_LIMIT:
            what = Phrase(
                N_("longer than {limit} characters (Excel's limit for a cell)"),
                limit=f"{_EXCEL_CELL_LIMIT:,}",
            )
            findings.problem(Problem(file, row, header, what), kind="long")


EXCEL_MANGLED = "re-export with the column formatted as text"


def _excel_mangled(text: str, width: int, known: set[str]) -> Phrase | None:
    """Why an unknown id looks like one Excel read as a number, or None (a Phrase: said
    in the reader's language; its English text holds ``EXCEL_MANGLED``)."""
    if re.fullmatch(r"\d+(?:\.\d+)?[eE][+-]\d{1,3}", text):
        return Phrase(
            N_(
                "a number in Excel's scientific notation; "
                "re-export with the column formatted as text"
            )
        )
    if text.isdigit() and len(text) < width and text.zfill(width) in known:
        return Phrase(
            N_(
                "is not in users; leading zeros lost? (maybe '{padded}'); "
                "re-export with the column formatted as text"
            ),
            padded=text.zfill(width),
        )
    return None


ID_HEADERS = ["user_id", "ユーザーID", "ID", "社員番号"]
EMAIL_HEADERS = ["email", "メールアドレス", "mail"]


def read_user_list(path: Path, users: pd.DataFrame) -> list[str]:
    """User ids from a CSV/XLSX list (e.g. seminar registrants): a column of ids or emails.

    The id column is used when there are both (a row without an id by its email); a row
    with neither is refused by its row number, as in every other list (a name with no id
    was left out without a word); rows of nothing at the end are not rows; each id once.
    """
    findings = Findings()
    wanted = {"user_id": ID_HEADERS, "email": EMAIL_HEADERS}
    read = read_user_file(path, wanted, [], findings, one_of=["user_id", "email"])
    ids: list[str | None] = []
    if read is not None:
        frame, columns, rows = read
        ids = _ids_of_rows(frame, columns, users, path.name, rows, findings)
        check_emails_agree(frame, columns, ids, users, path.name, rows, findings, "user_id")
    if findings.failed:
        raise InputError(
            findings.sorted_problems(),
            total=findings.total,
            hint=_("fix the list (ids as in the users export) and run again"),
        )
    return list(dict.fromkeys(i for i in ids if i))


def _ids_of_rows(
    frame: pd.DataFrame,
    columns: dict[str, str],
    users: pd.DataFrame,
    file: str,
    rows: pd.Series,
    findings: Findings,
) -> list[str | None]:
    """Each row's user id: by its id, or by its email where the id is blank, each problem
    named under the column its value came from (an unknown email was said to be a
    ユーザーID); a row with neither says both would do."""
    id_header, email_header = columns.get("user_id"), columns.get("email")
    if id_header is None or email_header is None:
        header = id_header or str(email_header)
        return identify_users(frame[header], header, users, file, rows, findings)

    def blank(column: pd.Series) -> pd.Series:
        return column.map(lambda v: unicodedata.normalize("NFKC", str(v)).strip() == "")

    no_id, no_email = blank(frame[id_header]), blank(frame[email_header])
    neither = no_id & no_email
    for position in frame.index[neither]:
        findings.problem(
            Problem(
                file,
                int(rows[position]),
                f"{id_header}/{email_header}",
                N_("neither a user id nor an email: give one of them"),
            ),
            kind="blank",
        )
    found: dict[int, str | None] = dict.fromkeys(frame.index[neither])
    by_id, by_email = ~no_id, no_id & ~no_email
    for mask, header in ((by_id, id_header), (by_email, email_header)):
        values = frame.loc[mask, header]
        named = identify_users(values, header, users, file, rows, findings)
        found.update(zip(values.index, named, strict=True))
    return [found[position] for position in frame.index]


def read_user_file(
    path: Path,
    wanted: dict[str, list[str]],
    required: list[str],
    findings: Findings,
    one_of: list[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, str], pd.Series] | None:
    """The file's wanted columns (by field), and the file row of each data row; None when
    it cannot be read, with the problems in ``findings``. ``one_of``: fields of which at
    least one column must be there."""
    if not readable(path, findings):
        return None
    try:
        headers, _row = read_headers(path)
        if not any(h.strip() for h in headers):  # only empty lines: no header to name
            findings.problem(Problem(path.name, None, None, N_("file is empty (no header row)")))
            return None
        columns = {field: find_column(headers, names) for field, names in wanted.items()}
        missing = [field for field in required if columns[field] is None]
        if missing:
            for field in missing:
                findings.problem(
                    Problem(
                        path.name,
                        1,
                        "/".join(wanted[field]),
                        Phrase(
                            N_("missing required column; headers found: {headers}"),
                            headers=", ".join(h for h in headers if h.strip()),
                        ),
                    )
                )
            _other_sheets(path, findings)
            return None
        if one_of and not any(columns[field] for field in one_of):
            choices = _(" or ").join("/".join(wanted[field]) for field in one_of)
            findings.problem(
                Problem(
                    path.name,
                    1,
                    choices,
                    Phrase(
                        N_("missing required column; headers found: {headers}"),
                        headers=", ".join(h for h in headers if h.strip()),
                    ),
                )
            )
            _other_sheets(path, findings)
            return None
        used = {c for c in columns.values() if c}
        # Reading either copy of a repeated column would be a guess (as in ingest).
        repeated = repeated_column_problems(path.name, 1, headers, used)
        for problem in repeated:
            findings.problem(problem)
        if repeated:
            return None
    except ReadFailure as failure:
        findings.problems_of(failure.problems)
        return None
    raw = read_rows(path, used, findings)
    if raw is None:
        return None
    return raw.frame, {k: v for k, v in columns.items() if v}, row_numbers(path, raw)


def _other_sheets(path: Path, findings: Findings) -> None:
    problem = other_sheets(path)
    if problem is not None:
        findings.problem(problem)


def row_numbers(path: Path, raw: RawTable) -> pd.Series:
    """The file line each row starts on. Survey answers span lines (quoted line
    breaks), so CSV rows are counted as the csv module reads them; these files are small."""
    if raw.encoding == "xlsx":
        return pd.Series(raw.frame.index + raw.first_row, index=raw.frame.index)
    starts: list[int] = []
    allow_fields_of(path)
    with path.open("r", encoding=raw.encoding, newline="") as handle:
        # The empty lines above the header (the reader skips them; each is a line).
        for _ in range(raw.first_row - 2):
            handle.readline()
        first = handle.readline()
        delimiter = guess_delimiter(first)
        line = raw.first_row
        reader = csv.reader(handle, delimiter=delimiter)
        for _fields in reader:  # every row, empty ones too: the reader's rows are those
            starts.append(line)
            line = reader.line_num + raw.first_row
    if len(starts) < len(raw.frame):
        return pd.Series(raw.frame.index + raw.first_row, index=raw.frame.index)
    # The blank rows at the end are no rows of the frame.
    return pd.Series(starts[: len(raw.frame)], index=raw.frame.index)
