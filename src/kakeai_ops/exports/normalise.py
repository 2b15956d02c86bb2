"""Vectorised value normalisation: text as it arrives → canonical values.

Each function takes a column of text (already stripped, '' for missing) and
returns the converted column and a mask of values that could not be converted.
They run on millions of rows, so per-value Python work is limited to the few
distinct values (enums) or to the rare rows that miss the fast path (dates).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..columnar.buffers import TEXT, arrow_text, first_bytes, text_bytes, text_series
from ..columnar.distinct import converted_once, per_distinct
from ..i18n import N_, _
from ..model import whole
from .email_words import reason_words
from .fast_dates import fast_datetimes

_MISSING_MARKS = pa.array(["-", "－", "‐", "ｰ"])


def blank_to_empty(column: pd.Series) -> pd.Series:
    """Strip surrounding whitespace; '-', '－' and blank become ''."""
    # In Arrow throughout: the same trim pandas' .str.strip() does, one membership test.
    text = pc.utf8_trim_whitespace(arrow_text(column))
    missing = pc.is_in(text, value_set=_MISSING_MARKS)
    if pc.any(missing).as_py():
        text = pc.if_else(missing, "", text)
    return text_series(text, column.index)


def nfkc(column: pd.Series) -> pd.Series:
    """NFKC only where a value has non-ASCII characters (ASCII is already NFKC)."""
    non_ascii = ~column.str.isascii()
    if not non_ascii.any():
        return column
    out = column.copy()
    out[non_ascii] = per_distinct(
        column[non_ascii], lambda v: unicodedata.normalize("NFKC", v).strip()
    )
    return out


def normalise_id(column: pd.Series) -> pd.Series:
    return nfkc(blank_to_empty(column))


# C0 controls (NUL, tab, CR, LF…), DEL and C1 controls, the Unicode line and paragraph
# separators and the direction marks and overrides: never part of an id, name or
# address. A NUL makes a new id that looks like an old one; a line break in a name
# ends up in a mail header (which refuses it); U+202E shows a name backwards.
CONTROL_RE = r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"


# The separators and direction marks as UTF-8: 0xE2 starts many common characters
# (…, ※, ①), so the column's bytes are searched for these exact sequences.
_MARKS = [
    chr(code).encode()
    for code in (
        0x061C,
        0x200E,
        0x200F,
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
]


def _may_hold_control(data: np.ndarray) -> bool:
    """Whether some byte could start a control character: C0 and DEL are single bytes,
    C1 (U+0080–U+009F) are 0xC2 0x80–0x9F in UTF-8; the marks are looked for whole."""
    if ((data < 0x20) | (data == 0x7F) | (data == 0xC2)).any():
        return True
    if not ((data == 0xE2) | (data == 0xD8)).any():
        return False
    raw = data.tobytes()
    return any(mark in raw for mark in _MARKS)


def has_control(column: pd.Series) -> pd.Series:
    # The regex runs only when some value could hold one (most columns hold none).
    if not any(_may_hold_control(data) for data in text_bytes(column)):
        return pd.Series(False, index=column.index)
    return column.astype(str).str.contains(CONTROL_RE, regex=True)


# How Excel shows a long number it was allowed to treat as one: 1.23457E+11, 1E+05.
# The sign in the exponent is what Excel always writes; ids like 2023E001 stay ids.
_EXCEL_SCIENTIFIC_RE = r"\d+(?:\.\d+)?[eE][+-]\d{1,3}"


def excel_scientific(ids: pd.Series) -> pd.Series:
    """Normalised ids that are a number in Excel's scientific notation."""
    if not any(((data | 0x20) == ord("e")).any() for data in text_bytes(ids)):
        return pd.Series(False, index=ids.index)  # no 'e' or 'E' anywhere: none is
    return ids.str.fullmatch(_EXCEL_SCIENTIFIC_RE).fillna(False).astype(bool)


