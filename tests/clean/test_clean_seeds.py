"""The contract of the clean stage: the five real scraped seed articles.

For each seed: (a) every line a reader would call boilerplate is gone from the text and
listed in ``removed``; (b) no line of the article itself is lost — the paragraphs named here
(first, last, and every one next to removed material) are kept verbatim, and so is every
other input line that is not boilerplate; (c) the title is the right one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from newsloom.clean import Extracted, extract
from newsloom.model import SourceItem

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds not present")

# Romanian is written with comma-below ș ț and (seed 001) with cedilla ş ţ: compare folded
_FOLD = str.maketrans("şţŞŢ", "șțȘȚ")


def fold(text: str) -> str:
    return " ".join(text.split()).translate(_FOLD)


def seed_path(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def run(prefix: str) -> tuple[list[str], Extracted]:
    path = seed_path(prefix)
    content = path.read_text(encoding="utf-8")
    result = extract(SourceItem(origin=str(path), kind="text", content=content))
    return [fold(line) for line in content.splitlines() if line.strip()], result


def out_lines(result: Extracted) -> list[str]:
    return [fold(line) for line in result.text.split("\n")]


def find(lines: list[str], prefix: str) -> str:
    """The one input line starting with ``prefix`` (so a typo here fails loudly)."""
    hits = [line for line in lines if line.startswith(fold(prefix))]
    assert hits, f"no seed line starts with {prefix!r}"
    return hits[0]


def check(
    prefix: str,
    boilerplate: list[str],
    kept: list[str],
    once: Sequence[str] = (),
    rewritten: Mapping[str, str] | None = None,
) -> Extracted:
    """Boilerplate lines (by prefix) gone and listed as removed; ``kept`` paragraphs (by
    prefix) in the text verbatim; lines in ``once`` kept exactly once; every other input
    line kept (``rewritten`` maps an input line prefix to the form it must take)."""
    lines, result = run(prefix)
    text_lines = out_lines(result)
    removed = [fold(r.line) for r in result.removed]
    gone = {find(lines, b) for b in boilerplate}
    for line in gone:
        assert line not in text_lines, f"boilerplate kept: {line!r}"
        assert line in removed, f"not reported as removed: {line!r}"
    for k in kept:
        assert find(lines, k) in text_lines, f"article paragraph lost: {k!r}"
    for line in once:
        assert text_lines.count(find(lines, line)) == 1, f"not kept exactly once: {line!r}"
    rewritten = rewritten or {}
    expected = {find(lines, a): fold(b) for a, b in rewritten.items()}
    for line in lines:
        if line not in gone:
            assert expected.get(line, line) in text_lines, f"article line lost: {line!r}"
    assert len(text_lines) == len(set(text_lines)), "a line is kept twice"
    return result


def test_seed_000_romanian_dateline_caption_comment_form() -> None:
    result = check(
        "000",
        boilerplate=[
            "La 13 septembrie 2023, președintele rus Vladimir Putin (dreapta)",  # photo caption
            "Colaboratori |. Getty Images |",
            "About The Author",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
        ],
        kept=[
            "June 17, 2024",
            "Președintele rus Vladimir Putin va vizita Coreea de Nord marți și miercuri",  # first, after the credit
            "Liderul nord-coreean Kim Jong-un i-a întins o invitație lui Putin",
            "Ministerul Apărării din Coreea de Sud a declarat",
            "Rusia spune că va coopera și va dezvolta relațiile cu Coreea de Nord",  # last, before "About The Author"
        ],
    )
    # the dateline stays first for the date stage and is not the title
    assert result.text.startswith("June 17, 2024\n")
    assert "June 17, 2024" not in result.title
    assert result.title.startswith("Președintele rus Vladimir Putin va vizita Coreea de Nord marți și miercuri")
    assert result.title.endswith("…") and len(result.title) <= 121
    assert result.published is None and result.published_source is None


def test_seed_000_caption_kept_on_request() -> None:
    from newsloom.clean import CleanOptions

    path = seed_path("000")
    item = SourceItem(origin=str(path), kind="text", content=path.read_text(encoding="utf-8"))
    result = extract(item, CleanOptions(keep_captions=True))
    assert "La 13 septembrie 2023, președintele rus Vladimir Putin (dreapta)" in result.text
    assert "Colaboratori |. Getty Images |" not in result.text


SEED_001_TAIL_START = "Articol recomandat de sport.ro"


def test_seed_001_romanian_teasers_mid_article_and_tail() -> None:
    lines, _ = run("001")
    tail = lines[lines.index(fold(SEED_001_TAIL_START)) :]
    # the tail really holds the teasers and blurbs the contract names
    for blurb in (
        "După victoria președintelui republican ales Donald Trump",
        "Fostul cancelar federal al Germaniei",
        "Mai sunt doar trei zile până la primul tur",
        "Marcel Ciolacu spune că va prezenta actele",
    ):
        assert any(line.startswith(fold(blurb)) for line in tail)
    result = check(
        "001",
        boilerplate=[
            "Kim Jong Un si Vladimir Putin",  # caption of the lead photo
            "Getty",
            "Citește și",
            "„Al treilea război mondial a început”. Valeri Zalujnîi",
            *tail,
        ],
        kept=[
            "Preşedintele rus Vladimir Putin a acceptat să viziteze Coreea de Nord",  # first, after the credit
            "În aceeaşi zi, liderul nord-coreean l-a asigurat pe Vladimir Putin",  # before the mid-article teaser
            "La rândul său, Vladimir Putin a închinat un toast",  # right after it
            "Matthew Miller, purtător de cuvânt al Departamentului de Stat",
            'Statele Unite "nu vor ezita" să impună sancţiuni',  # last, before the teaser tail
        ],
    )
    assert result.title == "Putin a acceptat propunerea lui Kim Jong Un. Ce va face președintele rus"
    assert result.text.startswith(result.title + "\n")
    assert result.text.endswith("a avertizat Miller.")
    reasons = {fold(r.line): r.reason for r in result.removed}
    assert reasons[fold(SEED_001_TAIL_START)] == "teaser"
    assert reasons["Getty"] == "photo-credit"
    assert reasons["Kim Jong Un si Vladimir Putin"] == "caption"


def test_seed_002_italian_skip_link_doubled_lead_comments() -> None:
    lead = (
        "Putin esprime il desiderio di collaborare con la Corea del Nord e ringrazia per gli aiuti forniti in Ucraina."
    )
    result = check(
        "002",
        boilerplate=["Salta al contenuto", "Leggi anche:", "Commenti", "Più recente"],
        kept=[
            lead,
            "Durante l'ultima serie di eventi, la visita del Presidente russo",
            "According to russo news outlets, Putin ha annunciato",  # right after the doubled lead
            "Per l'inizio ufficiale della loro riunione",  # last, before "Leggi anche:"
        ],
        once=[lead, "Kim Jong Un e Putin"],
    )
    assert result.title == lead.rstrip(".")
    assert sum(r.reason == "duplicate-title" for r in result.removed) == 1


SOPRATTUTTO = (
    "soprattutto in considerazione del fatto che la Russia sta cercando di trasferire la guerra russo-ucraina "
    "nel discorso della politica mondiale confronto con l'Occidente."
)


def test_seed_003_italian_section_label_debris_repeated_heading() -> None:
    heading = "La Corea del Nord rimarrà un importante alleato ideologico per il Cremlino"
    result = check(
        "003",
        boilerplate=[
            "World News",
            "Putin visiterà la Corea del Nord questa settimana –dichiarazione",  # the title again
            "p>",
            "Argomenti correlati:",
            "Altre notizie",
            "Leave a Reply",
        ],
        kept=[
            "Anche il dittatore Vladimir Putin si recherà in Vietnam.",  # after the repeated title
            "Putin e Kim Jong-un sono strettamente legati dalla guerra russa",  # before the repeated heading
            heading,
            "Il sostegno incondizionato di Pyongyang",
            "In cambio di munizioni, la Russia ha inviato Tecnologia",  # last, before "Argomenti correlati:"
        ],
        once=[heading],
        # the debris goes, the sentence stays, word for word
        rewritten={"strong> soprattutto": SOPRATTUTTO},
    )
    assert "strong>" not in result.text
    assert result.title == "Putin visiterà la Corea del Nord questa settimana – dichiarazione del Cremlino"
    reasons = {r.line: r.reason for r in result.removed}
    assert reasons["World News"] == "section-label"
    assert reasons["p>"] == "html-debris"
    assert reasons["strong>"] == "html-debris"


def test_seed_004_italian_read_teasers_comment_form_back_to_top() -> None:
    result = check(
        "004",
        boilerplate=[
            "READ\u00a0 Perù: Keiko Fujimori",
            "READ\u00a0 Meta vieta ai media statali russi",
            "READ\u00a0 La Russia ha ordinato l'arresto del primo ministro estone",
            "Lascia un commento",
            "Il tuo indirizzo email non sarà pubblicato. I campi obbligatori sono contrassegnati *",
            "Back To Top",
        ],
        kept=[
            "leader nordcoreano, Kim Jong Un, una promessa Al Presidente della Russia",  # first
            "L’incontro tra Putin e Kim, arrivato nell’Amur",  # before the first READ
            "La visita è stata attentamente monitorata",  # after it
            "Di fronte a Kim. Putin ha chiesto un brindisi",  # before the second READ
            "“La Russia rispetta tutte queste restrizioni”",  # after it
            "Il ministero della Difesa russo ha ammesso",  # last, before the third READ
        ],
        once=["Kim Jong Un ha promesso di aiutare Putin nella sua lotta “contro l’imperialismo” | "],
    )
    assert result.title == "Kim Jong Un ha promesso di aiutare Putin nella sua lotta “contro l’imperialismo”"
    assert sum(r.reason == "teaser" for r in result.removed) == 3
