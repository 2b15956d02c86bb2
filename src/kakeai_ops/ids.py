"""Ids typed by people (on the command line, in kops.yaml) spelled as stored ids are."""

from __future__ import annotations

import unicodedata


def typed_id(text: str) -> str:
    """A user id as typed, as ingest stores ids: NFKC (０００１ → 0001), no outer spaces."""
    return unicodedata.normalize("NFKC", text).strip()
