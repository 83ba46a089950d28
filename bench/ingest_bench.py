"""Ingest benchmark: articles per second and peak memory for plain text, HTML and JSONL.

Each case runs in a fresh subprocess over a fresh store; peak memory is the resident memory of
that process and its worker processes together:
- text:  ECB+ dev articles written out as .txt files, plus the demo corpus' text files
- jsonl: ECB+ dev articles as one JSONL file (gold fields stripped)
- html:  the 150 real pages in ../shared/bench/html, and trafilatura alone on the same pages

Usage: python bench/ingest_bench.py [--repeat N] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import SHARED, write_section

GOLD_FIELDS = {"event", "story", "overall", "narrative"}


def prepare(workdir: Path, repeat: int) -> dict[str, Path]:
    """Write the inputs of each case under ``workdir``; gold fields never reach them."""
    records = [
        {k: v for k, v in json.loads(line).items() if k not in GOLD_FIELDS}
        for line in (SHARED / "bench/data/ecbplus_dev.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    text_dir = workdir / "text"
    text_dir.mkdir()
    jsonl = workdir / "ecb.jsonl"
    with jsonl.open("w", encoding="utf-8") as out:
        for copy in range(repeat):
            for r in records:
                body = r["text"]
                title = body.split("\n", 1)[0][:120]
                (text_dir / f"{r['id']}-{copy}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
                out.write(json.dumps({"id": f"{r['id']}-{copy}", "title": title, "text": body}) + "\n")
    html_dir = workdir / "html"
    html_dir.mkdir()
    for page in sorted((SHARED / "bench/html").glob("*.html")):  # the pages only, not their README
        (html_dir / page.name).write_bytes(page.read_bytes())
    return {"text": text_dir, "jsonl": jsonl, "html": html_dir}


def run_case(case: str, path: Path) -> dict[str, float]:
    """Run one case in a child process and return its counts, seconds and peak memory."""
    code = (
        "import json,sys,time;from newsloom.pipeline import ingest;from newsloom.store import open_store\n"
        "from bench.results import PeakTreeMemory\n"
        f"store=open_store({str(path.parent / (case + '.db'))!r})\n"
        "with PeakTreeMemory() as mem:\n"
        f"    t=time.perf_counter();s=ingest([{str(path)!r}],store);dt=time.perf_counter()-t\n"
        "print(json.dumps({'articles':s.stored,'failed':len(s.failures),'seconds':dt,'peak_mb':mem.peak_mb}))"
    )
    return _child(code)


def run_trafilatura_alone(path: Path) -> dict[str, float]:
    code = (
        "import json,time,pathlib,trafilatura\n"
        f"pages=[p.read_bytes() for p in sorted(pathlib.Path({str(path)!r}).glob('*.html'))]\n"
        "t=time.perf_counter();n=0\n"
        "for p in pages:\n"
        "    d=trafilatura.bare_extraction(p,with_metadata=True,include_comments=False)\n"
        "    n+=d is not None\n"
        "dt=time.perf_counter()-t;import resource;peak=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024\n"
        "print(json.dumps({'articles':n,'failed':len(pages)-n,'seconds':dt,'peak_mb':peak}))"
    )
    return _child(code)


def _child(code: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; it prints one JSON line with its own peak memory."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="copies of ECB+ (772 articles each)")
    parser.add_argument("--no-write", action="store_true", help="print only, do not update RESULTS.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = prepare(Path(tmp), args.repeat)
        for case in ("text", "jsonl", "html"):
            r = run_case(case, paths[case])
            rows.append((case, r))
            print(case, r, flush=True)
        alone = run_trafilatura_alone(paths["html"])
        print("trafilatura alone", alone, flush=True)
    html = dict(rows)["html"]
    lines = [
        "## Ingest (read → extract/clean → language → date → store)",
        "",
        "| input | articles | failed | articles/s | peak memory |",
        "|---|---:|---:|---:|---:|",
    ]
    for case, r in rows:
        lines.append(f"| {case} | {r['articles']:.0f} | {r['failed']:.0f} | {r['articles'] / r['seconds']:.1f} "
                     f"| {r['peak_mb']:.0f} MB |")
    lines.append(f"| trafilatura alone, same HTML pages | {alone['articles']:.0f} | {alone['failed']:.0f} "
                 f"| {alone['articles'] / alone['seconds']:.1f} | {alone['peak_mb']:.0f} MB |")
    ratio = (html["seconds"] / max(html["articles"], 1)) / (alone["seconds"] / max(alone["articles"], 1))
    lines += ["", f"HTML: newsloom's whole ingest costs {ratio:.2f}× trafilatura's extraction alone per page.",
              f"Text and JSONL inputs are {args.repeat} copies of the 772 ECB+ dev articles; HTML is the 150 pages "
              "of ../shared/bench/html. Goal: ≥ 200 plain-text articles/s on 2 cores."]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        write_section("ingest", report)


if __name__ == "__main__":
    main()
