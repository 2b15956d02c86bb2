"""Campaign eligibility (rules.md §2) on hand-made rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa

from factories import meeting, pair, tables, user
from kakeai_ops.analyses.streaks import eligibility, user_weeks
from kakeai_ops.calendar import BusinessCalendar, weeks_of_month
from kakeai_ops.config import parse_settings

D = dt.date
CAL = BusinessCalendar([(D(2026, 8, 10), D(2026, 8, 14))])


def campaign(
    start: str = "2026-04-01",
    end: str = "2026-09-30",
    months: int = 3,
    role: str = "member",
    per_week: int = 1,
):  # type: ignore[no-untyped-def]
    settings = parse_settings(
        {
            "campaigns": {
                "c": {
                    "title": "t",
                    "window": {"start": start, "end": end},
                    "rule": {
                        "kind": "weekly_streak",
                        "months": months,
                        "role": role,
                        "min_per_week": per_week,
                    },
                }
            }
        }
    )
    return settings.campaigns["c"]


def every_week(
    manager: str,
    member: str,
    months: list[tuple[int, int]],
    skip: set[dt.date] = frozenset(),
    day: int = 2,
    times: int = 1,
) -> list[dict]:  # type: ignore[assignment]
    rows = []
    for year, month in months:
        for monday in weeks_of_month(year, month):
            if monday in skip:
                continue
            for t in range(times):
                rows.append(
                    meeting(manager, member, f"{monday + dt.timedelta(days=day)} {10 + t}:00")
                )
    return rows


APR_SEP = [(2026, m) for m in range(4, 10)]


def result_for(t, c, as_of: dt.date = D(2026, 11, 20)) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    result = eligibility(t, c, CAL, as_of).users
    assert_the_list_without_pandas_is_the_same(t, c, as_of, result)
    return result.set_index("user_id")


def assert_the_list_without_pandas_is_the_same(t, c, as_of: dt.date, result: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """`campaign eligible --format csv` judges from the snapshot's Arrow tables and writes
    them without pandas: byte for byte the CSV the frame gives, in every case here."""
    import pyarrow as pa

    from kakeai_ops.analyses.streaks import ELIGIBLE_COLUMNS, eligibility_table
    from kakeai_ops.outputs.csv_fields import table_csv_text
    from kakeai_ops.outputs.files import csv_text

    def arrow(frame: pd.DataFrame) -> pa.Table:  # as a snapshot stores it (store._write_parquet)
        return pa.Table.from_pandas(frame, preserve_index=False)

    table = eligibility_table(arrow(t.users), arrow(t.meetings), c, CAL, as_of)
    assert table is not None
    assert table_csv_text(table) == csv_text(result[ELIGIBLE_COLUMNS])


def test_weekly_member_is_eligible_and_excused_weeks_need_no_1on1() -> None:
    summer_week = D(2026, 8, 10)  # company holidays Mon–Fri: excused
    t = tables(
        users=[user("M"), user("A"), user("B")],
        pairs=[pair("M", "A"), pair("M", "B")],
        meetings=[
            *every_week("M", "A", APR_SEP, skip={summer_week}),
            *every_week("M", "B", [(2026, 4), (2026, 5)]),
        ],
    )
    result = result_for(t, campaign())
    assert bool(result.loc["A", "eligible"])
    assert (result.loc["A", "run_start"], result.loc["A", "run_end"]) == ("2026-04", "2026-09")
    assert result.loc["A", "best_run_months"] == 6
    assert not bool(result.loc["B", "eligible"])
    assert result.loc["B", "best_run_months"] == 2
    # B's closest run is Apr–Jun; it missed every June week.
    # (the week of 6/29 belongs to July: its Thursday is 7/2)
    assert result.loc["B", "missed_weeks"] == "2026-06-01;2026-06-08;2026-06-15;2026-06-22"
    # The manager held them all, but the rule counts the member role only.
    assert not bool(result.loc["M", "eligible"])


def test_thursday_rule_at_both_ends_of_the_window() -> None:
    # The week of 2026-03-30 belongs to April: a 1on1 on Monday 3/30 covers it.
    # The week of 2026-09-28 belongs to October: outside a window ending 9/30.
    first_april_week = D(2026, 3, 30)
    rows = every_week("M", "A", [(2026, 4), (2026, 5), (2026, 6)], skip={first_april_week})
    rows.append(meeting("M", "A", "2026-03-30 10:00"))
    late = every_week("M", "B", [(2026, 7), (2026, 8)], skip={D(2026, 8, 10)})
    late += every_week("M", "B", [(2026, 9)])[:-1]  # misses 9/21…
    late.append(meeting("M", "B", "2026-09-29 10:00"))  # …and 9/29 is October's week
    t = tables(
        users=[user("M"), user("A"), user("B")],
        pairs=[pair("M", "A"), pair("M", "B")],
        meetings=rows + late,
    )
    result = result_for(t, campaign())
    assert bool(result.loc["A", "eligible"])
    assert not bool(result.loc["B", "eligible"])
    assert result.loc["B", "missed_weeks"] == "2026-09-21"


def test_a_month_in_progress_cannot_complete_a_run() -> None:
    rows = every_week("M", "A", [(2026, 9), (2026, 10), (2026, 11)])
    t = tables(
        users=[user("M"), user("A")],
        pairs=[pair("M", "A")],
        meetings=[m for m in rows if m["held_at"] <= pd.Timestamp("2026-11-20")],
    )
    c = campaign(start="2026-09-01", end="2026-12-31")
    result = result_for(t, c, as_of=D(2026, 11, 20))
    assert not bool(result.loc["A", "eligible"])
    assert result.loc["A", "months_judged"] == 2  # September and October; November is in progress
    assert result.loc["A", "note"] == "判定できる月がまだ足りない"
    weeks = user_weeks(eligibility(t, c, CAL, D(2026, 11, 20)), t, c, CAL, D(2026, 11, 20), "A")
    statuses = {w.monday: w.status for w in weeks}
    assert statuses[D(2026, 11, 16)] == "held"
    assert statuses[D(2026, 11, 23)] == "not_judged"
    # Once November is over, the run completes.
    done = tables(users=[user("M"), user("A")], pairs=[pair("M", "A")], meetings=rows)
    assert bool(result_for(done, c, as_of=D(2026, 11, 30)).loc["A", "eligible"])


def test_roles_member_manager_any() -> None:
    rows = every_week("M", "A", APR_SEP[:3])
    t = tables(users=[user("M"), user("A")], pairs=[pair("M", "A")], meetings=rows)
    assert list(result_for(t, campaign(role="member"))["eligible"]) == [False, True]  # M, A
    assert list(result_for(t, campaign(role="manager"))["eligible"]) == [True, False]
    assert list(result_for(t, campaign(role="any"))["eligible"]) == [True, True]


def test_min_per_week_above_one_and_cancelled_meetings() -> None:
    twice = every_week("M", "A", APR_SEP[:3], times=2)
    once_plus_cancelled = every_week("M", "B", APR_SEP[:3])
    once_plus_cancelled += [
        dict(m, status="cancelled", meeting_id=m["meeting_id"] + "c")
        for m in every_week("M", "B", APR_SEP[:3], day=3)
    ]
    t = tables(
        users=[user("M"), user("A"), user("B")],
        pairs=[pair("M", "A"), pair("M", "B")],
        meetings=twice + once_plus_cancelled,
    )
    result = result_for(t, campaign(per_week=2))
    assert bool(result.loc["A", "eligible"])
    assert not bool(result.loc["B", "eligible"])  # cancelled 1on1s never count


def test_qualifies_only_in_a_later_run() -> None:
    rows = every_week("M", "A", APR_SEP, skip={D(2026, 5, 11), D(2026, 8, 10)})
    t = tables(users=[user("M"), user("A")], pairs=[pair("M", "A")], meetings=rows)
    result = result_for(t, campaign())
    assert bool(result.loc["A", "eligible"])
    # The whole streak, from its first month to its last (not the first three of it).
    assert (result.loc["A", "run_start"], result.loc["A", "run_end"]) == ("2026-06", "2026-09")


def test_people_on_leave_are_never_eligible_and_those_who_left_are_not_judged() -> None:
    rows = every_week("M", "L", APR_SEP[:3]) + every_week("M", "R", APR_SEP[:3])
    t = tables(
        users=[
            user("M"),
            user("L", employment="休職", employment_status="leave"),
            user("R", employment="退職", employment_status="retired"),
        ],
        pairs=[pair("M", "L"), pair("M", "R")],
        meetings=rows,
    )
    result = result_for(t, campaign())
    assert (
        not bool(result.loc["L", "eligible"])
        # April–June every week: the months beside are the run the condition was met in,
        # said so (without it they read as the months of leave).
        and result.loc["L", "note"] == "休職・休業中のため対象外（期間は条件を満たした期間）"
    )
    assert "R" not in result.index  # 退職: left out of everything (rules.md)
    assert bool(result.loc["L", "qualifies_by_calendar"])


def test_user_weeks_explain_excused_with_holiday_names() -> None:
    rows = every_week("M", "A", APR_SEP[:6], skip={D(2026, 8, 10), D(2026, 6, 15)})
    t = tables(users=[user("M"), user("A")], pairs=[pair("M", "A")], meetings=rows)
    c = campaign()
    weeks = {
        w.monday: w
        for w in user_weeks(
            eligibility(t, c, CAL, D(2026, 11, 20)), t, c, CAL, D(2026, 11, 20), "A"
        )
    }
    assert weeks[D(2026, 8, 10)].status == "excused"
    assert {name for _, name in weeks[D(2026, 8, 10)].holidays} == {"山の日", "会社休日"}
    assert weeks[D(2026, 6, 15)].status == "missed"
    assert weeks[D(2026, 4, 6)].status == "held" and weeks[D(2026, 4, 6)].meetings == [
        D(2026, 4, 8)
    ]


def test_a_person_not_eligible_is_told_how_close_they_came() -> None:
    """An active person who missed weeks in every run: 期間の開始月・終了月 give the closest
    three months (rules.md §2's best run), which beside 最長の連続月数 0 read as a run they
    made. 備考 says they are the closest, and how many weeks they missed; someone eligible
    has no 備考."""
    skipped = {D(2026, 4, 13), D(2026, 5, 11), D(2026, 6, 15), D(2026, 7, 13), D(2026, 8, 17)}
    rows = every_week("M", "A", APR_SEP, skip=skipped) + every_week("M", "B", APR_SEP[:3])
    t = tables(
        users=[user("M"), user("A"), user("B")],
        pairs=[pair("M", "A"), pair("M", "B")],
        meetings=rows,
    )
    result = result_for(t, campaign())
    a = result.loc["A"]
    assert not bool(a["eligible"]) and a["best_run_months"] < 3
    missed = a["missed_weeks"].split(";")
    # The closest three months: July to September, July's and August's skipped week missed.
    assert (a["run_start"], a["run_end"]) == ("2026-07", "2026-09") and len(missed) == 2
    assert a["note"] == "条件にいちばん近い期間に実施のなかった週 2週"
    assert bool(result.loc["B", "eligible"]) and result.loc["B", "note"] == ""


def test_the_list_without_pandas_leaves_repeated_ids_to_the_frames() -> None:
    """Tables a snapshot never holds (a user id twice) are not judged from Arrow: None,
    and the command judges them with the frames as before."""
    import pyarrow as pa

    from kakeai_ops.analyses.streaks import eligibility_table

    t = tables([user("U1"), user("U1")], meetings=every_week("M", "U1", APR_SEP))
    arrow = {
        name: pa.Table.from_pandas(t.get(name), preserve_index=False)
        for name in ("users", "meetings")
    }
    assert (
        eligibility_table(arrow["users"], arrow["meetings"], campaign(), CAL, D(2026, 11, 20))
        is None
    )


def test_the_list_without_pandas_writes_hostile_text_as_the_frame_does() -> None:
    """Names and departments with commas, quotes, line breaks, formula starts and blanks,
    ids in 1on1s of nobody here, a 1on1 without a status or a time: the same CSV."""
    odd = [
        user("U1", name='=HYPERLINK("x")', division="営業, 本部"),
        user("U2", name='a "quoted"\nname', department=None),
        user("U3", name="+81 3", employment_status="leave", employment="休職"),
        user("U4", name="@sum", employment_status="retired", employment="退職"),
        user("U5", name="", division=None),
    ]
    rows = every_week("U1", "U2", APR_SEP) + every_week("U2", "U3", APR_SEP[:4])
    rows += every_week("GONE", "U5", APR_SEP[1:]) + every_week("U4", "NOBODY", APR_SEP)
    blank = meeting("U1", "U5", "2026-05-12 10:00")
    blank["status"] = None
    timeless = meeting("U1", "U2", "2026-05-13 10:00")
    timeless["held_at"] = pd.NaT
    rows += [blank, timeless]
    t = tables(odd, meetings=rows)
    for role in ("member", "manager", "any"):
        for as_of in (D(2026, 5, 3), D(2026, 11, 20)):
            result_for(t, campaign(role=role), as_of)


def test_the_list_without_pandas_of_nobody_is_the_header() -> None:
    """No users, or nobody eligible yet: the header alone, as the frame writes it."""
    from kakeai_ops.analyses.streaks import eligibility_table
    from kakeai_ops.outputs.csv_fields import table_csv_text

    result_for(tables([]), campaign())
    t = tables([user("U1")], meetings=every_week("M", "U1", APR_SEP))
    shown = eligibility_table(
        *(pa.Table.from_pandas(t.get(n), preserve_index=False) for n in ("users", "meetings")),
        campaign(),
        CAL,
        D(2026, 5, 1),
    )
    assert shown is not None
    nobody = shown.filter(shown.column("eligible"))
    assert nobody.num_rows == 0
    assert table_csv_text(nobody) == ",".join(shown.column_names) + "\n"


def test_someone_who_held_no_1on1_is_not_given_months_of_a_run() -> None:
    """With no 1on1 in any week, no run of months came closer than another: 期間の開始月・
    終了月 and the weeks missed are blank (months beside 最長の連続月数 0 read as a run made),
    and 備考 says why. Someone who held some keeps the closest run."""
    rows = every_week("M", "B", APR_SEP[:2])
    t = tables(
        users=[user("M"), user("A"), user("B")],
        pairs=[pair("M", "A"), pair("M", "B")],
        meetings=rows,
    )
    result = result_for(t, campaign())
    a, b = result.loc["A"], result.loc["B"]
    assert not bool(a["eligible"]) and a["best_run_months"] == 0
    assert a["run_start"] == a["run_end"] == a["missed_weeks"] == ""
    assert a["note"] == "判定期間中に部下としての1on1の実施なし"
    assert not bool(b["eligible"]) and b["run_start"] != "" and b["missed_weeks"] != ""
    assert b["note"].startswith("条件にいちばん近い期間に実施のなかった週")
    # M held 1on1s every week, but as 上司: for a campaign of members, none (not 「実施なし」
    # alone, which would be untrue of them).
    m = result.loc["M"]
    assert m["run_start"] == "" and m["note"] == "判定期間中に部下としての1on1の実施なし"
    # For a campaign of managers, M's weeks count and A held none as 上司.
    managers = result_for(t, campaign(role="manager"))
    assert managers.loc["A"]["note"] == "判定期間中に上司としての1on1の実施なし"
    assert managers.loc["M"]["note"].startswith("条件にいちばん近い期間")
    # Twice a week asked, once a week held: some held, but no week counted.
    twice = result_for(t, campaign(per_week=2))
    assert twice.loc["B"]["run_start"] == ""
    assert twice.loc["B"]["note"] == "判定期間中に部下としての1on1が週2回以上の週なし"
    assert twice.loc["A"]["note"] == "判定期間中に部下としての1on1の実施なし"


def test_the_qualifying_run_is_the_whole_streak_and_stops_at_its_last_good_month() -> None:
    """April–July every week, August missed, September again: 期間の開始月・終了月 are the
    streak's own months (2026-04 to 2026-07), as the award mail says them, beside 最長の
    連続月数 4; not the first three months of it, nor running over August."""
    rows = every_week("M", "A", APR_SEP[:4]) + every_week("M", "A", APR_SEP[5:])
    t = tables(users=[user("M"), user("A")], pairs=[pair("M", "A")], meetings=rows)
    a = result_for(t, campaign()).loc["A"]
    assert bool(a["eligible"]) and a["best_run_months"] == 4
    assert (a["run_start"], a["run_end"]) == ("2026-04", "2026-07")


def test_on_track_is_a_run_still_growing_with_months_left_to_finish_it() -> None:
    """Window November–January, three months; as of 2027-01-08 November and December are
    judged (December's last week, 12/28–1/3, has ended) and January is left."""
    year_end = D(2026, 12, 28)
    a_november_week = D(2026, 11, 9)
    months = [(2026, 11), (2026, 12)]
    t = tables(
        users=[user("M"), user("A"), user("B"), user("C"), user("D")],
        pairs=[pair("M", "A"), pair("M", "B"), pair("M", "C"), pair("M", "D")],
        meetings=[
            *every_week("M", "A", months),  # both months: January would finish the run
            *every_week("M", "B", months, skip={year_end}),  # December missed
            *every_week("M", "C", months, skip={a_november_week}),  # only December
        ],
    )
    as_of = D(2027, 1, 8)
    result = result_for(t, campaign(start="2026-11-01", end="2027-01-31"), as_of=as_of)
    assert result["on_track"].to_dict() == {
        "M": False,
        "A": True,
        "B": False,  # no good month since the one missed
        "C": False,  # December alone and January: two months, three needed
        "D": False,  # nothing held
    }
    assert result.loc["A", "note"] == "判定できる月がまだ足りない"
    for out in ("B", "C", "D", "M"):
        assert result.loc[out, "note"] == "実施のない週があり、判定期間内には条件を満たせない"
    assert result.loc["B", "missed_weeks"] == "2026-12-28"
    # With March in the window nobody is out of reach yet: B could still make January–March
    # (not on track: no good month since the week missed), C's December may grow into
    # December–February (on track).
    longer = result_for(t, campaign(start="2026-11-01", end="2027-03-31"), as_of=as_of)
    assert longer.loc[["A", "B", "C"], "on_track"].tolist() == [True, False, True]
    assert set(longer.loc[["A", "B", "C", "D"], "note"]) == {"判定できる月がまだ足りない"}
