"""Streaming latency: a generator drops RATE articles/s into a folder that `newsloom watch` polls.

    python bench/stream_bench.py [--rate 10] [--seconds 60] [--interval 1] [--workdir DIR]

Texts are ECB+ dev documents (id and text only). Files are written atomically (a hidden temp
file renamed into place), so the watcher never reads half a file. At the end the watcher gets
SIGTERM (it finishes its cycle) and `newsloom stats --json` is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path("/work/shared/bench/data/ecbplus_dev.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="stream-bench-"))
    inbox, db = work / "inbox", work / "bench.db"
    inbox.mkdir(parents=True, exist_ok=True)
    docs = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    watcher = subprocess.Popen(
        [sys.executable, "-m", "newsloom", "watch", str(inbox), "--db", str(db), "--interval", str(args.interval)],
        stderr=open(work / "watch.log", "w"),  # noqa: SIM115
    )
    time.sleep(8)  # let the watcher load its models on an empty folder first
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
    time.sleep(args.interval * 3 + 10)  # let the last arrivals through
    watcher.send_signal(signal.SIGTERM)
    watcher.wait(timeout=300)
    print(f"watcher exit status {watcher.returncode}; log in {work / 'watch.log'}", file=sys.stderr)
    stats = subprocess.run(
        [sys.executable, "-m", "newsloom", "stats", "--db", str(db), "--json"], capture_output=True, text=True
    )
    print(stats.stdout)


if __name__ == "__main__":
    main()
