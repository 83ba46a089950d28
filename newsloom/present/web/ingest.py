"""Ingest from the browser: uploads to a fresh temp folder, then the pipeline in a background thread.

Uploaded files are written under names the server chooses (``upload-001.jsonl``); the client's
file name is kept only as text to show, and only its extension, when it is one the sources know,
is reused so the pipeline reads the file in the right format. The folder is removed when the run
ends. Jobs run one at a time; their progress is polled at ``/api/ingest/{id}``.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

#: Extensions the sources read; anything else is stored without one and sniffed.
KNOWN_SUFFIXES = (
    ".warc.gz", ".jsonl", ".ndjson", ".json", ".html", ".htm", ".xhtml", ".txt", ".text",
    ".xml", ".rss", ".atom", ".warc",
)
MAX_URLS = 500
CHUNK = 1 << 16


class TooLarge(Exception):
    """An upload went over the size limit."""


class BadInput(ValueError):
    """Something in the request cannot be ingested (the message says what)."""


@dataclass
class UploadedFile:
    name: str  # what the client called it: display only, never a path
    bytes: int


@dataclass
class IngestJob:
    id: str
    state: str = "queued"  # queued → running → done | failed
    created_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    stage: str = ""
    done: int = 0
    total: int | None = None
    files: list[UploadedFile] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    error: str | None = None


class _JobProgress:
    """The pipeline's ``Progress``, written into the job for the status endpoint."""

    def __init__(self, job: IngestJob) -> None:
        self._job = job

    def stage(self, name: str, total: int | None = None) -> None:
        self._job.stage, self._job.total, self._job.done = name, total, 0

    def advance(self, n: int = 1) -> None:
        self._job.done += n


class Runner(Protocol):
    """Runs the pipeline over ``inputs`` into the store at ``db``; returns the run summary."""

    def __call__(self, inputs: Sequence[str], db: str, progress: _JobProgress) -> dict[str, Any]: ...


def pipeline_runner(inputs: Sequence[str], db: str, progress: _JobProgress) -> dict[str, Any]:
    """The real pipeline (``newsloom.pipeline.ingest``) on its own store connection."""
    from newsloom.pipeline import RunOptions, ingest
    from newsloom.store import open_store

    with open_store(db) as store:
        summary = ingest(list(inputs), store, RunOptions(), progress=progress, command="web ingest")
    return summary.to_dict()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def safe_suffix(client_name: str | None) -> str:
    """The known extension of a client's file name, or "" (the file is then sniffed)."""
    name = (client_name or "").lower().strip()
    return next((s for s in KNOWN_SUFFIXES if name.endswith(s)), "")


def display_name(client_name: str | None) -> str:
    """The client's file name reduced to a short label (no folders, no control characters)."""
    base = (client_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable())
    return base[:200] or "unnamed"


def check_urls(lines: Iterable[str]) -> list[str]:
    """http(s) URLs from the pasted text (blank lines and # comments skipped); raises ``BadInput``."""
    urls: list[str] = []
    for raw in lines:
        url = raw.strip()
        if not url or url.startswith("#"):
            continue
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > 2000:
            raise BadInput(f"not an http(s) URL: {url[:200]}")
        if url not in urls:
            urls.append(url)
    if len(urls) > MAX_URLS:
        raise BadInput(f"at most {MAX_URLS} URLs at once (got {len(urls)})")
    return urls


def save_uploads(
    files: Sequence[tuple[str | None, BinaryIO]], max_bytes: int
) -> tuple[Path, list[Path], list[UploadedFile]]:
    """Copy uploads into a fresh temp folder under server-chosen names; raises ``TooLarge``."""
    folder = Path(tempfile.mkdtemp(prefix="newsloom-upload-"))
    paths: list[Path] = []
    shown: list[UploadedFile] = []
    total = 0
    try:
        for index, (client_name, stream) in enumerate(files, start=1):
            target = folder / f"upload-{index:03d}{safe_suffix(client_name)}"
            size = 0
            with target.open("xb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if total > max_bytes:
                        raise TooLarge(f"the upload is larger than {max_bytes} bytes")
                    out.write(chunk)
            paths.append(target)
            shown.append(UploadedFile(display_name(client_name), size))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, paths, shown


class IngestManager:
    """Queues ingest jobs and runs them one at a time in a background thread."""

    def __init__(
        self,
        db: str,
        *,
        runner: Runner | None = None,
        on_done: Callable[[], None] | None = None,
        keep: int = 100,
    ) -> None:
        self.db = db
        self._runner: Runner = runner or pipeline_runner
        self._on_done = on_done
        self._keep = keep
        self._jobs: OrderedDict[str, IngestJob] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsloom-ingest")

    def submit(self, folder: Path | None, paths: Sequence[Path], shown: Sequence[UploadedFile],
               urls: Sequence[str]) -> IngestJob:
        job = IngestJob(id=uuid.uuid4().hex[:12], created_at=_now(), files=list(shown), urls=list(urls))
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                self._jobs.popitem(last=False)
        inputs = [str(p) for p in paths] + list(urls)
        self._pool.submit(self._run, job, folder, inputs)
        return job

    def _run(self, job: IngestJob, folder: Path | None, inputs: list[str]) -> None:
        job.state, job.started_at = "running", _now()
        started = time.perf_counter()
        state, summary, error = "failed", None, None
        try:
            summary = self._runner(inputs, self.db, _JobProgress(job))
            if self._on_done is not None:  # fresh lists before anyone is told it is done
                job.stage = "refreshing"
                try:
                    self._on_done()
                except Exception:
                    log.exception("refreshing after ingest %s failed", job.id)
            state = "done"
        except ImportError as exc:
            error = f"the ingest pipeline is not available in this install: {exc}"
            log.error("ingest %s: %s", job.id, error)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("ingest %s failed", job.id)
        finally:
            if folder is not None:  # gone before the job says it has ended
                shutil.rmtree(folder, ignore_errors=True)
            job.summary, job.error = summary, error
            job.finished_at = _now()
            job.stage = "finished"
            job.state = state
            log.info("ingest %s %s in %.1f s", job.id, job.state, time.perf_counter() - started)

    def get(self, job_id: str) -> IngestJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def recent(self, n: int = 10) -> list[IngestJob]:
        with self._lock:
            return list(reversed(self._jobs.values()))[:n]

    def shutdown(self, timeout: float = 30.0) -> None:
        """Drop queued jobs and wait up to ``timeout`` seconds for the running one."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + timeout
        for thread in list(getattr(self._pool, "_threads", ())):
            thread.join(max(0.0, deadline - time.monotonic()))
