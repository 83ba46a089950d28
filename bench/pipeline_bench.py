"""Whole-pipeline benchmark on full-length articles: ingest → enrich → cluster.

Runs the ECB+ dev articles (gold fields stripped; full text, ~1,400 characters on average)
through the same phases as ``newsloom run``, in a fresh store, and reports articles per
second for each phase and for the whole, and the peak resident memory of the process tree.

Usage: python bench/pipeline_bench.py [--articles N] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import SHARED, PeakTreeMemory, write_section
from newsloom.model import SourceItem
from newsloom.pipeline import cluster_stored, enrich_stored, ingest
from newsloom.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=772, help="how many ECB+ articles (at most 772)")
    parser.add_argument("--no-write", action="store_true", help="print only, do not update RESULTS.md")
    args = parser.parse_args()
    rows = [json.loads(line) for line in (SHARED / "bench/data/ecbplus_dev.jsonl").read_text().splitlines()]
    items = [SourceItem(origin=f"ecb#{r['id']}", kind="text", id=r["id"], content=r["text"])
             for r in rows[: args.articles]]
    chars = sum(len(i.content) for i in items) / len(items)
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, PeakTreeMemory() as memory:
        store = open_store(str(Path(tmp) / "bench.db"))
        start = time.perf_counter()
        ingest([], store, items=items)
        seconds["ingest"] = time.perf_counter() - start
        start = time.perf_counter()
        enrich_stored(store)
        seconds["enrich"] = time.perf_counter() - start
        start = time.perf_counter()
        cluster_stored(store)
        seconds["cluster"] = time.perf_counter() - start
        events = len(store.list_events())
        store.close()
    n = len(items)
    total = sum(seconds.values())
    lines = [
        "## Whole pipeline on full-length articles",
        "",
        f"{n} ECB+ dev articles (mean {chars:.0f} characters), fresh SQLite store, `newsloom run`'s phases.",
        "",
        "| phase | seconds | articles/s |",
        "|---|---:|---:|",
        *(f"| {phase} | {s:.1f} | {n / s:.1f} |" for phase, s in seconds.items()),
        f"| **whole pipeline** | {total:.1f} | **{n / total:.1f}** |",
        "",
        f"Peak memory (all processes): {memory.peak_mb:.0f} MB. Events found: {events}. "
        "Goal: ≥ 10 articles/s on 2 cores, < 1.5 GB.",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        write_section("pipeline", report)


if __name__ == "__main__":
    main()
