"""The line cleaner: marker vocabulary per language, teaser blocks, debris, titles."""

from __future__ import annotations

import pytest

from newsloom.clean import CleanOptions, clean_text
from newsloom.clean.lines import CleanedText, classify, first_sentence, headline_part, is_dateline

TITLE = "Putin lands in Pyongyang for a rare visit"
BODY1 = "Russian President Vladimir Putin arrived in Pyongyang late on Tuesday, state media said."
BODY2 = "Kim Jong Un greeted him at the airport, and the two leaders embraced on the red carpet."
BODY3 = "The visit is the first by a Russian leader to North Korea since the year 2000."


def article(*middle: str) -> str:
    return "\n\n".join([TITLE, BODY1, *middle, BODY2, BODY3])


def removed(result: CleanedText) -> dict[str, str]:
    return {r.line: r.reason for r in result.removed}


def assert_body_kept(result: CleanedText) -> None:
    lines = result.text.split("\n")
    for body in (TITLE, BODY1, BODY2, BODY3):
        assert body in lines


MARKERS = [
    # (language, line, reason)
    ("en", "Read also: Putin and Kim sign a defence pact", "teaser"),
    ("en", "READ Putin and Kim sign a defence pact", "teaser"),
    ("en", "Related articles", "teaser"),
    ("en", "Skip to content", "navigation"),
    ("en", "Back To Top", "navigation"),
    ("en", "Share on Facebook", "share"),
    ("en", "About The Author", "author-box"),
    ("en", "Advertisement", "advertisement"),
    ("en", "We use cookies to give you the best experience. Accept all", "cookie-notice"),
    ("en", "Sign up for our newsletter and get the news first", "newsletter"),
    ("en", "Your email address will not be published. Required fields are marked *", "comments"),
    ("en", "© 2024 Daily Example. All rights reserved.", "footer"),
    ("de", "Lesen Sie auch: Putin und Kim unterzeichnen Verteidigungspakt", "teaser"),
    ("de", "Zum Inhalt springen", "navigation"),
    ("de", "Anzeige", "advertisement"),
    ("de", "Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten.", "cookie-notice"),
    ("fr", "Lire aussi : Poutine et Kim signent un pacte de défense", "teaser"),
    ("fr", "Aller au contenu", "navigation"),
    ("es", "Lee también: Putin y Kim firman un pacto de defensa", "teaser"),
    ("es", "Saltar al contenido", "navigation"),
    ("it", "Leggi anche: Putin e Kim firmano un patto di difesa", "teaser"),
    ("it", "Salta al contenuto", "navigation"),
    ("it", "Il tuo indirizzo email non sarà pubblicato. I campi obbligatori sono contrassegnati *", "comments"),
    ("ro", "Citește și: Putin și Kim semnează un pact de apărare", "teaser"),
    ("ro", "Citeşte şi: Putin şi Kim semnează un pact de apărare", "teaser"),  # cedilla spelling
    ("ro", "Articol recomandat de sport.ro", "teaser"),
    ("pt", "Leia também: Putin e Kim assinam pacto de defesa", "teaser"),
    ("pt", "Voltar ao topo", "navigation"),
    ("nl", "Lees ook: Poetin en Kim tekenen defensiepact", "teaser"),
    ("nl", "Naar de inhoud", "navigation"),
    ("pl", "Czytaj też: Putin i Kim podpisują pakt obronny", "teaser"),
    ("pl", "Przejdź do treści", "navigation"),
    ("ru", "Читайте также: Путин и Ким подписали оборонный пакт", "teaser"),
    ("ru", "Комментарии", "comments"),
    ("uk", "Читайте також: Путін і Кім підписали оборонний пакт", "teaser"),
    ("uk", "Перейти до вмісту", "navigation"),
    ("el", "Διαβάστε επίσης: Πούτιν και Κιμ υπογράφουν αμυντικό σύμφωνο", "teaser"),
    ("el", "Μετάβαση στο περιεχόμενο", "navigation"),
]


@pytest.mark.parametrize(("lang", "line", "reason"), MARKERS, ids=[f"{m[0]}-{i}" for i, m in enumerate(MARKERS)])
def test_marker_line_removed_with_reason(lang: str, line: str, reason: str) -> None:
    result = clean_text(article(line))
    assert line not in result.text
    assert removed(result)[line] == reason
    assert_body_kept(result)


