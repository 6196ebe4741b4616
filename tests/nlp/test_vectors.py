"""The word-vector table and the classifier view over it (nlp/vectors.py), and how the lean
scorer reproduces that view."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from madoguchi.settings import REPO_ROOT
from nlp.corpus import load_corpus
from nlp.cues import TAG_PREFIX, cue_lexicon
from nlp.features import as_columns, build_pipeline, prepare
from nlp.lean import LeanScorer, _vector_table
from nlp.taxonomy import Taxonomy
from nlp.tokenize import lemmas
from nlp.vectors import SifEmbedding, WordVectors, WordVectorsError, word_vectors

CORPUS = REPO_ROOT / "data" / "corpus"


def _cosine(table: WordVectors, a: str, b: str) -> float:
    x, y = (table.vectors[table.rows[w]] * table.scales for w in (a, b))
    return float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))


def test_the_table_covers_the_lemmas_the_tokenizer_produces(taxonomy: Taxonomy) -> None:
    """The table is keyed by lemmas as nlp/mecab.py cuts them; a wrong hash or cut while
    building it would leave most of them without a vector."""
    table = word_vectors()
    found = [lemma for example in load_corpus(CORPUS, taxonomy.ids)[::7] for lemma in lemmas(example.text)]
    covered = sum(lemma in table.rows for lemma in found) / len(found)
    assert covered >= 0.95, covered


@pytest.mark.parametrize(
    ("word", "near", "far"),
    [
        ("融資", "借り入れ", "田植え"),
        ("跡継ぎ", "跡取り", "在庫"),
        ("農家", "農業", "特許"),
        ("特許", "発明", "離職"),
        ("パソコン", "サーバー", "跡継ぎ"),
        ("借金", "ローン", "販路"),
    ],
)
def test_words_of_one_need_lie_closer_than_words_of_another(word: str, near: str, far: str) -> None:
    table = word_vectors()
    assert _cosine(table, word, near) > _cosine(table, word, far) + 0.3


def test_each_lemma_has_a_row_and_the_rows_fit() -> None:
    table = word_vectors()
    assert len(table.rows) == len(table.lemma_rows) > 100_000
    assert table.lemma_rows.max() < len(table.vectors)
    assert table.vectors.dtype == np.int8 and table.vectors.shape[1] >= 32
    assert table.scales.shape == table.vectors.shape[1:] and (table.scales > 0).all()
    assert table.rows["売り上げ"] == table.lemma_rows[table.lemmas().index("売り上げ")]
    assert table.rows["跡目"] == table.rows["跡継ぎ"]  # a rare word on its nearest kept vector
    # the view reads the words column, cue tags included, by lemma: no tag may be a lemma
    assert not [lemma for lemma in table.rows if lemma.startswith(TAG_PREFIX)]


@pytest.fixture(scope="module")
def fitted() -> SifEmbedding:
    documents = ["資金 困る", "融資 困る", "後継者 困る", "農家 困る", f"{TAG_PREFIX}financing 困る"]
    return SifEmbedding().fit(documents)


def test_a_message_becomes_a_vector_of_the_view_s_length(fitted: SifEmbedding) -> None:
    rows = fitted.transform(["融資 返済", "跡継ぎ"])
    assert np.allclose(np.linalg.norm(rows, axis=1), fitted.scale)
    assert not np.allclose(rows[0], rows[1])


def test_unknown_words_and_cue_tags_add_nothing(fitted: SifEmbedding) -> None:
    rows = fitted.transform(["xyzzyqq", f"{TAG_PREFIX}financing", "", "融資 xyzzyqq", "融資"])
    assert not rows[:3].any()
    assert np.allclose(rows[3], rows[4])


def test_a_word_in_most_messages_weighs_less(fitted: SifEmbedding) -> None:
    table = word_vectors()
    common, rare = table.rows["困る"], table.rows["融資"]
    assert fitted.weights_[common] < fitted.weights_[rare] < fitted.weights_[table.rows["田植え"]] == 1.0
    # so a message of both points nearer the rare word than the common one
    both = fitted.transform(["融資 困る"])[0]
    vectors = table.vectors * table.scales
    direction = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert both @ direction[rare] > both @ direction[common]


def test_a_view_fitted_with_another_table_is_refused(fitted: SifEmbedding) -> None:
    stale = copy.deepcopy(fitted)
    stale.table_digest_ = "0" * 64
    with pytest.raises(WordVectorsError, match="other word vectors"):
        stale.transform(["融資"])


def _write(path: Path, **arrays: np.ndarray) -> Path:
    with path.open("wb") as handle:
        np.savez(handle, **arrays)
    return path


def test_a_missing_or_malformed_table_is_a_clear_error(tmp_path: Path) -> None:
    good = {
        "lemma_utf8": np.frombuffer("融資資金".encode(), dtype=np.uint8),
        "lemma_ends": np.array([6, 12], dtype=np.int64),
        "lemma_rows": np.array([0, 1], dtype=np.uint16),
        "vectors": np.eye(2, dtype=np.int8),
        "scales": np.ones(2, dtype=np.float32),
    }
    table = word_vectors(_write(tmp_path / "good.npz", **good))
    assert table.rows == {"融資": 0, "資金": 1}
    with pytest.raises(WordVectorsError, match="cannot read"):
        word_vectors(tmp_path / "missing.npz")
    (tmp_path / "text.npz").write_text("not an archive", "utf-8")
    with pytest.raises(WordVectorsError, match="cannot read"):
        word_vectors(tmp_path / "text.npz")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes((tmp_path / "good.npz").read_bytes()[:200])
    with pytest.raises(WordVectorsError, match="cannot read"):
        word_vectors(truncated)
    with pytest.raises(WordVectorsError, match="cannot read"):
        word_vectors(_write(tmp_path / "partial.npz", vectors=good["vectors"]))
    wrong_type = {**good, "vectors": good["vectors"].astype(np.float16)}
    with pytest.raises(WordVectorsError, match="vectors is float16"):
        word_vectors(_write(tmp_path / "float16.npz", **wrong_type))
    twice = {**good, "lemma_utf8": np.frombuffer("融資融資".encode(), dtype=np.uint8)}
    with pytest.raises(WordVectorsError, match="listed twice"):
        word_vectors(_write(tmp_path / "twice.npz", **twice))
    broken = {**good, "lemma_utf8": np.frombuffer(b"\xff" * 12, dtype=np.uint8)}
    with pytest.raises(WordVectorsError, match="not UTF-8"):
        word_vectors(_write(tmp_path / "broken.npz", **broken))
    beyond = {**good, "lemma_rows": np.array([0, 2], dtype=np.uint16)}
    with pytest.raises(WordVectorsError, match="do not fit"):
        word_vectors(_write(tmp_path / "beyond.npz", **beyond))


def test_the_lean_table_refuses_two_lemmas_with_one_hash() -> None:
    utf8 = np.frombuffer("融資融資".encode(), dtype=np.uint8)
    table = WordVectors(
        utf8, np.array([6, 12]), np.array([0, 1]), np.eye(2, dtype=np.int8), np.ones(2), "duplicate", {}
    )
    with pytest.raises(WordVectorsError, match="share a hash"):
        _vector_table(table)


def _small_pipeline_texts(taxonomy: Taxonomy) -> tuple[list[str], list[str]]:
    examples = load_corpus(CORPUS, taxonomy.ids)[::20]
    return [e.text for e in examples], [e.label for e in examples]


@pytest.mark.parametrize("views", [4, 3], ids=["with vectors", "trained before the vectors"])
def test_the_lean_scorer_reproduces_the_pipeline(taxonomy: Taxonomy, views: int) -> None:
    """Models with and without the word-vector view (older ones) score alike on both paths."""
    texts, labels = _small_pipeline_texts(taxonomy)
    pipeline = build_pipeline()
    features = pipeline.named_steps["features"]
    features.transformers = features.transformers[:views]
    pipeline.fit(as_columns([prepare(t) for t in texts]), np.array(labels))
    scorer = LeanScorer(pipeline, cue_lexicon())
    # The three ways a lemma meets the vectors: in the vocabulary with a vector (融資), in
    # it without one (スマホ), outside it with one (跡目, which the corpus never uses).
    vocabulary, table = features.named_transformers_["words"].vocabulary_, word_vectors()
    assert "融資" in vocabulary and "融資" in table.rows
    assert "スマホ" in vocabulary and "スマホ" not in table.rows
    assert "跡目" not in vocabulary and "跡目" in table.rows
    probes = ["跡目を継ぐ者がいない", "融資の相談", "スマホで注文を受けたい", "xyzzy", "うちの畑の野菜を売りたい", "あ"]
    prepared = [prepare(t) for t in probes]
    expected = pipeline.predict_proba(as_columns(prepared))
    for row, item in zip(expected, prepared, strict=True):
        assert np.abs(np.array(scorer.score(item).probabilities) - row).max() < 1e-9
        assert np.abs(np.array(scorer.score_text(item.normalized).probabilities) - row).max() < 1e-9

