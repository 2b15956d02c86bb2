"""``make bench``: wall time and peak memory of kops on the large tenant.

Generates bench/out/large on first use (50,000 users, ~2.5M 1on1s), then runs
each step as a separate ``kops`` process in a fresh workspace, as a user would,
and reports wall time and the process's peak resident memory.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LARGE = HERE / "out" / "large"
KOPS = [sys.executable, "-m", "kakeai_ops"]


def run(label: str, args: list[str], goal: float | None) -> dict[str, object]:
    start = time.perf_counter()
    process = subprocess.Popen(
        [*KOPS, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(), text=True
    )
    # wait4 gives this child's own rusage: its peak memory, not the maximum of all steps.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        print(stderr, file=sys.stderr)
        raise SystemExit(f"bench step failed: {label}")
    inner = re.search(r"work: .* in ([0-9.]+) s", stderr)
    row = {
        "step": label,
        "seconds": round(seconds, 2),
        "work_seconds": float(inner.group(1)) if inner else None,
        "peak_mb": round(usage.ru_maxrss / 1024),
        "goal_s": goal,
    }
    measured = row["work_seconds"] if row["work_seconds"] is not None else seconds
    row["ok"] = goal is None or float(measured) <= goal  # type: ignore[arg-type]
    work = f"(work {row['work_seconds']:.2f} s)" if inner else ""
    print(
        f"  {label:<44} {seconds:7.2f} s {work:<16} peak {row['peak_mb']:>6} MB   goal {goal or '-'} s",
        flush=True,
    )
    return row


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["KOPS_TIMING"] = "1"
    return env


def main() -> None:
    if not (LARGE / "meetings.csv").exists():
        print("generating the large tenant (once)…", flush=True)
        subprocess.run([sys.executable, str(HERE / "make_large.py"), str(LARGE)], check=True)
    all_users = LARGE / "all_users.csv"
    if not all_users.exists():
        import pandas as pd

        ids = pd.read_csv(LARGE / "users.csv", encoding="cp932", dtype=str, usecols=["ユーザーID"])
        ids.rename(columns={"ユーザーID": "user_id"}).to_csv(all_users, index=False)
    workspace = Path(tempfile.mkdtemp(prefix="kops-bench-")) / "ws"
    subprocess.run([*KOPS, "init", str(workspace)], check=True, capture_output=True)
    files = [str(LARGE / name) for name in ("users.csv", "pairs.csv", "meetings.csv")]
    w = ["-w", str(workspace)]
    print(f"kops bench on {LARGE} (workspace {workspace})")
    results = [
        run("ingest (50k users, 2.5M 1on1s)", ["ingest", *w, *files], 20.0),
        run("load latest snapshot (kops status --load)", ["status", *w, "--load"], 2.0),
    ]
    only = sys.argv[1:]  # e.g. `python bench/run.py seminar`: only the steps naming it
    for step in extra_steps():
        if not only or any(word in step[0] for word in only):
            results.append(run(step[0], [*step[1], *w], step[2]))
    (HERE / "out" / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    failed = [r["step"] for r in results if not r["ok"]]
    if failed:
        print(f"over the goal: {', '.join(map(str, failed))}")


def survey_file(answers: int = 10_000) -> Path:
    """A seminar survey of `answers` free-text answers by users of the large tenant, made
    of two to four answers of the test set (tests/data/themes) each, so nearly every
    answer is distinct (identical answers are tokenised once). Deterministic."""
    import csv
    import random

    path = HERE / "out" / f"survey-{answers}.csv"
    if path.exists():
        return path
    fragments: list[str] = []
    for name, encoding in (("month1", "cp932"), ("month2", "utf-8-sig"), ("month3", "utf-8")):
        source = HERE.parent / "tests" / "data" / "themes" / f"{name}.csv"
        with source.open(encoding=encoding, newline="") as handle:
            fragments += [row["今、知りたいこと"] for row in csv.DictReader(handle)]
    import pandas as pd

    ids = pd.read_csv(LARGE / "users.csv", encoding="cp932", dtype=str, usecols=["ユーザーID"])
    chooser = random.Random(17)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["ユーザーID", "満足度", "知りたいテーマ", "今、知りたいこと"])
        for user_id in ids["ユーザーID"].str.strip().head(answers):
            text = "。".join(chooser.sample(fragments, chooser.randint(2, 4)))
            writer.writerow([user_id, chooser.randint(1, 5), "トピックの選び方", text])
    return path


def extra_steps() -> list[tuple[str, list[str], float]]:
    """Steps of the analyses; each command adds itself here."""
    return [
        (
            "seminar survey: record 10k answers",
            ["seminar", "survey", "month1", str(survey_file())],
            10.0,
        ),
        ("seminar themes: tokenise + summarise 10k answers", ["seminar", "themes"], 10.0),
        ("seminar summary with 10k answers", ["seminar", "summary", "month1"], 10.0),
        ("segment (load + analysis + summary)", ["segment"], 5.0),
        (
            "mail plan: render 50k messages (--users all)",
            ["mail", "plan", "--users", str(LARGE / "all_users.csv"), "--template", "no_pair"],
            30.0,
        ),
        (
            "report divisions --out (full report, 20 事業部)",
            ["report", "divisions", "--out", str(HERE / "out" / "report.xlsx")],
            30.0,
        ),
        (
            "campaign eligible, 6-month window, --all csv",
            ["campaign", "eligible", "exec-1on1-2026h2", "--all", "--format", "csv"],
            5.0,
        ),
    ]


if __name__ == "__main__":
    main()