@pytest.mark.parametrize(
    "sentence",
    [
        "Officials told reporters to read also the annex before the vote on Friday.",
        "Lesen Sie auch den Bericht der Kommission, sagte der Minister am Montag.",
        "The ruling on third-party cookies, the regulator said, takes effect in 2025.",
        "Reuters reported that the talks lasted more than two hours on Wednesday.",
        "Comments by the minister drew criticism from the opposition in parliament.",
    ],
)
def test_marker_words_inside_sentences_are_kept(sentence: str) -> None:
    result = clean_text(article(sentence))
    assert sentence in result.text.split("\n")
    assert result.removed == []


def test_every_language_of_the_brief_has_markers() -> None:
    from newsloom.clean.vocab import VOCABULARY

    assert {"en", "de", "fr", "es", "it", "ro", "pt", "nl", "pl", "ru", "uk", "el"} <= set(VOCABULARY)
    for lang, table in VOCABULARY.items():
        for category in ("teaser", "comments", "navigation", "comment_form", "months"):
            assert table.get(category), f"{lang} has no {category}"
    assert classify("Getty")[0] == "credit"


# ---------------------------------------------------------------- teaser blocks


def test_mid_article_teaser_takes_its_headline_only() -> None:
    teaser = "Citește și\nPutin și Kim au semnat un pact de apărare reciprocă"
    result = clean_text(article(teaser))
    assert removed(result) == {
        "Citește și": "teaser",
        "Putin și Kim au semnat un pact de apărare reciprocă": "teaser",
    }
    assert_body_kept(result)


def test_marker_alone_takes_the_headline_paragraph_after_it() -> None:
    result = clean_text(article("Leggi anche:", "Putin e Kim firmano un patto di difesa"))
    assert set(removed(result)) == {"Leggi anche:", "Putin e Kim firmano un patto di difesa"}
    assert_body_kept(result)


def test_teaser_tail_with_repeated_headlines_and_blurbs_goes_whole() -> None:
    tail = [
        "Recomandări\nSondaj nou: cine intră în turul doi\nSondaj nou: cine intră în turul doi",
        "Mai sunt doar trei zile până la primul tur al alegerilor, iar ultimul sondaj arată noi evoluții.",
        "Ciolacu spune că va arăta actele pentru zbor\nCiolacu spune că va arăta actele pentru zbor",
        "Marcel Ciolacu spune că va prezenta actele pentru a dovedi că și-a plătit zborul.",
    ]
    result = clean_text("\n\n".join([TITLE, BODY1, BODY2, BODY3, *tail]))
    assert result.text.split("\n") == [TITLE, BODY1, BODY2, BODY3]
    assert {r.reason for r in result.removed} == {"teaser"}
    assert len(result.removed) == 7


def test_teaser_list_of_headlines_at_the_end_goes() -> None:
    tail = "Related articles\nKim visits Russia's far east\nSeoul protests arms deal\nUN monitors report missiles"
    result = clean_text("\n\n".join([TITLE, BODY1, BODY2, BODY3, tail]))
    assert result.text.split("\n") == [TITLE, BODY1, BODY2, BODY3]


def test_single_inline_teaser_does_not_take_the_real_last_paragraph() -> None:
    text = "\n\n".join([TITLE, BODY1, BODY2, "Leggi anche: Putin e Kim firmano un patto", BODY3])
    result = clean_text(text)
    assert result.text.split("\n") == [TITLE, BODY1, BODY2, BODY3]


def test_read_more_link_goes_alone() -> None:
    # "Read more" ends a teaser: it must not take the next headline (a real subheading here)
    text = "\n".join([TITLE, BODY1, "Read more...", "The pact", BODY2, BODY3])
    result = clean_text(text)
    assert removed(result) == {"Read more...": "teaser"}
    assert "The pact" in result.text.split("\n")


def test_comment_section_at_the_end_takes_the_comments() -> None:
    comments = ["Comments", "John Smith says:", "Great article, thanks for sharing it with us.", "Reply"]
    result = clean_text("\n\n".join([TITLE, BODY1, BODY2, BODY3, *comments]))
    assert result.text.split("\n") == [TITLE, BODY1, BODY2, BODY3]
    assert {r.reason for r in result.removed} == {"comments"}


def test_comment_heading_at_the_top_goes_alone() -> None:
    result = clean_text("\n\n".join(["Comments", TITLE, BODY1, BODY2, BODY3]))
    assert result.text.split("\n") == [TITLE, BODY1, BODY2, BODY3]
    assert result.title == TITLE


