"""The sample month's documents as their readers get them: every workbook read back for
its number formats and for keys leaking into what people read, the seminar list, the
division report's trends, the deck's every word (chart titles too), and one clock for
the whole month (`kops demo`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import io
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import sample_recount
from conftest import SAMPLE
from kakeai_ops import glossary
from kakeai_ops.cli.demo import AFTER_SEMINAR, NOVEMBER, OCTOBER
from test_glossary import second_spellings
from workbooks import column_keys, header_labels, overview_records, read_book, read_deck

# A cell that is a key, not a word: lower-case ASCII, maybe several joined by ; or ,
KEY_LIKE = re.compile(r"[a-z][a-z0-9_]*(?:\s*[;,+]\s*[a-z][a-z0-9_]*)*")


@pytest.fixture(scope="module")
def month(demo_run: tuple[Path, Any]) -> Path:
    return demo_run[0]


# The demo's files, each read once for all the tests here (they only read them).
_book, _deck = read_book, read_deck


def _lists(root: Path) -> list[Path]:
    """The list workbooks (those with a 「列の説明」 sheet), not the laid-out reports."""
    found = [
        p
        for p in sorted((root / "out").rglob("*.xlsx"))
        if glossary.COLUMN_NOTES_SHEET in _book(p).sheetnames
    ]
    assert len(found) >= 6, found
    return found


def _expected_format(key: str) -> str | None:
    known = glossary.COLUMNS.get(key)
    if known is not None and known.format is not None:
        return known.format
    if key.endswith(("_share", "_rate")) or key in ("share", "rate"):
        return glossary.PERCENT
    return None


def test_every_list_formats_its_figures_by_their_key(month: Path) -> None:
    """Rates as 0%, counts as #,##0, averages as 0.0, ids as text: for every figure column
    of every list workbook, found by its key in the book's own 「列の説明」."""
    checked = 0
    for path in _lists(month):
        book = _book(path)
        keys = column_keys(book)
        for sheet in book.worksheets:
            if sheet.title == glossary.COLUMN_NOTES_SHEET:
                continue
            header = header_labels(sheet)
            mixed = any(keys.get((sheet.title, str(h))) == "figure_kind" for h in header)
            # The table's rows (a legend below it is no cell of a column).
            end = next(
                (c.row - 1 for (c,) in sheet.iter_rows(min_row=2, max_col=1) if c.value is None),
                sheet.max_row,
            )
            for position, heading in enumerate(header, start=1):
                key = keys.get((sheet.title, str(heading)), str(heading))
                wanted = _expected_format(key)
                if wanted is None or (mixed and key in ("value", "now", "before", "change")):
                    continue
                cells = sheet.iter_rows(min_row=2, max_row=end, min_col=position, max_col=position)
                for row in cells:
                    cell = row[0]
                    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                        assert cell.number_format == wanted, (path.name, sheet.title, key)
                        checked += 1
                    elif wanted == glossary.TEXT and cell.value is not None:
                        assert cell.number_format == "@", (path.name, sheet.title, key)
    assert checked > 1000


def test_no_key_where_people_read_words(month: Path) -> None:
    """No English key as a value (role, stuck point, flags, figure names, true/false):
    only id columns (text format) may hold ASCII names."""
    for path in sorted((month / "out").rglob("*.xlsx")):
        book = _book(path)
        for sheet in book.worksheets:
            if sheet.title == glossary.COLUMN_NOTES_SHEET:
                continue
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    if not isinstance(value, str) or cell.number_format == "@":
                        continue
                    assert not KEY_LIKE.fullmatch(value.strip()), (
                        f"{path.name}:{sheet.title}!{cell.coordinate}: {value}"
                    )


def test_segment_flags_read_as_stuck_point_labels(month: Path) -> None:
    book = _book(month / "out" / "segment.xlsx")
    keys = column_keys(book)
    sheet = book["一覧"]
    header = [keys.get(("一覧", str(c.value))) for c in sheet[1]]
    flags = header.index("flags")
    labels = set(glossary.STUCK_POINTS.values())
    shown = [r[flags] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]]
    assert shown and all(set(str(v).split("・")) <= labels for v in shown)
    assert any("・" in str(v) for v in shown)  # several at once are all named


