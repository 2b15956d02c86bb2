"""The monthly review deck: figures from the workspace, then a PowerPoint deck and a workbook."""

from __future__ import annotations

from pathlib import Path

from ...outputs.files import write_table
from ...outputs.review_pptx import DeckInfo, write_deck
from ...outputs.workbook import Print
from ...privacy.audiences import label
from .build import build_review
from .deck_record import compared_snapshot, record_review
from .figures import Review
from .sheets import TEXT_COLUMNS, review_sheets
from .slides import build_slides

__all__ = [
    "Review",
    "build_review",
    "compared_snapshot",
    "record_review",
    "write_review_deck",
    "write_review_workbook",
]


def write_review_deck(review: Review, path: Path) -> Path:
    docs = review.documents
    info = DeckInfo(
        title=review.title,
        author=docs.organiser,
        classification=f"{docs.classification}・{label(review.audience)}"
        if docs.classification
        else label(review.audience),
        subject=f"基準日 {review.as_of}",
    )
    return write_deck(build_slides(review), path, info)


def write_review_workbook(review: Review, path: Path) -> Path:
    """One sheet per slide; ids as text cells."""
    sheets = review_sheets(review)
    first_name, first = sheets[0]
    options = Print(
        as_of=review.as_of,
        audience=label(review.audience),
        title=review.title,
    )
    return write_table(
        first,
        path,
        sheet=first_name,
        extra_sheets=sheets[1:],
        text_columns=TEXT_COLUMNS,
        options=options,
    )