# ---------------------------------------------------------------- HTML debris and whitespace


def test_debris_lines_and_fragments() -> None:
    text = "\n\n".join([TITLE, "p>", "</div>", "&nbsp;", "strong> " + BODY1, BODY2 + "</p>", BODY3])
    result = clean_text(text)
    assert result.text.split("\n") == [TITLE, BODY1, BODY2, BODY3]
    assert [r.line for r in result.removed] == ["p>", "</div>", "&nbsp;", "strong>", "</p>"]
    assert {r.reason for r in result.removed} == {"html-debris"}


def test_inline_tags_and_entities() -> None:
    result = clean_text(f"{TITLE}\n\n<b>Putin</b> met Kim &amp; aides; AT&T and R&D were not there.")
    assert result.text.split("\n")[1] == "Putin met Kim & aides; AT&T and R&D were not there."


def test_whitespace_normalised_words_untouched() -> None:
    result = clean_text(f"  {TITLE}  \r\n\r\n\tPutin\u00a0 arrived\u200b in   Pyongyang.  ")
    assert result.text == f"{TITLE}\nPutin arrived in Pyongyang."


# ---------------------------------------------------------------- titles and duplicates


def test_title_repeated_at_the_top_kept_once() -> None:
    result = clean_text("\n\n".join([TITLE, TITLE, BODY1, BODY2]))
    assert result.title == TITLE
    assert result.text.split("\n") == [TITLE, BODY1, BODY2]
    assert removed(result) == {TITLE: "duplicate-title"}


def test_section_label_between_title_copies() -> None:
    result = clean_text("\n\n".join([TITLE, "Esteri", TITLE.replace(" a ", "  a "), BODY1]))
    assert result.text.split("\n") == [TITLE, BODY1]
    assert removed(result)["Esteri"] == "section-label"


def test_known_section_label_under_the_title() -> None:
    result = clean_text("\n\n".join([TITLE, "World News", BODY1, BODY2]))
    assert removed(result) == {"World News": "section-label"}


def test_short_line_under_the_title_is_not_a_label_by_itself() -> None:
    result = clean_text("\n\n".join([TITLE, "By Jane Doe", BODY1]))
    assert "By Jane Doe" in result.text.split("\n")


def test_heading_repeated_later_kept_first() -> None:
    heading = "North Korea remains an ally"
    result = clean_text("\n\n".join([TITLE, BODY1, heading, "p>", heading, BODY2]))
    assert result.text.split("\n") == [TITLE, BODY1, heading, BODY2]
    assert removed(result)[heading] == "duplicate-line"


def test_title_subtitle_pattern() -> None:
    line = "Kim promises to help Putin | The leaders met at the Vostochny cosmodrome"
    result = clean_text("\n\n".join([line, line, BODY1]))
    assert result.title == "Kim promises to help Putin"
    assert result.text.split("\n") == [line, BODY1]


def test_section_before_bar_is_not_the_title() -> None:
    assert headline_part("World | Putin lands in Pyongyang for a rare visit") == TITLE


def test_dateline_first_is_kept_and_title_comes_from_first_sentence() -> None:
    long_sentence = (
        "Russian President Vladimir Putin will visit North Korea on Tuesday and Wednesday, the Kremlin said, "
        "a rare trip that underlines the growing partnership between Moscow and the isolated nuclear-armed state."
    )
    result = clean_text("\n\n".join(["June 17, 2024", long_sentence, BODY2]))
    assert result.text.split("\n")[0] == "June 17, 2024"
    assert result.title.startswith("Russian President Vladimir Putin will visit North Korea")
    assert result.title.endswith("…") and len(result.title) <= 121
    assert " " + result.title[:-1].split()[-1] + " " in long_sentence  # cut on a word boundary


def test_headline_under_a_dateline_is_the_title() -> None:
    result = clean_text("\n\n".join(["17 giugno 2024", TITLE, BODY1]))
    assert result.title == TITLE


def test_first_line_with_period_needs_a_blank_line_to_be_a_title() -> None:
    first = "Putin lands in Pyongyang. Kim greets him at the airport."
    # followed by a blank line: a headline, kept whole
    assert (
        clean_text(f"{first}\n\n{BODY1}\n\n{BODY2}").title == "Putin lands in Pyongyang. Kim greets him at the airport"
    )
    # followed directly by more text: a paragraph, the title is its first sentence
    assert clean_text(f"{first}\n{BODY1}\n{BODY2}").title == "Putin lands in Pyongyang"
    # too long for a headline: first sentence too
    assert clean_text(f"{BODY1} {BODY2} {BODY3}\n\n{BODY1}").title == BODY1.rstrip(".")


