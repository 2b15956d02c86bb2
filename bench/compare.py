"""kops against the polars reference, end to end, on the same tenant.

The reference (``ref_polars.py``, kept beside the shared bench) does in one
process what three kops commands do: ingest (decode, NFKC ids, dates, 対応
folding, enum checks, a columnar snapshot), stuck points and weekly-streak
eligibility. kops runs as a user runs it: ``ingest``, ``segment --list
--format csv`` and ``campaign eligible --all --format csv``, each its own
process in a fresh workspace. Runs alternate (kops first, then the reference
first) so that neither always meets a warm or a cold file cache, and the
medians are compared.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
KOPS = [sys.executable, "-m", "kakeai_ops"]
CAMPAIGN = "exec-1on1-2026h2"
# bench/, then a shared bench folder beside the checkout or beside any folder above it.
REFERENCE_PLACES = (
    HERE / "ref_polars.py",
    *(folder / "shared" / "bench" / "ref_polars.py" for folder in HERE.parents[1:]),
)


@dataclass
class Timing:
    """Wall seconds, CPU seconds (user + system) and peak resident memory (MB) of one
    child process."""

    seconds: float
    peak_mb: int
    cpu: float = 0.0
    stderr: str = ""


@dataclass
class Series:
    """Repeated timings of one step."""

    label: str
    runs: list[Timing] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def min(self) -> float:
        return min(run.seconds for run in self.runs)

    @property
    def peak_mb(self) -> int:
        return max(run.peak_mb for run in self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(run.cpu for run in self.runs)


def reference_script() -> Path | None:
    """The reference pipeline: ``KOPS_BENCH_REFERENCE``, bench/, or the shared bench folder."""
    named = os.environ.get("KOPS_BENCH_REFERENCE")
    candidates = [Path(named)] if named else list(REFERENCE_PLACES)
    return next((path for path in candidates if path.is_file()), None)


def timed(command: list[str], env: dict[str, str] | None = None) -> Timing:
    """Run a command to the end; its wall time and its own peak memory (wait4)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        print(stderr, file=sys.stderr)
        raise SystemExit(f"bench step failed: {' '.join(command[:6])} …")
    return Timing(
        seconds=seconds,
        peak_mb=round(usage.ru_maxrss / 1024),
        cpu=usage.ru_utime + usage.ru_stime,
        stderr=stderr,
    )


def kops_end_to_end(files: list[Path]) -> tuple[list[Timing], str]:
    """The three kops commands in a fresh workspace; their timings and the as-of date."""
    workspace = Path(tempfile.mkdtemp(prefix="kops-bench-")) / "ws"
    subprocess.run([*KOPS, "init", str(workspace)], check=True, capture_output=True)
    w = ["-w", str(workspace)]
    timings = [timed([*KOPS, "ingest", *w, *map(str, files)])]
    status = subprocess.run(
        [*KOPS, "status", *w, "--format", "json"], check=True, capture_output=True, text=True
    )
    as_of = str(json.loads(status.stdout)[-1]["as_of"])
    timings.append(timed([*KOPS, "segment", *w, "--list", "--format", "csv"]))
    timings.append(timed([*KOPS, "campaign", "eligible", CAMPAIGN, *w, "--all", "--format", "csv"]))
    return timings, as_of


def reference_run(script: Path, files: list[Path], as_of: str, meetings_encoding: str) -> Timing:
    out = Path(tempfile.mkdtemp(prefix="kops-ref-"))
    users, pairs, meetings = map(str, files)
    command = [sys.executable, str(script), users, pairs, meetings, str(out), as_of]
    return timed([*command, "--enc-users", "cp932", "--enc-meetings", meetings_encoding])


STEPS = ("ingest", "segment --list csv", "campaign eligible --all csv")
# The reference prints its stages: "ref: ingest 1.48 s, segment 0.39 s, eligible 0.35 s, …"
REFERENCE_STAGES = re.compile(r"ingest ([0-9.]+) s, segment ([0-9.]+) s, eligible ([0-9.]+) s")


