"""What kops writes on the documents it makes: the meeting the deck is for, who made
them and how confidential they are (the deck's cover, file properties, footers)."""

from __future__ import annotations

from .values import Line, Section


class Documents(Section):
    meeting: Line = "1on1 定例会"  # the deck's cover and the file's title
    organiser: Line = "KAKEAI事務局"  # the author of decks and workbooks: as mails sign
    company: Line = ""  # the company named in file properties (blank: none)
    classification: Line = "社外秘"  # on the cover and every slide
