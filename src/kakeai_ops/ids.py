"""Ids typed by people (on the command line, in kops.yaml) spelled as stored ids are."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from .i18n import _


def typed_id(text: str) -> str:
    """A user id as typed, as ingest stores ids: NFKC (０００１ → 0001), no outer spaces."""
    return unicodedata.normalize("NFKC", text).strip()


def typed_run_id(text: str) -> str:
    """A mail run id as typed: NFKC (ｎｏｖ－ａｗａｒｄ → nov-award), white space trimmed
    and collapsed to one space; refused when nothing visible is left or when it holds an
    invisible character (zero-width space, direction marks), so two ids that look alike
    are one run. Raises ValueError with the reason."""
    folded = " ".join(unicodedata.normalize("NFKC", text).split())
    if not folded:
        raise ValueError(_("it has no visible character"))
    hidden = [c for c in folded if unicodedata.category(c).startswith("C")]
    if hidden:
        raise ValueError(
            _("it holds an invisible character ({code})").format(code=f"U+{ord(hidden[0]):04X}")
        )
    if folded.startswith("-"):
        # Read back as an option: `kops mail status -x` could never name the run.
        raise ValueError(_("it starts with '-', which commands read as an option"))
    return folded


def same_number(text: str, known: Iterable[str]) -> list[str]:
    """Known ids that are the typed one with other leading zeros (120 → 000120): what
    Excel makes of an id, and what people type from memory."""
    typed = typed_id(text)
    if not typed.isdigit():
        return []
    number = typed.lstrip("0")
    return sorted({k for k in known if k != typed and k.isdigit() and k.lstrip("0") == number})


def did_you_mean(text: str, known: Iterable[str]) -> str:
    """「000120 のことですか？」 for an id typed without its leading zeros; '' otherwise."""
    found = same_number(text, known)
    return _("did you mean {ids}?").format(ids=_(", ").join(found[:3])) if found else ""
