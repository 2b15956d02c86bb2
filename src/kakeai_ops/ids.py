"""Ids typed by people (on the command line, in kops.yaml) spelled as stored ids are."""

from __future__ import annotations

import unicodedata


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
        raise ValueError("it has no visible character")
    hidden = [c for c in folded if unicodedata.category(c).startswith("C")]
    if hidden:
        raise ValueError(f"it holds an invisible character (U+{ord(hidden[0]):04X})")
    return folded
