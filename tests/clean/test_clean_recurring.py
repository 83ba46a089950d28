"""Lines that recur across one outlet's articles, and why wire copies do not count."""

from __future__ import annotations

from newsloom.clean import find_recurring_lines, normalise_line, strip_lines

FOOTER = "Daily Example is an independent newspaper. © Example Media 2024"


def story(n: int, length: int = 6) -> list[str]:
    return [f"Story {chr(65 + n)} sentence {chr(97 + i)} says something only this article says." for i in range(length)]


def test_footer_in_four_of_five_articles_is_found() -> None:
    docs = {f"a{n}": [*story(n), FOOTER] for n in range(4)}
    docs["a4"] = story(4)
    found = find_recurring_lines(docs)
    assert found == {normalise_line(FOOTER)}


def test_three_wire_copies_do_not_make_their_sentences_recurring() -> None:
    wire = [f"Wire sentence {w} about the Putin visit to Pyongyang on Tuesday." for w in "abcdefgh"]
    docs = {
        "w1": [*wire, FOOTER],
        "w2": [*wire[:-1], "Reporting by the Daily Example desk.", FOOTER],  # near identical copies
        "w3": [*wire, "Edited by the night desk.", FOOTER],
        "b1": [*story(1), FOOTER],
        "b2": [*story(2), FOOTER],
    }
    found = find_recurring_lines(docs)
    assert normalise_line(FOOTER) in found
    assert not any(normalise_line(line) in found for line in wire)
    # without the collapsing the wire sentences would have passed the thresholds (3 of 5 docs)
    assert sum(normalise_line(wire[0]) in {normalise_line(x) for x in lines} for lines in docs.values()) == 3


def test_translations_sharing_quotes_collapse_too() -> None:
    shared = ['"We will win," Kim said.', '"Russia has our full support."', "Kim Jong Un", "Vladimir Putin"]
    docs = {
        "en": [*shared, "Kim spoke in Vostochny."],
        "it": [*shared, "Kim ha parlato a Vostochny."],
        "de": [*shared, "Kim sprach in Wostotschny."],
        "x1": story(1),
        "x2": story(2),
    }
    assert find_recurring_lines(docs) == set()


def test_year_varying_copyright_lines_match() -> None:
    docs = {
        "a": [*story(0), "© Foo Media 2023"],
        "b": [*story(1), "© Foo Media 2024"],
        "c": [*story(2), "© FOO  Media 2025"],
    }
    assert find_recurring_lines(docs) == {"© foo media 0000"}
    text, removed = strip_lines("A real line.\n© Foo Media 2026\nAnother real line.", find_recurring_lines(docs))
    assert text == "A real line.\nAnother real line."
    assert [(r.line, r.reason) for r in removed] == [("© Foo Media 2026", "recurring-in-outlet")]


def test_thresholds_and_long_lines() -> None:
    long_line = "A long paragraph that every article repeats. " * 8  # over 300 characters
    docs = {f"a{n}": [*story(n), "Short footer", long_line] for n in range(3)}
    docs.update({f"b{n}": story(n + 3) for n in range(7)})
    assert find_recurring_lines(docs) == {"short footer"}  # 3 of 10 docs, share 0.3
    assert find_recurring_lines(docs, min_share=0.5) == set()
    assert find_recurring_lines(docs, min_docs=4) == set()


def test_strip_lines_keeps_everything_else() -> None:
    text = "Title\n\nBody one.\nShort footer\n\nBody two."
    out, removed = strip_lines(text, {"short footer"})
    assert out == "Title\n\nBody one.\n\nBody two."
    assert len(removed) == 1
