"""Files and folders: formats by extension and by content, walking, size cap, OS errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsloom.model import SourceFailure, SourceItem
from newsloom.sources import iter_inputs
from newsloom.sources.files import human_size, too_large

Result = SourceItem | SourceFailure


def run(*paths: Path | str, **kwargs: object) -> list[Result]:
    return list(iter_inputs([str(p) for p in paths], **kwargs))  # type: ignore[arg-type]


def items(results: list[Result]) -> list[SourceItem]:
    return [r for r in results if isinstance(r, SourceItem)]


def failures(results: list[Result]) -> list[SourceFailure]:
    return [r for r in results if isinstance(r, SourceFailure)]


def test_txt_file_is_a_text_item_named_by_stem_grouped_by_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ziarul"
    folder.mkdir()
    (folder / "story-17.txt").write_text("Guvernul a aprobat bugetul.\n", encoding="utf-8")
    [item] = run(folder / "story-17.txt")
    assert item == SourceItem(
        origin=str(folder / "story-17.txt"),
        kind="text",
        content="Guvernul a aprobat bugetul.\n",
        id="story-17",
        group=str(folder),
    )


@pytest.mark.parametrize("suffix", [".html", ".htm", ".HTML"])
def test_html_files_are_html_items(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"page{suffix}"
    path.write_text("<html><body><p>Hello</p></body></html>", encoding="utf-8")
    [item] = run(path)
    assert isinstance(item, SourceItem)
    assert (item.kind, item.id, item.group) == ("html", "page", str(tmp_path))
    assert "<p>Hello</p>" in item.content


def test_walk_is_recursive_sorted_and_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "inner.txt").write_text("inner", encoding="utf-8")
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "c.html").write_text("<p>c</p>", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_text("ref", encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    results = run(tmp_path)
    assert [r.origin for r in results] == [
        str(tmp_path / "a.txt"),
        str(tmp_path / "b" / "inner.txt"),
        str(tmp_path / "c.html"),
    ]
    assert all(isinstance(r, SourceItem) for r in results)
    assert results[1].group == str(tmp_path / "b")  # type: ignore[union-attr]


def test_unsupported_file_named_explicitly_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7")
    assert run(path) == [SourceFailure(str(path), "unsupported file type '.pdf'")]


def test_hidden_file_named_explicitly_is_read(tmp_path: Path) -> None:
    path = tmp_path / ".draft.txt"
    path.write_text("draft", encoding="utf-8")
    [item] = run(path)
    assert isinstance(item, SourceItem) and item.content == "draft"


def test_missing_path_is_a_failure_with_the_os_reason(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    assert run(missing) == [SourceFailure(str(missing), "No such file or directory")]


def test_failures_do_not_stop_the_other_inputs(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("fine", encoding="utf-8")
    results = run(tmp_path / "missing.txt", good)
    assert isinstance(results[0], SourceFailure)
    assert isinstance(results[1], SourceItem) and results[1].content == "fine"


def test_directory_where_a_file_is_expected(tmp_path: Path) -> None:
    folder = tmp_path / "urls.txt"
    folder.mkdir()
    assert run(urls_file=str(folder)) == [SourceFailure(str(folder), "Is a directory")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x", encoding="utf-8")
    path.chmod(0)
    try:
        assert run(path) == [SourceFailure(str(path), "Permission denied")]
    finally:
        path.chmod(0o644)


def test_unreadable_file_when_root_is_still_read(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root ignores the mode")
    path = tmp_path / "secret.txt"
    path.write_text("readable by root", encoding="utf-8")
    path.chmod(0)
    [item] = run(path)
    assert isinstance(item, SourceItem) and item.content == "readable by root"


def test_directory_loop_is_reported_once_and_the_walk_goes_on(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "story.txt").write_text("story", encoding="utf-8")
    (tmp_path / "sub" / "back").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")  # a link to itself
    results = run(tmp_path)
    assert [i.origin for i in items(results)] == [str(tmp_path / "sub" / "story.txt")]
    reasons = {f.origin: f.reason for f in failures(results)}
    assert reasons[str(tmp_path / "sub" / "back")].startswith("directory loop")
    assert reasons[str(tmp_path / "self.txt")] == "Too many levels of symbolic links"


def test_file_over_the_size_cap_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(61_200_000)  # sparse
    assert run(path) == [SourceFailure(str(path), "too large: 61.2 MB > 50 MB limit")]


def test_size_cap_follows_the_options(tmp_path: Path) -> None:
    from newsloom.sources import FetchOptions

    path = tmp_path / "small.txt"
    path.write_text("x" * 2000, encoding="utf-8")
    [failure] = run(path, options=FetchOptions(max_file_bytes=1500))
    assert failure == SourceFailure(str(path), "too large: 2 KB > 1.5 KB limit")


def test_size_words() -> None:
    assert human_size(61_200_000) == "61.2 MB"
    assert human_size(50_000_000) == "50 MB"
    assert human_size(999) == "999 bytes"
    assert too_large(50_000_001, 50_000_000) == "too large: 50000001 bytes > 50000000 bytes limit"


@pytest.mark.parametrize(
    ("content", "kind", "expected_id"),
    [
        (b"<!DOCTYPE html><html><body><p>Sniffed page</p></body></html>", "html", "story"),
        (b"Just words in a file without an extension.\n", "text", "story"),
        (b'{"id": "j1", "text": "From JSON"}', "text", "j1"),
        (b'{"id": "l1", "text": "line one"}\n{"id": "l2", "text": "line two"}\n', "text", "l1"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
            b"<item><guid>g-1</guid><description>entry</description></item></channel></rss>",
            "html",
            "g-1",
        ),
    ],
)
def test_files_without_extension_are_sniffed(tmp_path: Path, content: bytes, kind: str, expected_id: str) -> None:
    path = tmp_path / "story"
    path.write_bytes(content)
    results = run(path)
    assert results and all(isinstance(r, SourceItem) for r in results)
    assert (results[0].kind, results[0].id) == (kind, expected_id)  # type: ignore[union-attr]


def test_extensionless_binary_is_skipped_in_a_folder_but_fails_when_named(tmp_path: Path) -> None:
    blob = tmp_path / "blob"
    blob.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00")
    assert run(tmp_path) == []
    assert run(blob) == [SourceFailure(str(blob), "binary file, not text")]


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert run(tmp_path) == [SourceFailure(str(fifo), "not a regular file")]
