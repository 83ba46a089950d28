"""Remake the screenshots in docs/screenshots/ from the demo corpus.

    python scripts/screenshots.py                       # demo corpus → temp store → serve → shoot
    python scripts/screenshots.py --db /tmp/x.db        # shoot an existing store instead
    python scripts/screenshots.py --chromium /usr/bin/chromium --out docs/screenshots

It runs ``newsloom run --demo`` into a temporary store (unless ``--db`` names one), starts
``newsloom serve`` on a free loopback port, and takes the pages with Playwright's Chromium
(Debian's ``/usr/bin/chromium`` by default; ``--chromium ''`` uses Playwright's own). Pages:
storylines (home), one storyline, the largest event, a Greek article, the most cited entity, and
a search with an unaccented Greek query. Look at every PNG after remaking them.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get_json(base: str, path: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _wait(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"newsloom serve exited with {server.returncode}")
        try:
            _get_json(base, "/api/facets")
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("newsloom serve did not answer in time")


def pages(base: str) -> list[tuple[str, str, str]]:
    """(file name, path, what it shows) for every screenshot, chosen from the store's content."""
    stories = _get_json(base, "/api/storylines?limit=50")["items"]
    story = max(stories, key=lambda s: (s["events"], s["articles"], s["id"]))
    events = _get_json(base, "/api/events?limit=100")["items"]
    event = max(events, key=lambda e: (e["articles"], len(e["languages"]), e["id"]))
    articles = _get_json(base, "/api/articles?lang=el&limit=5")["items"] or _get_json(base, "/api/articles?limit=1")[
        "items"
    ]
    entity = _get_json(base, "/api/entities?limit=1")["items"][0]
    return [
        ("demo-storylines.png", "/", "storylines of the demo corpus, with timelines"),
        ("storylines.png", f"/storylines/{story['id']}", "one storyline, its events in date order"),
        ("event.png", f"/events/{event['id']}", "the largest event: summary, coverage, quotes, entities"),
        ("article.png", f"/articles/{articles[0]['id']}", "a Greek article, entities linked"),
        ("entity.png", f"/entities/{entity['id']}", "the most cited entity: names per language, articles"),
        ("search.png", "/search?q=πλημμυρες δουναβη", "search: an unaccented Greek query finds accented text"),
    ]


def shoot(base: str, out: Path, chromium: str, width: int, height: int) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium or None, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            for name, path, what in pages(base):
                page.goto(base + path, wait_until="networkidle")
                target = out / name
                page.screenshot(path=str(target), full_page=False)
                print(f"{target}: {path} ({what})")
                made.append(target)
        finally:
            browser.close()
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="an existing store to shoot (default: the demo corpus in a temp store)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium executable ('' for Playwright's)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    newsloom = [sys.executable, "-m", "newsloom"] if not args.db else []
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "demo.db")
        if not args.db:
            report = str(Path(tmp) / "report.html")
            subprocess.run([*newsloom, "run", "--demo", "--db", db, "--quiet", "--report", report],
                           check=True, env=env, cwd=tmp)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([sys.executable, "-m", "newsloom", "serve", "--db", db, "--port", str(port)],
                                  env=env, cwd=tmp)
        try:
            _wait(base, server)
            shoot(base, Path(args.out), args.chromium, args.width, args.height)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
