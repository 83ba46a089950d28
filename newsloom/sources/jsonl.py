"""JSON and JSON Lines: records with ``id, url, title, text|html, lang, published, source``.

Only those fields are read; any other field is ignored and copied nowhere. A record that
is malformed or has the wrong shape is a failure naming ``path#n`` and why, and the other
records still come through. In a JSON list ``n`` is the 1-based position; in JSON Lines it
is the line number (the record number when there are no blank lines). A file holding a
single JSON object is one record, with origin ``path`` and, lacking an ``id``, the file
stem as id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from newsloom.errors import InputError
from newsloom.model import ItemKind, SourceFailure, SourceItem

_STRING_FIELDS = ("url", "title", "lang", "published", "source")


def parse_json(text: str, origin: str, *, stem: str, group: str | None = None) -> Iterator[SourceItem | SourceFailure]:
    """The records of a ``.json`` document: one object, or a list of objects."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield SourceFailure(origin, f"invalid JSON: {exc}")
        return
    except RecursionError:
        yield SourceFailure(origin, "invalid JSON: nested too deeply")
        return
    if isinstance(data, dict):
        yield _item_or_failure(data, origin, default_id=stem, group=group)
    elif isinstance(data, list):
        if not data:
            yield SourceFailure(origin, "JSON list has no records")
        for n, record in enumerate(data, start=1):
            yield _item_or_failure(record, f"{origin}#{n}", default_id=f"{stem}-{n}", group=group)
    else:
        yield SourceFailure(origin, f"JSON must be an object or a list of objects, not {_type_name(data)}")


def parse_jsonl(text: str, origin: str, *, stem: str, group: str | None = None) -> Iterator[SourceItem | SourceFailure]:
    """The records of a ``.jsonl`` document, one object a line; blank lines are skipped."""
    # split on \n only: U+2028 and friends may stand unescaped inside JSON strings
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{origin}#{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SourceFailure(where, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield SourceFailure(where, "invalid JSON: nested too deeply")
            continue
        yield _item_or_failure(record, where, default_id=f"{stem}-{n}", group=group)


def _item_or_failure(record: object, origin: str, *, default_id: str, group: str | None) -> SourceItem | SourceFailure:
    try:
        return record_to_item(record, origin, default_id=default_id, group=group)
    except InputError as exc:
        return SourceFailure(exc.origin, exc.reason)


def record_to_item(record: object, origin: str, *, default_id: str, group: str | None = None) -> SourceItem:
    """One record as a ``SourceItem``, or ``InputError`` saying what is wrong with it.

    ``text`` wins over ``html`` when a record has both; ``source`` becomes the outlet.
    """
    if not isinstance(record, dict):
        raise InputError(origin, f"record is not an object (got {_type_name(record)})")
    fields = {name: _string_field(record, name, origin) for name in _STRING_FIELDS}
    text = _string_field(record, "text", origin)
    markup = _string_field(record, "html", origin)
    kind: ItemKind
    if text is not None and text.strip():
        kind, content = "text", text
    elif markup is not None and markup.strip():
        kind, content = "html", markup
    else:
        raise InputError(origin, "record has no text or html")
    return SourceItem(
        origin=origin,
        kind=kind,
        content=content,
        id=_id_field(record, origin) or default_id,
        url=fields["url"],
        title=fields["title"],
        lang=fields["lang"],
        published=fields["published"],
        outlet=fields["source"],
        group=group,
    )


def _string_field(record: dict[str, Any], name: str, origin: str) -> str | None:
    value = record.get(name)
    if value is None or isinstance(value, str):
        return value
    raise InputError(origin, f"field '{name}' must be a string, not {_type_name(value)}")


def _id_field(record: dict[str, Any], origin: str) -> str | None:
    value = record.get("id")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(origin, f"field 'id' must be a string or an integer, not {_type_name(value)}")
    return str(value).strip() or None


def _type_name(value: object) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