def lost_leading_zeros(ids: pd.Series) -> tuple[pd.Series, int]:
    """Digit-only ids shorter than the column's usual width, where that width is
    zero-padded (some ids start with 0): Excel read them as numbers and dropped the
    zeros. Returns (mask, usual width); width 0 when the column has no padded width."""
    first = first_bytes(ids)
    if not (((first >= ord("0")) & (first <= ord("9"))) | (first >= 0x80)).any():
        # No id starts with a digit (ASCII, or any other script's): none is digits only.
        return pd.Series(False, index=ids.index), 0
    digits = ids.str.fullmatch(r"\d+").fillna(False).astype(bool)
    lengths = ids.str.len().where(digits, 0)
    counts = lengths[digits].value_counts()
    nothing = pd.Series(False, index=ids.index)
    if counts.empty:
        return nothing, 0
    width = whole(counts.idxmax())
    padded = (digits & (lengths == width) & ids.str.startswith("0")).any()
    shorter = digits & (lengths < width)
    if not padded or int(counts.loc[width]) <= int(shorter.sum()):
        return nothing, 0
    return shorter, width


def normalise_email(column: pd.Series) -> pd.Series:
    return nfkc(blank_to_empty(column)).str.lower()


# Scripts written together in Japanese; any other two in one part of an address (Latin
# with Cyrillic or Greek) make a look-alike of another address.
_JAPANESE_SCRIPTS = {"CJK", "HIRAGANA", "KATAKANA", "HALFWIDTH", "FULLWIDTH", "IDEOGRAPHIC"}


def mixed_scripts(address: str) -> str | None:
    """Why an address looks like another (two alphabets in its user part or one domain
    label: 'exаmple' with a Cyrillic а), or None."""
    if address.isascii():
        return None
    local, _at, domain = address.rpartition("@")
    for part in [local, *domain.split(".")]:
        scripts = {
            unicodedata.name(char, "?").split()[0] for char in part if char.isalpha()
        } - _JAPANESE_SCRIPTS
        if len(scripts) > 1:
            named = _(" and ").join(_(SCRIPTS.get(s, s.title())) for s in sorted(scripts))
            return _("'{part}' mixes {scripts} letters").format(part=part, scripts=named)
    return None


# The alphabets a look-alike address mixes, by their Unicode name, as the reader says them.
SCRIPTS = {
    "LATIN": N_("Latin"),
    "CYRILLIC": N_("Cyrillic"),
    "GREEK": N_("Greek"),
    "ARMENIAN": N_("Armenian"),
}


def email_problems(emails: pd.Series) -> pd.Series:
    """Why each non-blank (normalised) value is not exactly one address; missing where it is.

    email-validator checks the syntax only (no DNS): a list (a@x,b@y), a display name
    (山田 <a@x>) or a space inside is refused, Japanese addresses are accepted.
    """
    from email_validator import EmailNotValidError, validate_email

    def check(value: str) -> str | None:
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as error:
            return reason_words(str(error))
        return None

    # Checking a domain is most of email-validator's time, and a tenant has a handful
    # of domains: each is checked once, and a plain ASCII local part against the
    # library's own dot-atom rule (what validate_email does for it), by one Arrow regex
    # over the column. Anything else takes the full check, once per distinct value.
    text = arrow_text(emails)
    pattern, longest, longest_local = _plain_address()
    # A local part over the RFC's 64 characters takes the full check: email-validator
    # refused it before 2.3 and allows it since, and the library installed decides.
    plain = pc.and_(
        pc.and_(
            pc.match_substring_regex(text, pattern),
            pc.less_equal(pc.utf8_length(text), longest),
        ),
        pc.less_equal(pc.find_substring(text, "@"), longest_local),
    )
    domains = pc.replace_substring_regex(text, "^[^@]*@", "")
    plain_domains = pc.unique(pc.filter(domains, plain)).to_pylist()
    valid = pa.array([d for d in plain_domains if check(f"a@{d}") is None], type=TEXT)
    passed = pc.and_(plain, pc.is_in(domains, value_set=valid))
    rest = pc.invert(pc.or_(passed, pc.equal(text, ""))).to_numpy(zero_copy_only=False)
    return per_distinct(emails, check, rows=rest)


@functools.cache
def _plain_address() -> tuple[str, int, int]:
    """An address whose local part is email-validator's dot-atom (ASCII), as an Arrow
    (RE2) regex: the library's own pattern, anchored, then one '@' and a domain; the
    longest address the library allows, and the RFC's longest local part."""
    from email_validator.rfc_constants import (
        DOT_ATOM_TEXT,
        EMAIL_MAX_LENGTH,
        LOCAL_PART_MAX_LENGTH,
    )

    pattern = "^" + DOT_ATOM_TEXT.pattern.removesuffix(r"\Z") + "@[^@]*$"
    return pattern, EMAIL_MAX_LENGTH, LOCAL_PART_MAX_LENGTH