def test_declared_title_wins_and_its_copy_in_the_text_stays_once() -> None:
    result = clean_text("\n\n".join([TITLE, TITLE, BODY1]), title=TITLE)
    assert result.title == TITLE
    assert result.text.split("\n") == [TITLE, BODY1]


@pytest.mark.parametrize(
    "line",
    [
        "June 17, 2024",
        "17 iunie 2024",
        "Lunedì 17 giugno 2024, 10:30",
        "17.06.2024",
        "2024-06-17",
        "Published: 17 June 2024 at 10:30 CET",
        "17 июня 2024 г.",
        "Aktualisiert am 17. Juni 2024 um 10:30 Uhr",
    ],
)
def test_datelines(line: str) -> None:
    assert is_dateline(line)


@pytest.mark.parametrize("line", ["June was hot in 2024", "La 13 septembrie 2023, Putin a vizitat Rusia", "2024"])
def test_not_datelines(line: str) -> None:
    assert not is_dateline(line)


def test_first_sentence_skips_abbreviations() -> None:
    assert first_sentence("The U.S. Secretary said no. Then he left.", 120) == "The U.S. Secretary said no"


# ---------------------------------------------------------------- credits and captions


def test_credit_takes_the_caption_in_its_paragraph() -> None:
    result = clean_text("\n\n".join([TITLE, "Kim Jong Un and Vladimir Putin\nGetty Images", BODY1, BODY2]))
    assert removed(result) == {"Kim Jong Un and Vladimir Putin": "caption", "Getty Images": "photo-credit"}
    assert result.text.split("\n") == [TITLE, BODY1, BODY2]


def test_caption_paragraph_with_positions_goes_plain_paragraph_stays() -> None:
    caption = "Vladimir Putin (left) and Kim Jong Un (right) at the Vostochny cosmodrome in 2023."
    result = clean_text("\n\n".join([TITLE, caption, "Photo: Reuters", BODY1]))
    assert removed(result) == {caption: "caption", "Photo: Reuters": "photo-credit"}
    result = clean_text("\n\n".join([TITLE, BODY1, "Photo: Reuters", BODY2]))
    assert removed(result) == {"Photo: Reuters": "photo-credit"}
    assert BODY1 in result.text.split("\n")


def test_keep_captions_option() -> None:
    result = clean_text(
        "\n\n".join([TITLE, "Kim Jong Un and Vladimir Putin\nGetty", BODY1]), options=CleanOptions(keep_captions=True)
    )
    assert "Kim Jong Un and Vladimir Putin" in result.text.split("\n")
    assert removed(result) == {"Getty": "photo-credit"}


@pytest.mark.parametrize(
    "line",
    [
        "Getty",
        "Colaboratori |. Getty Images |",
        "Foto: ANSA",
        "AFP/Getty Images",
        "(Photo by Jane Doe/Reuters)",
        "© Reuters",
        "Bild: dpa",
    ],
)
def test_credit_lines(line: str) -> None:
    assert classify(line)[0] == "credit"


# ---------------------------------------------------------------- options


def test_recurring_lines_option() -> None:
    footer = "Daily Example is part of Example Media Group © 2024"
    result = clean_text(
        "\n\n".join([TITLE, BODY1, footer, BODY2]),
        options=CleanOptions(recurring=frozenset({"daily example is part of example media group © 0000"})),
    )
    assert removed(result) == {footer: "recurring-in-outlet"}


def test_lines_without_text() -> None:
    result = clean_text("\n\n".join([TITLE, "* * *", BODY1, "|", BODY2]))
    assert removed(result) == {"* * *": "no-text", "|": "no-text"}


def test_photo_kicker_with_a_headline_is_no_credit() -> None:
    kicker = "Foto: 1er buque iraní ya abandonó Venezuela, va rumbo a Irán luego de traer la gasolina"
    assert classify(kicker)[0] == "text"


def test_time_between_title_copies_is_kept() -> None:
    result = clean_text("\n\n".join([TITLE, "03:55 Uhr", TITLE, BODY1]))
    assert result.text.split("\n") == [TITLE, "03:55 Uhr", BODY1]