def compare(files: list[Path], meetings_encoding: str, repeat: int) -> dict[str, object]:
    """Interleaved runs of kops and the reference; per command side by side, and end to
    end with the ratio kops / reference (min and median of ``repeat`` runs)."""
    script = reference_script()
    if script is None:
        raise SystemExit(
            "the polars reference (ref_polars.py) was not found; set KOPS_BENCH_REFERENCE"
        )
    steps = [Series(label) for label in STEPS]
    stages: list[list[float]] = [[], [], []]
    total, reference = Series("kops end to end"), Series("reference (polars)")
    as_of = ""
    for round_number in range(repeat):
        order = ("kops", "ref") if round_number % 2 == 0 else ("ref", "kops")
        for who in order:
            if who == "kops":
                timings, as_of = kops_end_to_end(files)
                for series, timing in zip(steps, timings, strict=True):
                    series.runs.append(timing)
                total.runs.append(
                    Timing(
                        sum(t.seconds for t in timings),
                        max(t.peak_mb for t in timings),
                        sum(t.cpu for t in timings),
                    )
                )
            else:
                if not as_of:  # the reference needs the as-of date kops implies
                    timings, as_of = kops_end_to_end(files)
                run = reference_run(script, files, as_of, meetings_encoding)
                reference.runs.append(run)
                found = REFERENCE_STAGES.search(run.stderr)
                for stage, seconds in zip(stages, found.groups() if found else (), strict=False):
                    stage.append(float(seconds))
    ratio = total.median / reference.median
    cpu_ratio = total.cpu_median / reference.cpu_median
    print(f"  {'':<30} {'kops (own process each)':<36} reference (one process)")
    print(
        f"  {'':<30} {'min':>7} {'median':>7} {'cpu':>7} {'peak':>8}   {'stage (in-process)':>18}"
    )
    for series, stage in zip(steps, stages, strict=True):
        shown = f"{statistics.median(stage):.2f} s" if stage else "-"
        print(
            f"  {series.label:<30} {series.min:6.2f}s {series.median:6.2f}s"
            f" {series.cpu_median:6.2f}s {series.peak_mb:>5} MB   {shown:>18}"
        )
    print(
        f"  {'end to end (whole processes)':<30} {total.min:6.2f}s {total.median:6.2f}s"
        f" {total.cpu_median:6.2f}s {total.peak_mb:>5} MB   "
        f"min {reference.min:.2f} s, median {reference.median:.2f} s,"
        f" cpu {reference.cpu_median:.2f} s, peak {reference.peak_mb} MB"
    )
    print(
        f"  ratio kops / reference, end to end: wall {ratio:.2f}x (goal ≤ 1.0x),"
        f" CPU {cpu_ratio:.2f}x",
        flush=True,
    )
    return {
        "meetings_encoding": meetings_encoding,
        "repeat": repeat,
        "steps": {
            series.label: {
                "min_s": round(series.min, 2),
                "median_s": round(series.median, 2),
                "cpu_s": round(series.cpu_median, 2),
                "peak_mb": series.peak_mb,
                "reference_stage_s": round(statistics.median(stage), 2) if stage else None,
            }
            for series, stage in zip(steps, stages, strict=True)
        },
        "kops_s": round(total.median, 2),
        "kops_min_s": round(total.min, 2),
        "reference_s": round(reference.median, 2),
        "reference_min_s": round(reference.min, 2),
        "ratio": round(ratio, 2),
        "kops_cpu_s": round(total.cpu_median, 2),
        "reference_cpu_s": round(reference.cpu_median, 2),
        "cpu_ratio": round(cpu_ratio, 2),
    }


def cp932_meetings(tenant: Path) -> Path:
    """The meetings file as Japanese Excel saves it (CP932), made once beside the original.
    Converted in a child process: a child's peak memory as Linux reports it starts from
    its parent's, so the bench itself stays small."""
    target = tenant / "meetings_cp932.csv"
    if not target.exists():
        convert = (
            "import sys; from pathlib import Path; "
            "Path(sys.argv[2]).write_bytes("
            "Path(sys.argv[1]).read_text(encoding='utf-8').encode('cp932'))"
        )
        source = tenant / "meetings.csv"
        subprocess.run([sys.executable, "-c", convert, str(source), str(target)], check=True)
    return target
