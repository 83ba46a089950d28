"""Write the small committed files of ``tests/data/bad_inputs/`` (run from the repo root).

Big and binary inputs (a sparse 61 MB file, PNG bytes named ``.txt``, WARC archives) are
made at test time by ``tests/sources/conftest.py`` instead of being committed.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent / "bad_inputs"

ROMANIAN = (
    "Preşedintele României a declarat marţi că ţara îşi va întări apărarea "
    "în următorii ani, după o întâlnire cu miniştrii.\n"
)  # cp1250 has the cedilla ş ţ
ITALIAN = (
    "Il presidente del Consiglio ha detto che la città è più sicura e che l'università riaprirà lunedì. Perché no?\n"
)
GERMAN = "Der Bürgermeister äußerte sich über die Straße in München.\n"
POLISH = "Prezydent powiedział we wtorek, że rząd zwiększy wydatki na obronność.\n"
FRENCH_MAC = (
    '<html><head><meta charset="macintosh"><title>Été</title></head>'
    "<body><p>L'été dernier, le ministre a annoncé à Genève une réforme très "
    "attendue.</p></body></html>\n"
)

FILES: dict[str, bytes] = {
    "empty.txt": b"",
    "whitespace.txt": b"   \n\t  \r\n  \n",
    "romanian_cp1250.txt": ROMANIAN.encode("cp1250"),
    "polish_cp1250.txt": POLISH.encode("cp1250"),
    "italian_latin1.txt": ITALIAN.encode("latin-1"),
    "german_utf16_bom.txt": GERMAN.encode("utf-16"),  # the utf-16 codec writes a BOM
    "german_utf8_bom.txt": b"\xef\xbb\xbf" + GERMAN.encode("utf-8"),
    # "Știri din țară" with the last character (ă, 2 bytes) cut after its first byte
    "truncated_utf8.txt": "Ştiri din ţară".encode()[:-1],
    "french_mac_meta.html": FRENCH_MAC.encode("mac_roman"),
    "malformed.html": (
        b"<html><head><title>Unclosed\n<body><div><p>The council approved "
        b"the budget on Tuesday.<p>Opposition members walked out <b>in protest"
        b"\n<div><span>Reporting by A. Writer\n"
    ),
    "empty_markup.html": b"<html></html>",
    "malformed.json": b'{"id": "a1", "text": "Budget approved",\n "title": "Budget"\n',
    "wrong_shape_number.json": b"42\n",
    "wrong_shape_strings.json": b'["first story", "second story"]\n',
    "wrong_shape_text_number.json": b'[{"id": "n1", "text": 5}]\n',
    "mixed.jsonl": (
        b'{"id": "ok-1", "text": "First good record.", "source": "Ziarul", "secret": "x1"}\n'
        b'{"id": "bad", "text": "no closing brace"\n'
        b'{"text": "Second good record, no id.", "lang": "en", "views": 123}\n'
    ),
    "malformed.rss": b'<?xml version="1.0"?>\n<rss version="2.0"><channel><<<garbage\n',
}


def main() -> None:
    """Write every file of ``FILES`` into ``bad_inputs/``."""
    HERE.mkdir(exist_ok=True)
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