def test_the_seminar_list_is_for_people(month: Path) -> None:
    """`kops seminar list --out`: Japanese headers and values, the date as a date, and
    counts as an independent recount finds them (the .eml files, the attendance list)."""
    book = _book(month / "out" / "seminars.xlsx")
    sheet = book["セミナー"]
    header = header_labels(sheet)
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", str(h)) for h in header), header
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[0]
    }
    first = rows["month1"]
    assert first["日時"] == dt.datetime(2026, 10, 28, 12, 15)
    # Wider than its column, it is written on lines that break between its stuck points
    # (Excel would break 「スッキ / リ度未入力」 and start a line with 「・」).
    invites = str(first["案内する人"])
    assert invites.replace("\n", "") == "未ログイン・ペア未成立・1on1未実施・スッキリ度未入力"
    lines = invites.split("\n")
    assert len(lines) > 1 and not any(line.startswith("・") for line in lines), lines
    for word in ("未ログイン", "ペア未成立", "1on1未実施", "スッキリ度"):
        assert any(word in line for line in lines), (word, lines)
    assert rows["month4"]["案内する人"] == "上司全員"
    invitations = list((month / "outbox").glob("seminar.month1-month1-*/*.eml"))
    assert first["招待数"] == len(invitations) > 0
    attendance = (SAMPLE / "seminar" / "month1-attendance.csv").read_text("utf-8-sig")
    assert first["出席数"] == len([line for line in attendance.splitlines()[1:] if line.strip()])
    keys = {k for (_, _), k in column_keys(book).items()}
    assert {"seminar", "date", "invites", "invited", "attended"} <= keys


def test_report_trends_say_the_size_of_the_change(month: Path) -> None:
    """「↓ -2pt」 beside a share, 「↑ +0.2」 beside an average: the arrow and the size, in
    the deck's style; the arrow follows the size shown."""
    sheet = _book(month / "out" / "division-report.xlsx")["概要"]
    records = overview_records(sheet)
    shown = [(r["1on1実施率の推移"], r["平均スッキリ度の推移"]) for r in records.values()]
    assert len(shown) >= 6
    for share, average in shown:
        assert re.fullmatch(r"[↑↓] [+-][1-9]\d*pt|→ ±0pt|－", share), share
        assert re.fullmatch(r"[↑↓] [+-]\d\.\d|→ ±0\.0|－", average), average
        for text in (share, average):
            if text.startswith("↑"):
                assert "+" in text
            if text.startswith("↓"):
                assert "-" in text


def _every_word(slide: Any) -> str:
    """What the room sees on a slide: text, tables, and the charts' titles, axes,
    categories and series names."""
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(c.text for row in shape.table.rows for c in row.cells)
        if shape.has_chart:
            chart = shape.chart
            if chart.has_title:
                parts.append(chart.chart_title.text_frame.text)
            for axis in _axes(chart):
                if axis.has_title:
                    parts.append(axis.axis_title.text_frame.text)
            plot = chart.plots[0]
            parts.extend(str(c) for c in plot.categories)
            parts.extend(str(s.name) for s in plot.series)
    return "\n".join(parts)


def _axes(chart: Any) -> list[Any]:
    found = []
    for name in ("category_axis", "value_axis"):
        with contextlib.suppress(ValueError):  # a chart without that axis
            found.append(getattr(chart, name))
    return found


def test_the_deck_speaks_to_the_room(month: Path) -> None:
    """Every word on every slide, the charts' titles and axes too: no command, no key,
    no snapshot, no series position (Month2), one spelling per term."""
    deck = _deck(month / "out" / "review-2026-11.pptx")
    for number, slide in enumerate(deck.slides, start=1):
        text = _every_word(slide)
        assert "kops " not in text and "スナップショット" not in text, (number, text)
        assert not re.search(r"Month\d", text), (number, text)
        assert not second_spellings(text), (number, second_spellings(text))
        keys = re.findall(r"\b[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+", text)  # no_prep, run ids
        assert not keys, (number, keys)


def test_the_deck_points_only_to_what_the_room_can_see(month: Path) -> None:
    """The seminar's invitation went to several stuck points: slide 5 does not say its
    audience was no stuck point, and sends the reader to the seminar's slide. That slide
    has no table per stuck point, so it does not ask the room to look at one."""
    deck = _deck(month / "out" / "review-2026-11.pptx")
    rows = _table(_slide(deck, "5."))
    seminar = [r for r in rows if r[0].startswith("セミナーのご案内")]
    assert seminar and all(
        "一つのスタックポイントへの配信ではないため効果測定なし（セミナーの結果はセミナーのスライドに）"
        in r
        for r in seminar
    )
    assert not any("対象がスタックポイントではない" in cell for r in rows for cell in r)
    said = _every_word(_slide(deck, "6."))
    assert "を見てください" not in said
    assert not any(
        s.has_table and "スタックポイント" in s.table.cell(0, 0).text
        for s in _slide(deck, "6.").shapes
    )
    if "構成が違います" in said:
        assert "スタックポイント別の比較は事務局のセミナー集計にあります" in said


