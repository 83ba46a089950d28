"""JSON and JSON Lines records: fields, ids, shapes, partial failures."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from newsloom.model import SourceFailure, SourceItem
from newsloom.sources import iter_inputs


def read(path: Path) -> list[SourceItem | SourceFailure]:
    return list(iter_inputs([str(path)]))


def write(tmp_path: Path, name: str, value: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def test_json_object_is_one_record_with_all_declared_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "one.json",
        {
            "id": "ro-2024-001",
            "url": "https://ziarul.ro/a",
            "title": "Bugetul",
            "text": "Guvernul a aprobat bugetul.",
            "lang": "ro",
            "published": "2024-06-03",
            "source": "Ziarul",
        },
    )
    assert read(path) == [
        SourceItem(
            origin=str(path),
            kind="text",
            content="Guvernul a aprobat bugetul.",
            id="ro-2024-001",
            url="https://ziarul.ro/a",
            title="Bugetul",
            lang="ro",
            published="2024-06-03",
            outlet="Ziarul",
            group=str(tmp_path),
        )
    ]


def test_json_list_numbers_records_and_keeps_their_ids(tmp_path: Path) -> None:
    path = write(tmp_path, "batch.json", [{"id": "kept", "text": "a"}, {"text": "b"}, {"id": 42, "text": "c"}])
    results = read(path)
    assert [(r.origin, r.id) for r in results if isinstance(r, SourceItem)] == [
        (f"{path}#1", "kept"),
        (f"{path}#2", "batch-2"),
        (f"{path}#3", "42"),
    ]


def test_single_object_without_id_takes_the_file_stem(tmp_path: Path) -> None:
    [item] = read(write(tmp_path, "lonely.json", {"text": "x"}))
    assert isinstance(item, SourceItem) and item.id == "lonely"


def test_html_only_record_is_an_html_item_and_text_wins_over_html(tmp_path: Path) -> None:
    path = write(tmp_path, "kinds.json", [{"html": "<p>markup</p>"}, {"text": "plain", "html": "<p>markup</p>"}])
    first, second = read(path)
    assert isinstance(first, SourceItem) and (first.kind, first.content) == ("html", "<p>markup</p>")
    assert isinstance(second, SourceItem) and (second.kind, second.content) == ("text", "plain")


def test_unknown_fields_are_not_copied_anywhere(tmp_path: Path) -> None:
    record = {
        "id": "x1",
        "text": "Body",
        "author_email": "leak@example.com",
        "tracking": {"pixel": "SECRET-PIXEL"},
        "outlet": "NotTheSourceField",
    }
    [item] = read(write(tmp_path, "extra.json", [record]))
    assert isinstance(item, SourceItem)
    values = [str(v) for v in dataclasses.asdict(item).values()]
    for leaked in ("leak@example.com", "SECRET-PIXEL", "NotTheSourceField", "author_email", "tracking"):
        assert not any(leaked in v for v in values)
    assert item.outlet is None  # the outlet comes from "source" only


def test_jsonl_bad_line_among_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"id": "a", "text": "first"}\n'
        "\n"
        "{not json}\n"
        '["an", "array"]\n'
        '{"id": "b", "text": 5}\n'
        '{"id": "c", "title": "no body"}\n'
        '{"text": "last one"}\n',
        encoding="utf-8",
    )
    results = read(path)
    assert [(r.origin, type(r).__name__) for r in results] == [
        (f"{path}#1", "SourceItem"),
        (f"{path}#3", "SourceFailure"),
        (f"{path}#4", "SourceFailure"),
        (f"{path}#5", "SourceFailure"),
        (f"{path}#6", "SourceFailure"),
        (f"{path}#7", "SourceItem"),
    ]
    reasons = [r.reason for r in results if isinstance(r, SourceFailure)]
    assert reasons[0].startswith("invalid JSON: Expecting property name")
    assert reasons[1:] == [
        "record is not an object (got a list)",
        "field 'text' must be a string, not a number",
        "record has no text or html",
    ]
    assert results[-1].id == "feed-7"  # type: ignore[union-attr]


def test_jsonl_keeps_line_separators_inside_strings(tmp_path: Path) -> None:
    path = tmp_path / "u2028.jsonl"
    path.write_text('{"id": "s", "text": "one\u2028two"}\n{"id": "t", "text": "three"}\n', encoding="utf-8")
    results = read(path)
    assert [r.id for r in results if isinstance(r, SourceItem)] == ["s", "t"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (42, "JSON must be an object or a list of objects, not a number"),
        ("just a string", "JSON must be an object or a list of objects, not a string"),
        (None, "JSON must be an object or a list of objects, not null"),
        ([], "JSON list has no records"),
    ],
)
def test_json_of_the_wrong_shape_is_one_failure(tmp_path: Path, value: object, reason: str) -> None:
    path = write(tmp_path, "shape.json", value)
    assert read(path) == [SourceFailure(str(path), reason)]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"text": 5}, "field 'text' must be a string, not a number"),
        ({"html": ["<p>"]}, "field 'html' must be a string, not a list"),
        ({"text": "ok", "title": {"x": 1}}, "field 'title' must be a string, not an object"),
        ({"text": "ok", "id": True}, "field 'id' must be a string or an integer, not a boolean"),
        ({"text": "   "}, "record has no text or html"),
        ({"title": "only a title"}, "record has no text or html"),
    ],
)
def test_bad_records_name_the_record_and_the_field(tmp_path: Path, record: object, reason: str) -> None:
    path = write(tmp_path, "bad.json", [{"text": "good"}, record])
    good, bad = read(path)
    assert isinstance(good, SourceItem)
    assert bad == SourceFailure(f"{path}#2", reason)


def test_malformed_json_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"text": "a"}, {"text": ', encoding="utf-8")
    [failure] = read(path)
    assert isinstance(failure, SourceFailure)
    assert failure.origin == str(path)
    assert failure.reason.startswith("invalid JSON: Expecting value: line 1")


def test_absurdly_nested_json_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert read(path) == [SourceFailure(str(path), "invalid JSON: nested too deeply")]


def test_json_in_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "wide.json"
    path.write_bytes(json.dumps({"id": "w", "text": "Ştiri"}, ensure_ascii=False).encode("utf-16"))
    [item] = read(path)
    assert isinstance(item, SourceItem) and item.content == "Ştiri"
