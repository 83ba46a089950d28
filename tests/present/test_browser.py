"""End to end in a real headless Chromium against ``newsloom serve`` in a subprocess.

Needs Debian's Chromium (``apt-get install -y chromium chromium-driver`` → /usr/bin/chromium) and the
``playwright`` Python package (``pip install playwright``; never ``playwright install``: the browser
comes from Debian). Screenshots of every page go to /tmp/newsloom-shots/.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixture_store import build_store

from newsloom.store import open_store

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/newsloom-shots")

pytestmark = pytest.mark.browser

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the browser comes from Debian)")
pytest.importorskip("fastapi", reason="the web app needs fastapi and uvicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(db: str, port: int) -> list[str]:
    """``newsloom serve``; ``python -m newsloom.present.web`` only while the CLI cannot be imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = subprocess.run([sys.executable, "-c", "import newsloom.cli"], env=env, capture_output=True, timeout=120)
    args = ["--db", db, "--port", str(port), "--summaries", "coverage", "--refresh", "1"]
    if probe.returncode == 0:
        return [sys.executable, "-m", "newsloom", "serve", *args]
    return [sys.executable, "-m", "newsloom.present.web", *args]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("browser")
    db = str(folder / "web.db")
    with open_store(db) as store:
        build_store(store)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(_command(db, port), cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {(folder / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base}/api/facets", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not start")
            time.sleep(0.2)
        yield base, db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    tab.problems = problems
    yield tab
    context.close()


def shot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


PAGES = [
    ("storylines", "/"), ("storyline", "/storylines/s-gas"), ("event", "/events/ev-gas"),
    ("event-folded", "/events/ev-flood"), ("event-xss", "/events/ev-xss"), ("events", "/events"),
    ("article", "/articles/uk-gas-1"), ("article-xss", "/articles/xss-1"), ("articles", "/articles"),
    ("entity", "/entities/e-ukraine"), ("entities", "/entities"), ("search", "/search?q=galati"),
    ("ingest", "/ingest"), ("api-docs", "/api/docs"), ("not-found", "/events/nope"),
]


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_every_page_renders_cleanly(server: tuple[str, str], page: Any, name: str, path: str) -> None:
    base, _ = server
    response = page.goto(base + path)
    assert response is not None and response.status == (404 if name == "not-found" else 200)
    assert page.locator("header.site-header").is_visible()
    shot(page, name)
    # No script ran from content, no CSP violation, no failed asset (the 404 page's own status aside).
    problems = [p for p in page.problems if "404" not in p]
    assert problems == [], problems
    assert page.evaluate("document.title").endswith("newsloom")


def test_click_through_storyline_event_article_entity(server: tuple[str, str], page: Any) -> None:
    base, _ = server
    page.goto(base + "/")
    page.get_by_role("link", name="Ukraine–Poland gas transit").click()
    page.wait_for_url("**/storylines/s-gas")
    page.locator("ol.list a.title").first.click()
    page.wait_for_url("**/events/ev-gas")
    assert page.locator("h1.headline").inner_text()
    assert page.locator("ol.summary li").count() >= 3
    page.locator("table.coverage a", has_text="Україна та Польща").click()
    page.wait_for_url("**/articles/uk-gas-1")
    page.locator("a.ent", has_text="Києві").click()
    page.wait_for_url("**/entities/e-kyiv")
    assert page.locator("h1").inner_text().startswith("Kyiv")
    assert "Kijowie" in page.content()
    page.get_by_role("link", name="Ukraine–Poland gas transit").first.click()
    page.wait_for_url("**/storylines/s-gas")
    assert page.problems == []


def test_timeline_dot_links_to_its_event(server: tuple[str, str], page: Any) -> None:
    base, _ = server
    page.goto(base + "/storylines/s-danube")
    page.locator('g.tl-event[data-event="ev-aid"] a').click()
    page.wait_for_url("**/events/ev-aid")
    assert "flood aid" in page.locator("h1").inner_text()


def test_removed_boilerplate_toggle(server: tuple[str, str], page: Any) -> None:
    base, _ = server
    page.goto(base + "/articles/en-flood-1")
    removed = page.locator("ul.removed-lines")
    assert not removed.is_visible()
    page.locator("details.removed-toggle summary").click()
    assert removed.is_visible() and "Read also" in removed.inner_text()


def test_search_from_the_header(server: tuple[str, str], page: Any) -> None:
    base, _ = server
    page.goto(base + "/events")
    page.locator("form.quicksearch input[name=q]").fill("galati")
    page.locator("form.quicksearch input[name=q]").press("Enter")
    page.wait_for_url("**/search?q=galati")
    assert page.locator("p.snippet mark").count() >= 5
    page.locator("select[name=lang]").select_option("de")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**lang=de**")
    assert page.locator("ul.list > li").count() == 2
    shot(page, "search-filtered")


def test_filters_on_the_home_page(server: tuple[str, str], page: Any) -> None:
    base, _ = server
    page.goto(base + "/")
    page.locator("input[name=since]").fill("2024-06-21")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**since=2024-06-21**")
    assert page.locator("section.storyline-card").count() == 1
    assert "gas transit" in page.locator("section.storyline-card h2").inner_text()


def test_upload_from_the_browser_lands_in_the_store(server: tuple[str, str], page: Any,
                                                      tmp_path: Path) -> None:
    base, db = server
    try:
        import newsloom.pipeline  # noqa: F401
    except Exception as exc:
        pytest.skip(f"the ingest pipeline does not import yet: {exc}")
    record = {"id": "browser-upload-1", "title": "Η στάθμη του Δούναβη υποχωρεί", "lang": "el",
              "source": "Browser Test", "published": "2024-07-04",
              "text": "Η στάθμη του Δούναβη υποχωρεί αργά. Οι κάτοικοι του Galați επιστρέφουν στα σπίτια τους."}
    upload = tmp_path / "browser.jsonl"
    upload.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    page.goto(base + "/ingest")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Ingest").click()
    # (wait_for_function would need 'unsafe-eval', which the Content-Security-Policy rightly refuses)
    sync_api.expect(page.locator("#job-state")).to_have_text("done", timeout=180_000)
    shot(page, "ingest-done")
    assert "1 new" in page.locator("#job-result").inner_text()
    with open_store(db) as store:
        stored = store.get_article("browser-upload-1")
    assert stored is not None and stored.title == record["title"]
    page.goto(base + "/articles/browser-upload-1")
    assert page.locator("h1").inner_text() == record["title"]
    assert page.problems == []


def test_small_screen(server: tuple[str, str], browser: Any) -> None:
    base, _ = server
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    tab = context.new_page()
    tab.goto(base + "/events/ev-gas")
    width = tab.evaluate("document.documentElement.scrollWidth")
    shot(tab, "event-mobile")
    context.close()
    assert width <= 400  # nothing forces sideways scrolling