def test_the_demo_month_reads_as_one_clock(month: Path) -> None:
    """Every mail the demo writes is dated on a day of the sample month (the invitation
    week, or the day after November's data), and so are the files' properties."""
    moments = {dt.datetime.fromisoformat(m) for m in (OCTOBER, AFTER_SEMINAR, NOVEMBER)}
    dated = set()
    for path in (month / "outbox").rglob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        dated.add(email.utils.parsedate_to_datetime(message["Date"]))
    assert dated and dated <= moments, dated
    assert dt.datetime.fromisoformat(OCTOBER) in dated  # the invitation and the nudge
    november = dt.datetime.fromisoformat(NOVEMBER)
    for path in sorted((month / "out").rglob("*.xlsx")):
        properties = _book(path).properties
        for moment in (properties.created, properties.modified):
            assert moment is not None and moment.date() == november.date(), path.name
    deck_path = month / "out" / "review-2026-11.pptx"
    deck = _deck(deck_path)
    assert deck.core_properties.created.date() == november.date()
    assert deck.core_properties.modified.date() == november.date()
    # The charts' own workbooks (「データの編集」) too, read as Excel reads them.
    with zipfile.ZipFile(deck_path) as package:
        embedded = [n for n in package.namelist() if n.startswith("ppt/embeddings/")]
        assert embedded
        for name in embedded:
            book = openpyxl.load_workbook(io.BytesIO(package.read(name)))
            times = (book.properties.created, book.properties.modified)
            assert all(t is not None and t.date() == november.date() for t in times), name
            assert book.properties.creator == "kops", name


