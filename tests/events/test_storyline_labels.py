"""Storyline labels are read by people: words keep their accents and letters."""

from __future__ import annotations

from newsloom.events.storylines import _headline_words


def test_headline_words_keep_accents_and_letters() -> None:
    words = _headline_words(["Η χελώνα καρέτα στη Ζάκυνθο", "Открытый космос", "Crue du Danube à Brăila"])
    assert {"χελώνα", "ζάκυνθο", "открытый", "brăila"} <= set(words)
    assert "открытыи" not in words  # й is a letter of its own, not и with an accent


def test_headline_words_count_once_per_headline_and_skip_short_words_and_numbers() -> None:
    words = _headline_words(["Flood flood 2025 in Brăila", "Flood relief"])
    assert words["flood"] == 2
    assert "2025" not in words and "in" not in words