_DATE_RE = (
    r"^(?P<y>\d{4})[/\-.年](?P<m>\d{1,2})[/\-.月](?P<d>\d{1,2})日?"
    r"(?:[ T]+(?P<H>\d{1,2})[:時](?P<M>\d{1,2})(?:[:分](?P<S>\d{1,2})(?:\.\d+)?秒?)?)?$"
)
_SERIAL_RE = r"^\d{5}(?:\.\d+)?$"
_TZ_RE = r"(?:Z|[+-]\d{2}:?\d{2})$"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def parse_datetimes(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates and datetimes in the forms exports use; times are JST, kept naive.

    Accepted: 2026/11/24, 2026-11-24, 2026/11/24 9:05, 2026-11-24T09:05:00,
    2026年11月24日, ISO with an offset (converted to JST), and Excel serial
    numbers. Returns (datetime64 column, mask of unparseable non-blank values).
    """
    text = blank_to_empty(column)
    index = text.index
    # Plain NumPy arrays and positions: no index alignment over millions of rows.
    present = (text != "").to_numpy(dtype=bool)
    if not present.any():
        nothing = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")
        return pd.Series(nothing, index=index), pd.Series(False, index=index)
    # The forms exports hold are read from the bytes, Excel serial numbers by Arrow;
    # pandas parses the rest.
    values, converted = fast_datetimes(text)
    candidates = present & ~converted
    if candidates.any():
        candidates &= ~_serial_numbers(text, candidates, values)
    if not candidates.any():
        return _dated(values, present, index)
    try:
        fast = _iso8601(text, candidates)
    except ValueError:
        # Offsets (…Z, …+09:00) mixed with naive values: leave those to the slow path.
        offset = text.str.contains(_TZ_RE, regex=True).to_numpy(dtype=bool)
        candidates = candidates & ~offset
        fast = _iso8601(text, candidates)
    if getattr(fast.dt, "tz", None) is None:  # all with offsets: the slow path converts them
        values[candidates] = fast.to_numpy(dtype="datetime64[us]")
    slow = present & np.isnat(values)
    if slow.any():
        values[slow] = _parse_slow(nfkc(text[slow])).to_numpy(dtype="datetime64[us]")
    return _dated(values, present, index)


def _dated(values: np.ndarray, present: np.ndarray, index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Parsed values and the unparseable mask, implausible years refused."""
    bad = present & np.isnat(values)
    # Years outside any plausible export are typos, not dates.
    out_of_range = present & ~bad & ((values < _FIRST_YEAR) | (values >= _AFTER_LAST_YEAR))
    values[out_of_range] = np.datetime64("NaT")
    return pd.Series(values, index=index), pd.Series(bad | out_of_range, index=index)


_FIRST_YEAR = np.datetime64("1900-01-01", "us")
_AFTER_LAST_YEAR = np.datetime64("2201-01-01", "us")


def _iso8601(text: pd.Series, rows: np.ndarray) -> pd.Series:
    """pandas' ISO 8601 parser on the given rows (all of them without a copy)."""
    subset = text if rows.all() else text[rows]
    return pd.to_datetime(subset, format="ISO8601", errors="coerce", cache=False)


def _parse_slow(text: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    parts = text.str.extract(_DATE_RE)
    matched = parts["y"].notna()
    if matched.any():
        fields = parts[matched].fillna({"H": "0", "M": "0", "S": "0"}).astype(int)
        fields.columns = ["year", "month", "day", "hour", "minute", "second"]
        parsed = pd.to_datetime(fields, errors="coerce").astype("datetime64[us]")
        # pandas adds the time as a duration: 「2026-10-02 99:99」 would be 10月6日 4:39 and
        # 「24:00」 the next day. A time of day is 0:00:00 to 23:59:59 (as on the fast path).
        clock = (fields["hour"] <= 23) & (fields["minute"] <= 59) & (fields["second"] <= 59)
        out[matched] = parsed.where(clock)
    serial = ~matched & text.str.fullmatch(_SERIAL_RE)
    if serial.any():
        out[serial] = _excel_serials(text[serial])
    offset = ~matched & ~serial & text.str.contains(_TZ_RE, regex=True)
    if offset.any():
        aware = pd.to_datetime(text[offset], format="ISO8601", errors="coerce", utc=True)
        out[offset] = (
            aware.dt.tz_convert("Asia/Tokyo").dt.tz_localize(None).astype("datetime64[us]")
        )
    return out


def _excel_serials(text: pd.Series) -> pd.Series:
    """Excel serial numbers (days since 1899-12-30, to the second); NaT outside
    20000–110000 (1954–2201), where a number is no date."""
    days = text.astype(float)
    plausible = days.between(20000, 110000)
    stamps = EXCEL_EPOCH + pd.to_timedelta(days.where(plausible), unit="D")
    return stamps.dt.round("s").astype("datetime64[us]")


# The serial numbers the general parser reads (ASCII digits; the general parser also
# reads full-width ones after NFKC).
_ASCII_SERIAL_RE = r"^[0-9]{5}(?:\.[0-9]+)?$"


def _serial_numbers(text: pd.Series, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Read the Excel serial numbers among ``rows`` into ``values``; the rows read.
    (pandas' ISO 8601 parser reads none of them, so the general parser would reach
    the same answer only after trying it.)"""
    subset = pa.array(text[rows].array)
    serial = pc.match_substring_regex(subset, _ASCII_SERIAL_RE).to_numpy(zero_copy_only=False)
    read = np.zeros(len(text), dtype=bool)
    if not serial.any():
        return read
    positions = np.flatnonzero(rows)[serial]
    stamps = _excel_serials(text.iloc[positions]).to_numpy(dtype="datetime64[us]")
    plausible = ~np.isnat(stamps)
    values[positions[plausible]] = stamps[plausible]
    read[positions[plausible]] = True
    return read


def parse_ints(column: pd.Series, low: int, high: int) -> tuple[pd.Series, pd.Series]:
    """Whole numbers within [low, high]; full-width digits and '4.0' accepted."""
    text = blank_to_empty(column)

    def convert(value: str) -> float | None:
        if value == "":
            return np.nan
        try:
            number = float(unicodedata.normalize("NFKC", value))
        except ValueError:
            return None
        return number if number.is_integer() and low <= number <= high else None

    codes, converted = converted_once(text, convert)
    bad_distinct = np.array([value is None for value in converted], dtype=bool)
    number_distinct = np.array([np.nan if v is None else v for v in converted], dtype=float)
    dtype: Literal["Int8", "Int64"] = "Int8" if high < 128 and low > -128 else "Int64"
    values = pd.Series(number_distinct[codes], index=column.index).astype(dtype)
    return values, pd.Series(bad_distinct[codes], index=column.index)


def fold_key(text: str) -> str:
    """The key spelling variants share: NFKC, no spaces, 欲しい→ほしい, 聞→き."""
    key = "".join(unicodedata.normalize("NFKC", text).split())
    for variant, canonical in (("欲し", "ほし"), ("聞", "き"), ("下さい", "ください")):
        key = key.replace(variant, canonical)
    return key


def vocabulary_map(canonical: Iterable[str], aliases: dict[str, str]) -> dict[str, str]:
    """fold_key(spelling) → canonical value, for the canonical values and configured aliases."""
    mapping = {fold_key(value): value for value in canonical}
    for raw, value in aliases.items():
        mapping[fold_key(raw)] = value
    return mapping


def map_vocabulary(
    column: pd.Series, mapping: dict[str, str]
) -> tuple[pd.Series, pd.Series, dict[str, str]]:
    """Map each value onto its canonical spelling.

    Returns (canonical values with '' for blank, mask of unknown values,
    {raw: canonical} for the values that were respelled). Work is per distinct value.
    """
    text = blank_to_empty(column)
    respelled: dict[str, str] = {}

    def convert(raw: str) -> str | None:
        if raw == "":
            return ""
        value = mapping.get(fold_key(raw))
        if value is not None and value != raw:
            respelled[raw] = value
        return value

    out = per_distinct(text, convert)
    unknown = out.isna()
    return out.fillna("").astype(str), unknown, respelled


def parse_bools(
    column: pd.Series, true_words: Iterable[str], false_words: Iterable[str]
) -> tuple[pd.Series, pd.Series]:
    """あり/なし, true/false, 1/0, ○/× and the configured words; blank = False."""
    words = {fold_key(w).casefold(): True for w in true_words}
    words.update({fold_key(w).casefold(): False for w in false_words})
    text = blank_to_empty(column)
    out = per_distinct(
        text, lambda raw: False if raw == "" else words.get(fold_key(raw).casefold())
    )
    bad = out.isna()
    return out.fillna(False).astype(bool), bad
