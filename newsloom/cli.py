"""The ``newsloom`` command: a thin shell over the library."""

from __future__ import annotations

import json
import logging
import re
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
from newsloom.pipeline import RunOptions, RunSummary, enrich_stored, ingest
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


def redact(address: str) -> str:
    """A store address fit to print: any password in it replaced by ***."""
    return re.sub(r"(://[^:/@]+:)[^/]*@", r"\1***@", address)


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
            bar = _Bar(progress)
            summary = ingest(inputs, store, options, progress=bar, command=" ".join(sys.argv[1:]))
            summary.extra["enriched"] = enrich_stored(store, progress=bar)
            summary.extra["entities"] = len(store.list_entities())
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
    if summary.extra.get("enriched"):
        out.print(
            f"Understood {summary.extra['enriched']} articles: entities, quotes, key phrases, dates, vectors; "
            f"{summary.extra['entities']} canonical entities in the store"
        )
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
        _print_enrichment(record)
        out.print()
        out.print(article.text, markup=False, highlight=False, soft_wrap=True)
        if removed:
            out.print()
            out.print(f"[bold]Removed by cleaning ({len(article.removed)} lines)[/bold]")
            for r in article.removed:
                out.print(f"  [{r.reason}] {r.line}", markup=False, highlight=False, soft_wrap=True)


def _print_enrichment(record: dict[str, Any]) -> None:
    if "entities" not in record:
        out.print("[dim]not enriched yet[/dim]")
        return
    estimate = record["date_estimate"]
    if estimate and estimate["date"]:
        out.print(
            f"[dim]date from content:[/dim] {estimate['date']} (confidence {estimate['confidence']:.2f}; "
            f"{'; '.join(estimate['evidence'][:3])})", highlight=False, markup=True, soft_wrap=True,
        )
    if record["keyphrases"]:
        out.print(f"[dim]key phrases:[/dim] {', '.join(record['keyphrases'])}", highlight=False, soft_wrap=True)
    if record["entities"]:
        out.print("[dim]entities:[/dim]")
        for e in record["entities"]:
            surface = ", ".join(s for s in e["surface"] if s != e["name"])
            out.print(
                f"  {e['type']:<4} {e['name']}" + (f"  ← {surface}" if surface else "") + f"  ×{e['count']}",
                markup=False, highlight=False, soft_wrap=True,
            )
    if record["quotes"]:
        out.print("[dim]quotes:[/dim]")
        for q in record["quotes"]:
            out.print(f"  {q['speaker'] or 'unknown'}: “{q['text']}”", markup=False, highlight=False, soft_wrap=True)


@app.command()
def entities(
    db: str = DB_OPTION,
    type: str | None = typer.Option(None, "--type", help="Only PER, ORG, LOC or MISC."),
    query: str | None = typer.Option(None, "--query", "-q", help="Name or alias contains this."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line."),
) -> None:
    """List canonical entities with their counts, types and the languages they were named in."""
    with _open(db) as store:
        found = store.list_entities(type=type.upper() if type else None, query=query, limit=limit)
        if as_json:
            for e in found:
                sys.stdout.write(json.dumps(
                    {"id": e.id, "name": e.name, "type": e.type, "articles": e.article_count,
                     "mentions": e.mention_count, "aliases": e.aliases}, ensure_ascii=False) + "\n")
            return
        table = Table(show_edge=False)
        for column in ("name", "type", "articles", "mentions", "languages", "aliases"):
            table.add_column(column, overflow="fold", justify="right" if column in ("articles", "mentions") else "left")
        for e in found:
            aliases = sorted({a for forms in e.aliases.values() for a in forms} - {e.name})
            table.add_row(e.name, e.type, str(e.article_count), str(e.mention_count), " ".join(sorted(e.aliases)),
                          ", ".join(aliases[:8]) + (" …" if len(aliases) > 8 else ""))
        out.print(table)


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


@app.command()
def serve(
    db: str = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (localhost only by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    token: str | None = typer.Option(
        None, "--token", envvar="NEWSLOOM_TOKEN",
        help="Bearer token for ingest; required to ingest when --host is not a loopback address.",
    ),
    max_upload_mb: float = typer.Option(50.0, "--max-upload-mb", min=0.001, help="Largest request body (upload)."),
    summaries: str = typer.Option(
        "embed", "--summaries", help="Event summaries: embed (sentence embeddings, computed in the background) "
        "or coverage (entities and key phrases only)."
    ),
    refresh: float = typer.Option(10.0, "--refresh", min=0, help="Seconds between checks for store changes."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every request."),
) -> None:
    """Serve the storylines, events, articles, entities, search, ingest and the HTTP API (/api/docs)."""
    if summaries not in ("embed", "coverage"):
        err.print(f"[red]error:[/red] unknown --summaries {summaries!r}: use embed or coverage")
        raise typer.Exit(2)
    _setup_logging(False, verbose)
    try:
        from newsloom.present.web.app import WebConfig
        from newsloom.present.web.server import run_server
    except ImportError as exc:
        err.print(f"[red]error:[/red] the web app needs fastapi and uvicorn: {exc}")
        raise typer.Exit(2) from exc
    _open(db).close()  # fail early, with the usual message, on a store that cannot be opened
    config = WebConfig(
        db=db, host=host, port=port, token=token or None, max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        summaries="embed" if summaries == "embed" else "coverage", refresh_seconds=refresh,
    )
    err.print(f"newsloom serving {redact(db)} on http://{'[' + host + ']' if ':' in host else host}:{port}/")
    run_server(config, log_level="info" if verbose else "warning")


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
