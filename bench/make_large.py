"""Generate the large bench tenant: 50,000 users, ~2.5M 1on1s over two years.

Users CSV in CP932 (the slow encoding Japanese Excel writes), pairs CSV in
UTF-8 with BOM, meetings CSV in UTF-8. Vectorised with NumPy, so generation
takes seconds. Deterministic.

With ``--mixed-dates`` the dates come in every form a re-saved export mixes
(the usual ``2026-11-24 09:05:00``, ISO ``2026-11-24T09:05:00``, Excel's
``2026/9/28 9:05`` and ``2026/9/28``, one form per row), drawn from a separate
random stream so the rest of the tenant is the same as without it.

Usage: python bench/make_large.py bench/out/large [--users 50000] [--meetings 2500000]
                                  [--mixed-dates]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TOPICS = np.array(
    [
        "業務の進捗や進め方",
        "業績目標の進捗",
        "人間関係",
        "心身の状態",
        "今後のキャリア",
        "スキルや力の向上",
        "プライベート",
        "会社や部署の方針",
    ]
)
RESPONSES = np.array(
    [
        "話を聞いてほしい",
        "意見を聞きたい",
        "一緒に考えて欲しい",
        "具体的なアドバイスがほしい",
        "報告したい",
    ]
)
DIVISIONS = np.array([f"第{i}事業部" for i in range(1, 21)])
JOBS = np.array(["営業", "エンジニア", "製造", "事務", "企画", "デザイナー"])
AGES = np.array(["20代", "30代", "40代", "50代", "60代"])
SURNAMES = np.array(
    ["佐藤", "鈴木", "髙橋", "田中", "伊藤", "渡邊", "山本", "中村", "山﨑", "小林"]
)
GIVEN = np.array(["健太", "翔", "美咲", "陽子", "大輔", "さくら", "誠", "彩", "亮", "結衣"])
AS_OF = np.datetime64("2026-11-20T18:00")


class DateForms:
    """Writes timestamps as text: in one given form, or (mixed) each row in one of the
    forms re-saved exports mix, chosen by its own random stream."""

    def __init__(self, mixed: bool, seed: int = 11) -> None:
        self.mixed = mixed
        self.rng = np.random.default_rng(seed)

    def text(self, stamps: np.ndarray, usual: str, date_only: bool = False) -> np.ndarray:
        usual_text = pd.Series(stamps).dt.strftime(usual).to_numpy()
        if not self.mixed:
            return usual_text
        moments = pa.array(stamps.astype("datetime64[s]"))
        part = {
            name: pc.cast(getattr(pc, name)(moments), pa.string())
            for name in ("year", "month", "day", "hour")
        }
        excel_day = pc.binary_join_element_wise(part["year"], part["month"], part["day"], "/")
        clock = pc.binary_join_element_wise(part["hour"], pc.strftime(moments, format="%M"), ":")
        excel_time = pc.binary_join_element_wise(excel_day, clock, " ")  # 2026/9/28 9:05
        forms = [
            usual_text,
            pc.strftime(moments, format="%Y-%m-%dT%H:%M:%S").to_numpy(zero_copy_only=False),
            excel_day.to_numpy(zero_copy_only=False),
        ]
        if not date_only:
            forms.append(excel_time.to_numpy(zero_copy_only=False))
        which = self.rng.integers(0, len(forms), len(stamps))
        return np.choose(which, [np.asarray(form, dtype=object) for form in forms])


def generate(
    target: Path,
    n_users: int,
    n_meetings: int = 2_500_000,
    seed: int = 7,
    mixed_dates: bool = False,
) -> None:
    rng = np.random.default_rng(seed)
    forms = DateForms(mixed_dates)
    target.mkdir(parents=True, exist_ok=True)
    ids = np.char.zfill(np.arange(1, n_users + 1).astype(str), 7)
    division = rng.integers(0, len(DIVISIONS), n_users)
    department = np.char.add(
        np.char.add(DIVISIONS[division], "/"), (rng.integers(1, 8, n_users)).astype(str)
    )
    login_days = rng.integers(0, 120, n_users)
    last_login = (AS_OF - login_days.astype("timedelta64[D]")).astype("datetime64[m]")
    never = rng.random(n_users) < 0.06
    login_text = np.where(never, "", forms.text(last_login, "%Y/%m/%d %H:%M"))
    employment = rng.choice(
        np.array(["在籍", "休職", "育休", "退職"]), n_users, p=[0.95, 0.02, 0.02, 0.01]
    )
    users = pd.DataFrame(
        {
            "ユーザーID": ids,
            "氏名": np.char.add(
                np.char.add(SURNAMES[rng.integers(0, 10, n_users)], " "),
                GIVEN[rng.integers(0, 10, n_users)],
            ),
            "メールアドレス": np.char.add(np.char.add("u", ids), "@bench.example"),
            "事業部": DIVISIONS[division],
            "部署": department,
            "職種": JOBS[rng.integers(0, len(JOBS), n_users)],
            "年代": AGES[rng.integers(0, len(AGES), n_users)],
            "在籍状況": employment,
            "アカウント作成日": "2024/10/01",
            "最終ログイン日時": login_text,
        }
    )
    users.to_csv(target / "users.csv", index=False, encoding="cp932", lineterminator="\r\n")

    # One manager per 8 users; managers are themselves members of a higher manager.
    managers = np.arange(0, n_users, 8)
    member_idx = np.setdiff1d(np.arange(1, n_users), managers[:1])
    manager_of = (member_idx // 8) * 8
    manager_of = np.where(manager_of == member_idx, (member_idx // 64) * 8, manager_of)
    keep = manager_of != member_idx
    member_idx, manager_of = member_idx[keep], manager_of[keep]
    n_pairs = len(member_idx)
    accepted = rng.random(n_pairs) < 0.92
    pairs = pd.DataFrame(
        {
            "上司ID": ids[manager_of],
            "部下ID": ids[member_idx],
            "招待日": "2024/10/05",
            "承認日": np.where(
                accepted,
                forms.text(np.full(n_pairs, np.datetime64("2024-10-08")), "%Y/%m/%d", True),
                "",
            ),
            "繰り返し設定": rng.choice(np.array(["あり", "なし"]), n_pairs, p=[0.7, 0.3]),
        }
    )
    pairs.to_csv(target / "pairs.csv", index=False, encoding="utf-8-sig", lineterminator="\r\n")

    # ~2.5M meetings over two years: each formed pair meets at its own cadence.
    formed = np.flatnonzero(accepted)
    per_pair = rng.choice(np.array([0, 12, 26, 52, 90]), len(formed), p=[0.1, 0.2, 0.3, 0.3, 0.1])
    total = int(per_pair.sum())
    scale = n_meetings / max(total, 1)
    per_pair = np.maximum((per_pair * scale).astype(int), 0)
    total = int(per_pair.sum())
    pair_of = np.repeat(formed, per_pair)
    start = AS_OF - np.timedelta64(730, "D")
    minutes = rng.integers(0, 730 * 24 * 60 + 20 * 24 * 60, total).astype("timedelta64[m]")
    held_at = (start + minutes).astype("datetime64[m]")
    future = held_at > AS_OF
    status = np.where(future, "予定", np.where(rng.random(total) < 0.05, "キャンセル", "実施済"))
    prepared = rng.random(total) < 0.7
    prep_at = held_at - rng.integers(60, 3000, total).astype("timedelta64[m]")
    rated = (rng.random(total) < 0.75) & (status == "実施済")
    held_text = forms.text(held_at, "%Y-%m-%d %H:%M:%S")
    prep_text = np.where(prepared, forms.text(prep_at, "%Y-%m-%d %H:%M:%S"), "")
    meetings = pd.DataFrame(
        {
            "1on1ID": np.char.add("M", np.char.zfill(np.arange(1, total + 1).astype(str), 8)),
            "上司ID": ids[manager_of[pair_of]],
            "部下ID": ids[member_idx[pair_of]],
            "実施日時": held_text,
            "ステータス": status,
            "トピック": np.where(prepared, TOPICS[rng.integers(0, len(TOPICS), total)], ""),
            "対応": np.where(prepared, RESPONSES[rng.integers(0, len(RESPONSES), total)], ""),
            "事前準備日時": prep_text,
            "スッキリ度": np.where(rated, rng.integers(0, 6, total).astype(str), ""),
            "成長実感": np.where(rated, rng.integers(1, 6, total).astype(str), ""),
        }
    )
    meetings.to_csv(target / "meetings.csv", index=False, encoding="utf-8", lineterminator="\n")
    print(f"{n_users:,} users, {n_pairs:,} pairs, {total:,} meetings → {target}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", type=Path, nargs="?", default=Path("bench/out/large"))
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--meetings", type=int, default=2_500_000, help="about this many 1on1s")
    parser.add_argument(
        "--mixed-dates", action="store_true", help="dates in the forms re-saved exports mix"
    )
    args = parser.parse_args()
    generate(args.target, args.users, args.meetings, mixed_dates=args.mixed_dates)
