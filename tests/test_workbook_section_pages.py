"""A section of a printed sheet (a title and its table) is not cut across a page break:
blank rows move it to the next page, for Excel's and LibreOffice's page breaks alike."""

from __future__ import annotations

from kakeai_ops.outputs import workbook


def _sheet(rows: int) -> object:
    book = workbook.new_book()
    sheet = book.create_sheet("一覧")
    for row in range(1, rows + 1):
        sheet.cell(row=row, column=1, value=f"行{row}")
    sheet.column_dimensions["A"].width = 10  # narrow: printed at 100 % in both
    workbook.print_setup(sheet, title_rows="1:2", width=10)
    return sheet


def test_a_section_that_would_cross_a_page_starts_the_next() -> None:
    # A4 portrait less margins: 842 - 2 × 0.6 in = 755.6 pt a page. Rows 1–40 fill 630 pt
    # in Excel (15.75 pt rows) and 600 pt in LibreOffice (15 pt); the 20-row section from
    # row 41 would cross the break in both. Excel's page ends after 8 blank rows
    # (630 + 8 × 15.75 > 755.6), LibreOffice's after 11 (600 + 11 × 15 > 755.6): 11 end
    # both, and the section (315 pt) then fits below the blanks on the new page.
    sheet = _sheet(60)
    assert workbook.section_gaps(sheet, [41]) == {41: 11}


def test_sections_that_fit_or_cannot_fit_are_left_alone() -> None:
    # 40 rows (630 pt in Excel) are one page: no section of them crosses a break.
    sheet = _sheet(40)
    assert workbook.section_gaps(sheet, [3, 20]) == {}
    # A section longer than a page is cut wherever it starts: no blank rows for it.
    long = _sheet(120)
    assert workbook.section_gaps(long, [10]) == {}
