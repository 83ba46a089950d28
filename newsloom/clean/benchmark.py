"""Measure the clean stage on a folder of saved pages, against trafilatura alone.

    python -m newsloom.clean.benchmark [FOLDER] [--rounds N]

FOLDER defaults to ``../shared/bench/html``. Prints how many pages yield at least 200
characters of text, milliseconds per page for :func:`newsloom.clean.extract` and for
``trafilatura.bare_extraction`` alone (same parameters; median of the rounds, interleaved),
and how many lines each reason code removed.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from newsloom.clean import extract
from newsloom.clean.html import DATE_PARAMS
from newsloom.errors import InputError
from newsloom.model import SourceItem


def _trafilatura_alone(html: str) -> object:
    return trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, date_extraction_params=DATE_PARAMS
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "folder", nargs="?", default=str(Path(__file__).resolve().parents[2].parent / "shared/bench/html")
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura logs every page it finds too short

    pages = [p.read_bytes().decode("utf-8", errors="replace") for p in sorted(Path(args.folder).glob("*.html"))]
    if not pages:
        raise SystemExit(f"no *.html in {args.folder}")
    items = [SourceItem(origin=str(i), kind="html", content=page) for i, page in enumerate(pages)]

    with_text, failures, reasons = 0, 0, Counter[str]()
    for item in items:
        try:
            result = extract(item)
        except InputError:
            failures += 1
            continue
        with_text += len(result.text) >= 200
        reasons.update(r.reason for r in result.removed)

    def ours(html: str) -> object:
        try:
            return extract(SourceItem(origin="x", kind="html", content=html))
        except InputError:
            return None

    runs: dict[str, list[float]] = {"extract": [], "trafilatura": []}
    timed: dict[str, Callable[[str], object]] = {"extract": ours, "trafilatura": _trafilatura_alone}
    for _ in range(args.rounds):
        for name, fn in timed.items():
            start = time.perf_counter()
            for page in pages:
                fn(page)
            runs[name].append((time.perf_counter() - start) / len(pages) * 1000)

    print(
        f"pages: {len(pages)}; text >= 200 chars: {with_text} ({100 * with_text / len(pages):.1f} %); "
        f"InputError: {failures}"
    )
    for name, values in runs.items():
        print(f"{name}: {statistics.median(values):.1f} ms/page (rounds: {', '.join(f'{v:.1f}' for v in values)})")
    print("removed lines by reason:", dict(reasons.most_common()))


if __name__ == "__main__":
    main()