def _columns_wide(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_no_text_is_cut_at_its_column(month: Path) -> None:
    """A text longer than its column is wide wraps, in a row tall enough for all its lines
    (neither Excel nor LibreOffice grows a row the file gives no height); an id is shrunk
    to its column instead, on one line."""
    wrapped = 0
    for path in _lists(month):
        for sheet in _book(path).worksheets:
            for row in sheet.iter_rows(min_row=2):
                filled = [c for c in row if c.value not in (None, "")]
                if len(filled) == 1 and filled[0].column == 1:
                    continue  # a note alone in its row spills over the empty cells
                for cell in filled:
                    if not isinstance(cell.value, str):
                        continue
                    dimension = sheet.column_dimensions[cell.column_letter]
                    if dimension.hidden:
                        continue
                    # Characters the column holds in one line (Excel's units, less padding).
                    usable = ((dimension.width or 8.43) - 1.5) / 1.1
                    lines = sum(
                        -(-_columns_wide(part) // usable) or 1 for part in cell.value.split("\n")
                    )
                    if lines <= 1:
                        continue
                    where = f"{path.name}:{sheet.title}!{cell.coordinate}"
                    if cell.alignment.shrink_to_fit and "\n" not in cell.value:
                        continue  # an id, read whole (test_workbook_print)
                    assert cell.alignment.wrap_text, where
                    height = sheet.row_dimensions[cell.row].height
                    assert height is not None and height >= 14 * lines, (where, height, lines)
                    wrapped += 1
    assert wrapped  # the sample month has such texts (seminar titles, audiences)


def test_every_printed_page_says_its_as_of_day(month: Path) -> None:
    """The header of every printed page names the data's day (基準日 2026-11-20), the
    lists as well as the reports: a page torn from its file still says when."""
    for path in sorted((month / "out").rglob("*.xlsx")):
        if path.name == "seminars.xlsx":
            continue  # kops.yaml's seminars and the state's counts: no snapshot's day
        for sheet in _book(path).worksheets:
            assert sheet.oddHeader.center.text == "基準日 2026-11-20", (path.name, sheet.title)


def test_the_seminar_summary_names_its_seminar(month: Path) -> None:
    """The summary's printed first page says which seminar it is about, as kops.yaml names
    it, and when it was held (the demo's kops.yaml sets the date)."""
    import yaml

    config = yaml.load((month / "kops.yaml").read_text("utf-8"), Loader=yaml.CSafeLoader)[
        "seminars"
    ]["month1"]
    sheet = _book(month / "out" / "seminar-month1.xlsx")["概要"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows["セミナー名"] == config["title"]
    assert rows["日時"] == config["date"].strftime("%Y-%m-%d %H:%M")


def test_review_counts_are_whole_and_changes_signed(month: Path) -> None:
    """The figures workbook: people counted before and now print as whole numbers (not
    20.0), and a change of a rate carries its sign (+3%, -2%)."""
    book = _book(month / "out" / "review-2026-11.xlsx")
    funnel = book["2_スタックポイント"]
    header = header_labels(funnel)
    for row in funnel.iter_rows(min_row=2):
        for name in ("今回", "前回"):
            cell = row[header.index(name)]
            if isinstance(cell.value, int | float):
                assert cell.number_format == "#,##0", (name, cell.coordinate)
    divisions = book["4_事業部別の主要指標"]
    header = header_labels(divisions)
    change = header.index("1on1実施率の差（pt）")
    shown = [r[change] for r in divisions.iter_rows(min_row=2) if r[0].value]
    assert shown and all(
        c.number_format == '+0"pt";-0"pt";"±0pt"' for c in shown if c.value is not None
    )
    # 前回 says its days: the 30 up to the October snapshot's day, as 期間 is up to November's.
    rows = [r for r in divisions.iter_rows(min_row=2, values_only=True) if r[0]]
    for column, month in (("期間", "2026-11"), ("前回の期間", "2026-10")):
        last = sample_recount.load(month).as_of
        first = last - dt.timedelta(days=29)
        days = f"{first.year}年{first.month}月{first.day}日〜{last.month}月{last.day}日"
        assert {r[header.index(column)] for r in rows} == {days}, column


def test_a_table_row_is_as_tall_as_all_lines_of_its_cells(month: Path) -> None:
    """The deck's trend table says each date and its n on two lines; the header row is
    made tall enough for both (renderers do not grow a row), so no n is hidden."""
    deck = _deck(month / "out" / "review-2026-11.pptx")
    slide = next(s for s in deck.slides if s.shapes.title.text_frame.text.startswith("定着は"))
    table = next(s for s in slide.shapes if s.has_table).table
    header = [c.text_frame.text for c in table.rows[0].cells]
    dated = [h for h in header if re.fullmatch(r"\d+月\d+日\n[\d,]+人", h)]
    assert len(dated) == 2, header
    size = max(
        run.font.size.pt
        for cell in table.rows[0].cells
        for paragraph in cell.text_frame.paragraphs
        for run in paragraph.runs
        if run.font.size is not None
    )
    assert table.rows[0].height.pt >= 2 * size * 1.2  # two lines at least
    # Lines of one cell add up (each wraps on its own): three short lines are three lines.
    from kakeai_ops.outputs.review_pptx import _row_height

    one = _row_height(["10月20日"], [2.0], 18)
    assert _row_height(["10月20日\n254人\n前回"], [2.0], 18) >= 3 * (one - 0.08) + 0.08


def test_no_sheet_is_a_header_alone(month: Path) -> None:
    """A table with no rows says so under its header (「（該当なし）」): a page of headers
    alone reads as a page cut off."""
    said = 0
    for path in _lists(month):
        for sheet in _book(path).worksheets:
            assert sheet.max_row >= 2 and any(c.value is not None for c in sheet[2]), (
                path.name,
                sheet.title,
            )
            said += sheet["A2"].value == "（該当なし）"
    assert said  # the sample month's seminar survey has no new theme


# --- people beside mails: the deck's counts add up ------------------------------------------


def _users_export(month: str = "2026-11") -> dict[str, dict[str, str]]:
    """A month's users export as Excel wrote it (UTF-8 with BOM or CP932), by NFKC id."""
    import csv
    import io

    raw = (SAMPLE / month / "users.csv").read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp932")
    rows = csv.DictReader(io.StringIO(text))
    return {unicodedata.normalize("NFKC", r["ユーザーID"]).strip(): r for r in rows}


def _outbox(month: Path, run_id: str) -> list[Path]:
    """The .eml files a run wrote (its folder is the run id and a short hash)."""
    (folder,) = [
        p
        for p in (month / "outbox").iterdir()
        if p.name.rsplit("-", 1)[0] == run_id and not p.name.endswith("dry-run")
    ]
    return sorted(folder.glob("*.eml"))


def _slide(deck: Any, topic: str) -> Any:
    """The slide whose topic line (「5. メール施策」) starts with ``topic``."""
    return next(
        s
        for s in deck.slides
        for sh in s.shapes
        if sh.name == "Topic" and sh.text_frame.text.startswith(topic)
    )


def _address(text: str) -> str:
    """An address as a mail client compares it (exports may have full-width or capitals)."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def _table(slide: Any) -> list[list[str]]:
    table = next(s.table for s in slide.shapes if s.has_table)
    return [[c.text.replace("\n", "") for c in row.cells] for row in table.rows]


def _mail_rows(deck: Any) -> dict[str, dict[str, str]]:
    """Slide 5's rows by their run, each cell as written, line breaks kept (a header's
    lines joined)."""
    table = next(s.table for s in _slide(deck, "5.").shapes if s.has_table)
    head, *rows = [[c.text for c in row.cells] for row in table.rows]
    keys = [h.replace("\n", "") for h in head]
    return {r[0].replace("\n", ""): dict(zip(keys, r, strict=True)) for r in rows}


def test_awarded_people_and_award_mails_add_up_on_the_deck(month: Path) -> None:
    """付与済み 78 beside 77 award mails: the slide says the one without an address, and
    the parts add up, recounted from kops.db, the outbox and the users export."""
    import sqlite3

    with sqlite3.connect(month / "state" / "kops.db") as db:
        awarded = {
            unicodedata.normalize("NFKC", u)
            for (u,) in db.execute(
                "SELECT user_id FROM awards WHERE campaign = ?", ("exec-1on1-2026h2",)
            )
        }
    users = _users_export()
    no_address = {u for u in awarded if not users[u]["メールアドレス"].strip()}
    mails = _outbox(month, "campaign.awarded-exec-1on1-2026h2")
    told = {
        _address(email.message_from_bytes(p.read_bytes())["To"].rsplit("<", 1)[-1].rstrip(">"))
        for p in mails
    }
    assert told == {_address(users[u]["メールアドレス"]) for u in awarded - no_address}
    assert (len(awarded), len(mails), len(no_address)) == (78, 77, 1)  # the sample's month

    deck = _deck(month / "out" / "review-2026-11.pptx")
    slide = _slide(deck, "7.")
    text = _every_word(slide)
    header, row = _table(slide)[:2]
    cells = dict(zip(header, row, strict=True))
    assert cells["付与済み"] == f"{len(awarded)}人"
    assert cells["付与のお知らせ"] == f"{len(mails)}通（未送信）"  # outbox only: a rehearsal
    assert (
        f"付与済み {len(awarded)}人 = 書き出しのみ（未送信） {len(mails)}人"
        f" ＋ メールアドレスなし {len(no_address)}人"
    ) in text
    # The title too says they were not sent: the room would take them as told.
    assert f"お知らせ{len(mails)}通（未送信・{len(no_address)}人はメールアドレスなし）" in text
    # No chart repeating the one campaign's 対象 and 付与済み under its table.
    assert not any(s.has_chart for s in slide.shapes)

    # The mail slide's row of the same run: 77 written, 1 left out and why.
    rows = _mail_rows(deck)
    (award,) = [r for title, r in rows.items() if "付与のお知らせ" in title]
    assert award["書き出し数（未送信）"] == f"{len(mails)}"
    assert (
        award["宛先から除いた人数"] == f"{len(no_address)}\nメールアドレスなし {len(no_address)}人"
    )

    # The workbook's sheet 7 holds the same parts.
    book = _book(month / "out" / "review-2026-11.xlsx")
    (sheet,) = [s for s in book.worksheets if s.title.startswith("7_")]
    head = header_labels(sheet)
    first = dict(zip(head, next(sheet.iter_rows(min_row=2, values_only=True)), strict=False))
    assert first["付与済みの人数"] == len(awarded)
    assert first["付与のお知らせ（通数）"] == len(mails)
    assert first["書き出し数（未送信）"] == len(mails)
    # As the slide gives it, in one column (the sheet prints one A4 page wide).
    assert (
        first["宛先から除いた人数"] == f"{len(no_address)}\nメールアドレスなし {len(no_address)}人"
    )
    # The window ended: no figure, and said so as the slide says it (a blank read as 0).
    assert first["達成見込みの人数"] == "期間終了"


def test_every_mail_row_adds_up_to_the_people_it_was_for(month: Path) -> None:
    """The recording went to who was invited and did not come: the invitation's outbox less
    the attendance list; the one of them who left is on the slide as 退職."""
    import csv

    # October's users too: the invitation went out in October, to some who left since.
    october, users = _users_export("2026-10"), _users_export()
    by_address = {
        _address(r["メールアドレス"]): u
        for export in (october, users)
        for u, r in export.items()
        if r["メールアドレス"].strip()
    }

    def recipients(run_id: str) -> set[str]:
        found = set()
        for p in _outbox(month, run_id):
            to = email.message_from_bytes(p.read_bytes())["To"]
            found.add(by_address[_address(to.rsplit("<", 1)[-1].rstrip(">"))])
        return found

    invited = recipients("seminar.month1-month1")
    text = (SAMPLE / "seminar" / "month1-attendance.csv").read_bytes().decode("utf-8-sig")
    came = {
        unicodedata.normalize("NFKC", r["ユーザーID"]).strip()
        for r in csv.DictReader(text.splitlines())
    }
    missed = invited - came
    recorded = recipients("seminar.recording-month1")
    retired = {u for u in missed if users[u]["在籍状況"].strip() == "退職"}
    assert recorded == missed - retired and len(retired) == 1

    deck = _deck(month / "out" / "review-2026-11.pptx")
    rows = _mail_rows(deck)
    (row,) = [r for title, r in rows.items() if title.startswith("セミナーの録画")]
    assert row["書き出し数（未送信）"] == f"{len(recorded)}"
    assert row["宛先から除いた人数"] == f"{len(retired)}\n退職 {len(retired)}人"
    # Every row in one form: the people a run left out over each reason's count, which add
    # up to it (「3」「メールアドレスなし 2人」「休職・休業中 1人」, a line each), or 「0」.
    for title, r in rows.items():
        total, *reasons = r["宛先から除いた人数"].split("\n")
        counts = [re.fullmatch(r"[^（]+? (\d+)人", line) for line in reasons]
        assert all(counts) and total.isdigit(), (title, r["宛先から除いた人数"])
        assert int(total) == sum(int(c[1]) for c in counts if c), title


def test_every_word_on_the_deck_is_large_enough_for_the_room(month: Path) -> None:
    """Read from across a meeting room: no run of text under 12 pt (tables, footers, notes
    under a slide, charts' labels and axes), no chart squeezed under 1.6 in, and no English
    word of method or notation (Newcombe, n=) where the room reads."""
    from pptx.util import Emu

    deck = _deck(month / "out" / "review-2026-11.pptx")
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [c.text_frame for row in shape.table.rows for c in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        if run.text.strip():
                            assert run.font.size.pt >= 12, (number, run.text, run.font.size.pt)
            if shape.has_chart:
                chart = shape.chart
                assert chart.font.size.pt >= 12, number
                for axis in (chart.category_axis, chart.value_axis):
                    assert axis.tick_labels.font.size.pt >= 12, number
                plot = chart.plots[0]
                if plot.has_data_labels:
                    assert plot.data_labels.font.size.pt >= 12, number
                assert Emu(shape.height).inches >= 1.6, (number, Emu(shape.height).inches)
        text = _every_word(slide)
        assert "Newcombe" not in text and not re.search(r"\bn=", text), (number, text)


def test_due_milestone_notices_say_how_many_mails_they_make(month: Path) -> None:
    """送付予定 counts person-role notices; sending them makes one mail a person, and none
    for a person without an address: the slide says how many mails and why fewer.
    Recounted from the exports (held counts per role, the milestones kops.yaml lists)."""
    import sample_recount as recount

    before, now = recount.load("2026-10"), recount.load("2026-11")
    old, new = recount.held_counts(before), recount.held_counts(now)
    here = set(now.users.loc[now.users["employment"] == "在籍", "user_id"])
    due: list[tuple[str, str]] = []
    for role in ("manager", "member"):
        for person, count in new[role].items():
            was = old[role].get(person, 0)
            if person in here and any(was < m <= count for m in recount.MILESTONES):
                due.append((person, role))
    people = {p for p, _ in due}
    users = _users_export()
    no_address = {p for p in people if not users[p]["メールアドレス"].strip()}
    assert no_address  # the sample's month has one

    deck = _deck(month / "out" / "review-2026-11.pptx")
    text = _every_word(_slide(deck, "7."))
    managers = sum(r == "manager" for _, r in due)
    assert f"送付予定 {len(due)}件（上司 {managers}・部下 {len(due) - managers}）" in text
    mails = len(people) - len(no_address)
    said = f"送るとメール {mails}通（{len(people)}人のうち {len(no_address)}人はメールアドレスなし"
    assert said in text


def test_a_rehearsed_run_is_not_presented_as_delivered(month: Path) -> None:
    """The nudge of October was only written to the outbox (kops.db has no sent row, the
    outbox has its .eml files): the slide's title says 未送信 and that no effect is known,
    its row says it is not measured, and no interval or difference is given anywhere."""
    import sqlite3

    with sqlite3.connect(month / "state" / "kops.db") as db:
        states = dict(
            db.execute(
                "SELECT state, COUNT(*) FROM mail_ledger WHERE run_id = ? GROUP BY state",
                ("no_prep.member-2026-10",),
            ).fetchall()
        )
    assert "sent" not in states and states["written"] == len(
        _outbox(month, "no_prep.member-2026-10")
    )
    slide = _slide(_deck(month / "out" / "review-2026-11.pptx"), "5.")
    title = slide.shapes.title.text_frame.text
    assert "（未送信）：" in title and "効果はまだ分かりません" in title
    words = _every_word(slide)
    assert "まだ測定できません（書き出しのみで、まだ送っていません）" in words.replace("\n", "")
    assert "信頼区間" not in words and "誤差の範囲（" not in words


def test_the_seminar_workbook_says_what_the_terminal_says_beside_its_figures(
    month: Path,
) -> None:
    """その後の変化 read 24% against 21% with no word that the keener attend; a share whose
    count is hidden was blank beside 「<5」; empty 回答例 cells said nothing of why. Each now
    says so (the demo's seminar summary, written after November's data)."""
    book = _book(month / "out" / "seminar-month1.xlsx")
    texts = [c.value for (c,) in book["その後の変化"].iter_rows(min_col=1, max_col=1) if c.value]
    assert any(str(t).startswith("出席は本人の選択です") for t in texts), texts
    # And the difference with its interval, as the deck says it: statsmodels' Newcombe
    # interval of the sheet's own counts.
    from statsmodels.stats.proportion import confint_proportions_2indep

    moved = book["その後の変化"]
    head = header_labels(moved)
    group, count, n = (
        head.index(h) for h in ("区分名", "次の段階に進んだ人数", "最新データにいる人数")
    )
    rows = {r[group]: (r[count], r[n]) for r in moved.iter_rows(min_row=2, values_only=True)}
    (c1, n1), (c2, n2) = rows["出席した人"], rows["出席しなかった人"]
    low, high = confint_proportions_2indep(c1, n1, c2, n2, method="newcomb", compare="diff")

    def pt(value: float) -> str:
        return f"{value * 100:+.1f}pt".replace("-", "−")

    said = f"出席した人と出席しなかった人の差 {pt(c1 / n1 - c2 / n2)}は誤差の範囲、95%信頼区間 {pt(low)}〜{pt(high)}"
    assert said in texts, texts
    by_point = book["その後の変化_スタックポイント別"]
    head = header_labels(by_point)
    count, share = head.index("次の段階に進んだ人数"), head.index("次の段階に進んだ割合")
    rows = [r for r in by_point.iter_rows(min_row=2, values_only=True) if r[1]]
    hidden = [r for r in rows if isinstance(r[count], str)]
    assert hidden  # the sample hides some
    assert all(r[share] == r[count] for r in hidden), hidden
    assert all(isinstance(r[share], int | float) for r in rows if not isinstance(r[count], str))
    free = book["自由記述"]
    examples = [r[2:] for r in free.iter_rows(min_row=2, values_only=True) if isinstance(r[1], int)]
    assert any(not any(e) for e in examples)  # a group with no example shown
    notes = [str(c.value) for (c,) in free.iter_rows(min_col=1, max_col=1) if c.value]
    assert any(n.startswith("回答例は、回答が5件以上の区分にだけ") for n in notes), notes


def test_a_row_of_two_divisions_on_slide_4_says_why(month: Path) -> None:
    """「管理本部・経営企画室」 stood on slide 4 with nothing said of it, and slide 8 named a
    pair's 事業部 「管理本部」. The slide now says, as the division report does, which 事業部
    was too small to stand alone: 経営企画室, recounted from the users export."""
    users = _users_export()
    sizes: dict[str, int] = {}
    for row in users.values():
        if row["在籍状況"].strip() != "退職":
            division = row["事業部"].strip()
            sizes[division] = sizes.get(division, 0) + 1
    small = sorted(d for d, n in sizes.items() if 0 < n < 5)
    assert small == ["経営企画室"]
    slide = _slide(_deck(month / "out" / "review-2026-11.pptx"), "4.")
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert "管理本部・経営企画室：経営企画室は5人未満のため、管理本部と合わせて1行で表示" in text


def test_a_run_never_sent_says_so_before_it_lacks_a_holdout(month: Path) -> None:
    """Slide 5's 繰り返し未設定・上司向け row said only 「比較群なし（一部の人に送らず比べると効果を
    測れます）」 of a run written to the outbox, 0 sent: the room took the holdout for the one
    thing missing. It says first that nobody received it, as sheet 5 does."""
    rows = _mail_rows(_deck(month / "out" / "review-2026-11.pptx"))
    (row,) = [r for title, r in rows.items() if title.startswith("繰り返し未設定")]
    assert row["送信数"] == "0" and int(row["書き出し数（未送信）"]) > 0
    said = row[next(k for k in row if k.startswith("抜け出した割合の差"))].replace("\n", "")
    # Never 「まだ」: sent later, it still has no holdout to measure against.
    assert said == "測定できません（比較群なし。書き出しのみで、まだ送っていません）", said
    book = _book(month / "out" / "review-2026-11.xlsx")
    (sheet,) = [s for s in book.worksheets if s.title.startswith("5_")]
    head = header_labels(sheet)
    (record,) = [
        dict(zip(head, r, strict=False))
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[0] and str(r[0]).startswith("no_recurrence")
    ]
    assert str(record["効果測定"]).replace("\n", "") == said


def test_the_actions_say_to_deliver_what_was_only_written(month: Path) -> None:
    """Slide 5 said every run of the month was written to the outbox only, the 78 awarded
    among them not yet told; slide 9 proposed nothing about it. It now says to deliver the
    award notices and this month's run without a holdout, counted from the outbox and
    kops.db, with the command in the notes."""
    import sqlite3

    with sqlite3.connect(month / "state" / "kops.db") as db:
        (awarded,) = db.execute(
            "SELECT COUNT(*) FROM awards WHERE campaign = ?", ("exec-1on1-2026h2",)
        ).fetchone()
    notices = len(_outbox(month, "campaign.awarded-exec-1on1-2026h2"))
    recurrence = [
        p.name.rsplit("-", 1)[0]
        for p in (month / "outbox").iterdir()
        if p.name.startswith("no_recurrence.manager-2026-11")
    ]
    (run_id,) = recurrence
    written = len(_outbox(month, run_id))
    slide = _slide(_deck(month / "out" / "review-2026-11.pptx"), "9.")
    rows = {r[0]: r[1] for r in _table(slide)[1:]}
    assert rows["経営層との1on1権: 付与のお知らせは未送信: 届ける"] == (
        f"付与済み {awarded}人、未送信 {notices}通"
    )
    (row,) = [k for k in rows if k.startswith("メール「繰り返し未設定・上司向け")]
    assert row.endswith("」は未送信: 届ける") and rows[row] == f"書き出し数（未送信） {written}通"
    # The seminar's recording is not: its invitations too were only written to the outbox
    # (the ledger has none sent), so 「先日ご案内した」 is for no one invited, and `seminar
    # remind` refuses it once mail is sent for real.
    with sqlite3.connect(month / "state" / "kops.db") as db:
        sent = db.execute(
            "SELECT COUNT(*) FROM mail_ledger WHERE run_id LIKE 'seminar.month1-month1%' "
            "AND state = 'sent'"
        ).fetchone()[0]
    assert sent == 0 and _outbox(month, "seminar.month1-month1")
    assert not [k for k in rows if "録画のご案内" in k]
    notes = slide.notes_slide.notes_text_frame.text
    assert "kops mail send --awarded exec-1on1-2026h2" in notes
    assert f"kops mail status {run_id}" in notes
    # The demo's mail goes to the outbox: sending there writes the files again, and the
    # notes say so where the action is to send or deliver.
    delivering = [line for line in notes.splitlines() if "届ける" in line or "mail send" in line]
    assert delivering and all("mail.transport を smtp か graph にしてから" in x for x in delivering)
    # And the slide itself says so (the room read 「届ける」 as something to do today).
    said = _every_word(slide).replace("\n", "")
    # The shared deck names no setting (「outbox」「smtp か graph」 were English to the room).
    assert "メールは今は書き出すだけで、まだ送っていません" in said
    assert not re.search("outbox|smtp|graph", said), said


def test_the_seminar_sheet_states_the_difference_the_slide_states(month: Path) -> None:
    """Slide 6 said the difference of those who moved on with its interval (「差 +2.3pt は誤差
    の範囲、95%信頼区間 −17.3pt〜+27.7pt」); the workbook's seminar sheet had it nowhere."""
    from openpyxl import load_workbook

    deck = _deck(month / "out" / "review-2026-11.pptx")
    said = " ".join(
        sh.text_frame.text for s in deck.slides for sh in s.shapes if sh.has_text_frame
    ).replace("\n", "")
    book = load_workbook(month / "out" / "review-2026-11.xlsx")
    sheet = next(ws for ws in book.worksheets if ws.title.startswith("6_"))
    rows = {str(r[1]).replace("\n", ""): r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    # Broken between its phrases to fit its column on paper: read as one line.
    difference = str(rows["次の段階に進んだ割合の差（出席した人−出席しなかった人）"]).replace(
        "\n", ""
    )
    assert difference.startswith("差 ") and "95%信頼区間" in difference
    assert "".join(difference.split()) in "".join(said.split())
