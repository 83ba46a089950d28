"""The bad-input corpus: each bad file gives one clear failure, good files still come through."""

from __future__ import annotations

from pathlib import Path

from newsloom.model import SourceFailure, SourceItem
from newsloom.sources import iter_inputs


def by_origin(folder: Path) -> dict[str, SourceItem | SourceFailure]:
    results = list(iter_inputs([str(folder)]))
    table = {r.origin.removeprefix(str(folder) + "/"): r for r in results}
    assert len(table) == len(results), "every origin is reported once"
    return table


def reason(result: SourceItem | SourceFailure) -> str:
    assert isinstance(result, SourceFailure), result
    return result.reason


def content(result: SourceItem | SourceFailure) -> str:
    assert isinstance(result, SourceItem), result
    return result.content


def test_every_bad_input_in_one_folder(bad_dir: Path) -> None:
    got = by_origin(bad_dir)
    assert reason(got["empty.txt"]) == "empty file"
    assert reason(got["whitespace.txt"]) == "empty file"
    assert reason(got["png_header.txt"]) == "binary file, not text"
    assert reason(got["too_big.txt"]) == "too large: 61.2 MB > 50 MB limit"
    assert reason(got["malformed.json"]).startswith("invalid JSON: Expecting ',' delimiter: line 3")
    assert reason(got["wrong_shape_number.json"]) == "JSON must be an object or a list of objects, not a number"
    assert reason(got["wrong_shape_strings.json#1"]) == "record is not an object (got a string)"
    assert reason(got["wrong_shape_strings.json#2"]) == "record is not an object (got a string)"
    assert reason(got["wrong_shape_text_number.json#1"]) == "field 'text' must be a string, not a number"
    assert reason(got["mixed.jsonl#2"]).startswith("invalid JSON: Expecting ',' delimiter")
    assert reason(got["malformed.rss"]).startswith("malformed feed: not well-formed (invalid token) (line 2")
    assert reason(got["truncated.warc.gz"]).startswith("truncated or malformed WARC")

    # the readable ones come through, decoded right
    assert "Preşedintele României a declarat marţi că ţara îşi" in content(got["romanian_cp1250.txt"])
    assert "powiedział we wtorek, że rząd zwiększy" in content(got["polish_cp1250.txt"])
    assert "la città è più sicura e che l'università riaprirà lunedì" in content(got["italian_latin1.txt"])
    assert content(got["german_utf16_bom.txt"]).startswith("Der Bürgermeister äußerte")
    assert content(got["german_utf8_bom.txt"]).startswith("Der Bürgermeister")  # BOM dropped
    assert content(got["truncated_utf8.txt"]) == "Ştiri din ţar\ufffd"
    assert "L'été dernier, le ministre a annoncé à Genève" in content(got["french_mac_meta.html"])
    assert "The council approved the budget on Tuesday." in content(got["malformed.html"])
    assert content(got["empty_markup.html"]) == "<html></html>"  # extraction decides it is empty
    assert content(got["mixed.jsonl#1"]) == "First good record."
    assert content(got["mixed.jsonl#3"]) == "Second good record, no id."
    assert content(got["good.txt"]).startswith("A perfectly fine article")
    assert "First archived story." in content(got["good.warc#2"])
    assert "First archived story." in content(got["truncated.warc.gz#2"])
    assert "Second archived story." in content(got["truncated.warc.gz#3"])


def test_each_bad_file_fails_exactly_once(bad_dir: Path) -> None:
    results = list(iter_inputs([str(bad_dir)]))
    failed_files: dict[str, int] = {}
    for result in results:
        if isinstance(result, SourceFailure):
            name = Path(result.origin.split("#")[0]).name
            failed_files[name] = failed_files.get(name, 0) + 1
            assert result.reason, "every failure says why"
            assert result.origin.startswith(str(bad_dir)), "every failure names the file"
    assert failed_files == {
        "empty.txt": 1,
        "whitespace.txt": 1,
        "png_header.txt": 1,
        "too_big.txt": 1,
        "malformed.json": 1,
        "wrong_shape_number.json": 1,
        "wrong_shape_strings.json": 2,  # one per record
        "wrong_shape_text_number.json": 1,
        "mixed.jsonl": 1,
        "malformed.rss": 1,
        "truncated.warc.gz": 1,
    }
    assert sum(isinstance(r, SourceItem) for r in results) == 15


def test_bad_files_named_one_by_one_give_the_same_reasons(bad_dir: Path) -> None:
    for name in ("empty.txt", "png_header.txt", "too_big.txt", "wrong_shape_number.json", "malformed.rss"):
        [result] = iter_inputs([str(bad_dir / name)])
        assert isinstance(result, SourceFailure)
        assert result.origin == str(bad_dir / name)
