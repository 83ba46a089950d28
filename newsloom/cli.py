"""The ``newsloom`` command: a thin shell over the library."""

from __future__ import annotations

import json
import logging
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from newsloom import __version__
from newsloom.errors import NewsloomError
from newsloom.pipeline import RunOptions, RunSummary, ingest
from newsloom.present import export as export_mod
from newsloom.present.report import write_report
from newsloom.store import ArticleFilter, Store, open_store

app = typer.Typer(
    name="newsloom",
    help="Turn news articles in any language into events, storylines and who said what.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console()
err = Console(stderr=True)
log = logging.getLogger("newsloom")

DB_OPTION = typer.Option("newsloom.db", "--db", help="Store: a SQLite file, or postgresql://…", envvar="NEWSLOOM_DB")


def _setup_logging(quiet: bool, verbose: bool = False) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    logging.basicConfig(level=logging.WARNING, handlers=[handler], format="%(message)s", force=True)
    logging.getLogger("newsloom").setLevel(level)


def _open(db: str) -> Store:
    try:
        return open_store(db)
    except NewsloomError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


class _Bar:
    """The pipeline's progress, drawn as a rich progress bar on stderr."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: Any = None

    def stage(self, name: str, total: int | None = None) -> None:
        if self._task is not None:
            self._progress.update(self._task, visible=False)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)


def demo_corpus() -> Path:
    """The folder of the demo corpus shipped inside the package."""
    return Path(str(resources.files("newsloom") / "demo" / "corpus"))


@app.command()
def run(
    paths: list[str] = typer.Argument(None, help="Files, folders (searched recursively), feed or page URLs."),
    db: str = DB_OPTION,
    urls: Path | None = typer.Option(None, "--urls", help="A file with one URL a line to fetch."),
    demo: bool = typer.Option(False, "--demo", help="Run on the demo corpus shipped with newsloom."),
    report: Path = typer.Option(Path("newsloom-report.html"), "--report", help="Where to write the HTML report."),
    no_report: bool = typer.Option(False, "--no-report", help="Do not write the HTML report."),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow fetching from private and loopback addresses."
    ),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Articles written per transaction."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors and the final counts."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every step."),
) -> None:
    """Ingest, clean and store articles, then print a summary and write the report.

    Exits with status 1 when any input failed; everything else is still processed and stored.
    """
    _setup_logging(quiet or as_json, verbose)
    inputs = list(paths or [])
    if demo:
        inputs.append(str(demo_corpus()))
    if not inputs and urls is None:
        err.print("[red]error:[/red] nothing to read: give files, folders or URLs, --urls FILE, or --demo")
        raise typer.Exit(2)
    options = RunOptions(batch_size=batch_size, urls_file=str(urls) if urls else None)
    options.fetch.allow_private = allow_private
    with _open(db) as store:
        progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err, transient=True, disable=quiet or as_json,
        )
        with progress:
            summary = ingest(inputs, store, options, progress=_Bar(progress), command=" ".join(sys.argv[1:]))
        if not no_report:
            write_report(store, report)
            summary.extra["report"] = str(report)
        if as_json:
            out.print_json(data=summary.to_dict())
        else:
            _print_summary(summary, store, quiet)
    if not summary.ok:
        raise typer.Exit(1)


def _print_summary(summary: RunSummary, store: Store, quiet: bool) -> None:
    total = store.count_articles()
    line = (
        f"{summary.stored} new, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{len(summary.failures)} failed; {total} articles in the store"
    )
    if quiet:
        out.print(line)
        return
    out.print(f"[bold]newsloom[/bold] run {summary.run_id}: {line}")
    if summary.languages or summary.outlets:
        table = Table(title="Processed in this run", show_edge=False)
        table.add_column("language")
        table.add_column("articles", justify="right")
        table.add_column("outlet")
        table.add_column("articles", justify="right")
        langs = summary.languages.most_common()
        outlets = summary.outlets.most_common()
        for i in range(max(len(langs), len(outlets))):
            lang, n_lang = langs[i] if i < len(langs) else ("", "")
            outlet, n_out = outlets[i] if i < len(outlets) else ("", "")
            table.add_row(lang, str(n_lang), outlet, str(n_out))
        out.print(table)
    if summary.removed:
        removed = ", ".join(f"{reason} {n}" for reason, n in summary.removed.most_common())
        out.print(f"Cleaning removed {sum(summary.removed.values())} lines: {removed}")
    if summary.dated:
        dated = ", ".join(f"{source} {n}" for source, n in summary.dated.most_common())
        out.print(f"Publication dates from: {dated}")
    for failure in summary.failures:
        out.print(f"[red]failed[/red] {failure.origin}: {failure.reason}")
    if "report" in summary.extra:
        out.print(f"Report: {summary.extra['report']}")


@app.command()
def articles(
    db: str = DB_OPTION,
    lang: str | None = typer.Option(None, "--lang", help="Only this language (ISO 639-1)."),
    outlet: str | None = typer.Option(None, "--outlet", help="Only this outlet."),
    since: str | None = typer.Option(None, "--since", help="Published on or after this date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Published on or before this date (YYYY-MM-DD)."),
    limit: int = typer.Option(100, "--limit", min=1, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line."),
) -> None:
    """List stored articles, oldest first, with filters."""
    where = ArticleFilter(lang=lang, outlet=outlet, since=since, until=until)
    with _open(db) as store:
        found = list(store.iter_articles(where, limit=limit))
        if as_json:
            for a in found:
                sys.stdout.write(json.dumps(
                    {"id": a.id, "outlet": a.outlet, "lang": a.lang, "published": a.published, "title": a.title},
                    ensure_ascii=False) + "\n")
            return
        table = Table(show_edge=False)
        for column in ("id", "published", "lang", "outlet", "title"):
            table.add_column(column, overflow="fold" if column == "title" else "ellipsis")
        for a in found:
            table.add_row(a.id, (a.published or "")[:10], a.lang or "", a.outlet or "", a.title)
        out.print(table)
        out.print(f"{len(found)} of {store.count_articles(where)} articles")


@app.command()
def show(
    article_id: str = typer.Argument(..., help="The article's id."),
    db: str = DB_OPTION,
    removed: bool = typer.Option(False, "--removed", help="Also show the lines cleaning removed, with why."),
    as_json: bool = typer.Option(False, "--json", help="Print the article as JSON."),
) -> None:
    """Show one article: metadata, cleaned text and, on request, what cleaning removed."""
    with _open(db) as store:
        article = store.get_article(article_id)
        if article is None:
            err.print(f"[red]error:[/red] no article with id {article_id!r}")
            raise typer.Exit(1)
        record = export_mod.article_record(store, article)
        if removed:
            record["removed"] = [{"line": r.line, "reason": r.reason} for r in article.removed]
        if as_json:
            sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
            return
        out.print(f"[bold]{article.title}[/bold]", markup=True, highlight=False)
        meta = [
            ("id", article.id), ("outlet", article.outlet), ("language", article.lang),
            ("published", f"{article.published} (from {article.published_source})" if article.published else None),
            ("url", article.url), ("source", article.origin), ("status", article.status),
        ]
        for key, value in meta:
            if value:
                out.print(f"[dim]{key}:[/dim] {value}", highlight=False)
        out.print()
        out.print(article.text, markup=False, highlight=False, soft_wrap=True)
        if removed:
            out.print()
            out.print(f"[bold]Removed by cleaning ({len(article.removed)} lines)[/bold]")
            for r in article.removed:
                out.print(f"  [{r.reason}] {r.line}", markup=False, highlight=False, soft_wrap=True)


@app.command("export")
def export_cmd(
    db: str = DB_OPTION,
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl or csv."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
) -> None:
    """Write one record per article (id, source, outlet, lang, title, text, published, …)."""
    if fmt not in ("jsonl", "csv"):
        err.print(f"[red]error:[/red] unknown format {fmt!r}: use jsonl or csv")
        raise typer.Exit(2)
    with _open(db) as store:
        if output is None:
            count = export_mod.export(store, fmt, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = export_mod.export(store, fmt, handle)
            err.print(f"wrote {count} articles to {output}")


@app.command()
def report(
    db: str = DB_OPTION,
    output: Path = typer.Option(Path("newsloom-report.html"), "--output", "-o", help="The HTML file to write."),
) -> None:
    """Write everything in the store as one self-contained HTML file to share."""
    with _open(db) as store:
        write_report(store, output)
    err.print(f"wrote {output}")


def _version(value: bool) -> None:
    if value:
        out.print(f"newsloom {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Turn news articles in any language into events, storylines and who said what."""


if __name__ == "__main__":  # pragma: no cover
    app()
