"""The mail commands' words for stored values: where a suppression came from."""

from __future__ import annotations

import pandas as pd
import pytest

from kakeai_ops.cli.mail_words import suppression_for_people


def test_every_source_of_the_suppression_list_is_said_in_japanese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A person's new address, kept off the list with them at ingest, showed as
    「address change」 under 登録元."""
    monkeypatch.setenv("KOPS_LANG", "ja")
    frame = pd.DataFrame(
        {
            "key": ["000120", "new@example.jp"],
            "user_id": ["000120", "000120"],
            "reason": ["本人の希望", "本人の希望"],
            "source": ["manual", "address change"],
            "added_at": ["2026-11-25T10:00:00+09:00"] * 2,
        }
    )
    shown = suppression_for_people(frame)
    sources = list(shown[shown.columns[shown.columns.str.startswith("登録元")][0]])
    assert sources[0].startswith("手動") and sources[1].startswith("アドレスの変更")
    assert not [s for s in sources if s.isascii()]
