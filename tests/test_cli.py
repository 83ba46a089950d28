"""End to end through the real command line, in a subprocess, as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def newsloom(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsloom", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    workdir = tmp_path_factory.mktemp("demo")
    result = newsloom("run", "--demo", "--json", cwd=workdir)
    return workdir, result


def test_run_demo(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["failed"] == 0
    assert summary["stored"] >= 40
    assert len(summary["languages"]) >= 6
    assert len(summary["outlets"]) >= 5
    assert sum(summary["removed_lines"].values()) > 0
    report = (workdir / "newsloom-report.html").read_text(encoding="utf-8")
    assert "<script" not in report.lower()
    assert report.count('<tr id="a-') == summary["stored"]
    assert (workdir / "newsloom.db").exists()


def test_rerun_demo_is_idempotent(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    workdir, first = demo_run
    again = newsloom("run", "--demo", "--json", "--no-report", cwd=workdir)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["stored"] == 0 and summary["updated"] == 0
    assert summary["unchanged"] == json.loads(first.stdout)["stored"]


def test_articles_show_export(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    workdir, _ = demo_run
    listed = newsloom("articles", "--lang", "de", "--json", cwd=workdir)
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows and all(r["lang"] == "de" for r in rows)

    exported = newsloom("export", "--format", "jsonl", cwd=workdir)
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    for field in ("id", "source", "outlet", "lang", "title", "text", "published", "published_source"):
        assert all(field in r for r in records), field
    with_removed = next(r for r in records if r["id"])
    shown = newsloom("show", with_removed["id"], "--removed", "--json", cwd=workdir)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == with_removed["id"]

    out = workdir / "out.csv"
    as_csv = newsloom("export", "--format", "csv", "-o", str(out), cwd=workdir)
    assert as_csv.returncode == 0, as_csv.stderr
    rows_csv = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows_csv) == len(records)

    missing = newsloom("show", "no-such-id", cwd=workdir)
    assert missing.returncode == 1 and "no article" in missing.stderr


def test_show_removed_lines_of_a_seed(tmp_path: Path, seeds_dir: Path) -> None:
    result = newsloom("run", str(seeds_dir), "--quiet", "--no-report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shown = newsloom("show", "004_0ea831a633983a4d", "--removed", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    text, _, removed = shown.stdout.partition("Removed by cleaning")
    assert "Vostochny" in text
    assert "READ Perù" in removed and "Perù" not in text


def test_bad_inputs_exit_1_and_name_each_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fine.txt").write_text("Fine headline\n\nThe ferry service resumed after the storm.\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "bad.json").write_text("[{")
    result = newsloom("run", str(folder), "--no-report", cwd=tmp_path)
    assert result.returncode == 1
    assert "empty.txt" in result.stdout + result.stderr
    assert "bad.json" in result.stdout + result.stderr
    assert "1 new" in result.stdout


def test_nothing_to_read_is_a_usage_error(tmp_path: Path) -> None:
    result = newsloom("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "nothing to read" in result.stderr


@pytest.mark.parametrize(
    "command", ["run", "articles", "show", "export", "report", "entities", "events", "storylines", "compare", "serve"]
)
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    result = newsloom(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_store_addresses_are_printed_without_passwords() -> None:
    from newsloom.cli import redact

    assert redact("postgresql://user:s3cr@t@db.example:5432/news") == "postgresql://user:***@db.example:5432/news"
    assert redact("postgresql://db.example/news") == "postgresql://db.example/news"
    assert redact("newsloom.db") == "newsloom.db"


def test_events_storylines_and_event_view(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    workdir, result = demo_run
    summary = json.loads(result.stdout)
    assert summary["events"] >= 10 and summary["storylines"] >= 5
    events = [json.loads(line) for line in newsloom("events", "--json", cwd=workdir).stdout.splitlines()]
    assert len(events) == summary["events"]
    biggest = max(events, key=lambda e: e["articles"])
    assert biggest["articles"] >= 3 and len(biggest["languages"]) >= 2 and biggest["first_date"]
    shown = newsloom("show", biggest["id"], "--json", cwd=workdir)
    assert shown.returncode == 0, shown.stderr
    view = json.loads(shown.stdout)
    assert sum(len(group["articles"]) for group in view["coverage"]) == biggest["articles"]
    stories = [json.loads(line) for line in newsloom("storylines", "--json", cwd=workdir).stdout.splitlines()]
    assert any(biggest["id"] in s["events"] for s in stories)
    for story in stories:  # events in date order
        firsts = [e["first_date"] for e in events if e["id"] in story["events"]]
        assert firsts == sorted(firsts, key=lambda d: d or "9999")
    exported = [json.loads(line) for line in newsloom("export", cwd=workdir).stdout.splitlines()]
    assert all(r.get("event") and r.get("story") for r in exported)


def test_events_of_a_storyline_that_redirects(tmp_path: Path) -> None:
    from newsloom.model import Event, Storyline
    from newsloom.store import open_store

    with open_store(str(tmp_path / "n.db")) as store:
        store.put_clustering([Event("e1", [], "Kim at Vostochny", storyline_id="s2")],
                             [Storyline("s2", ["e1"], "Kim"), Storyline("s1", [], merged_into="s2")], [])
    listed = newsloom("events", "--storyline", "s1", "--json", "--db", "n.db", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == ["e1"]


def test_compare_two_files_and_pairs(tmp_path: Path, seeds_dir: Path) -> None:
    same = newsloom("compare", str(seeds_dir / "000_721f38e0835637b1.txt"), str(seeds_dir / "003_0681e92d215846ee.txt"),
                    "--json", "--db", str(tmp_path / "none.db"), cwd=tmp_path)
    assert same.returncode == 0, same.stderr
    verdict = json.loads(same.stdout)
    assert 0.0 <= verdict["score"] <= 1.0
    shared = {name.replace("-", " ").lower() for name in verdict["shared_entities"]}
    assert {"vladimir putin", "kim jong un"} <= shared
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(json.dumps(p) for p in [
        {"pair_id": "p1", "text1": "The river Danube flooded Budapest on Monday, killing three people.",
         "text2": "A Duna áradása hétfőn Budapesten három ember halálát okozta.", "lang2": "hu"},
        {"pair_id": "p2", "text1": "The central bank raised interest rates by half a point.", "text2": ""},
    ]) + "\n")
    out = tmp_path / "scores.jsonl"
    scored = newsloom("compare", "--pairs", str(pairs), "-o", str(out), cwd=tmp_path)
    assert scored.returncode == 1  # the empty second text of p2 is reported as a failure
    rows = {r["pair_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert 0.0 <= rows["p1"]["score"] <= 1.0 and isinstance(rows["p1"]["same"], bool)
    assert rows["p2"]["score"] is None and rows["p2"]["error"]
