"""What each analysis reads of a snapshot (table → columns, for store.load_tables).

Apart from the analyses, which import pandas: a command names what it will read and
starts reading it before it imports them (cli/shared.py ``Session.read_ahead``).
"""

from __future__ import annotations

from .. import model

# What ``segmentation.segment`` reads.
SEGMENT = model.needed(
    users=model.USERS.without("created_at"),
    pairs=model.PAIRS.without("invited_at"),
    # The stuck points are judged on what every 1on1 export must have.
    meetings=model.MEETINGS.required,
)

# What ``streaks.eligibility`` and ``eligibility.eligibility_counts`` read.
ELIGIBILITY = model.needed(
    users=["user_id", "name", "division", "department", "employment", "employment_status"],
    meetings=["manager_id", "member_id", "held_at", "status"],
)

# What ``scheduled.first_booked`` reads.
BOOKED = model.needed(meetings=["manager_id", "member_id", "held_at", "status"])
