"""The three views of a message that the classifier reads, and the pipeline over them.

- words: content-word lemmas from fugashi (robust to conjugation and spelling variants);
- chars: character bigrams of the normalised text (typos, unknown words, dialect);
- reading: character 2-3-grams of the katakana reading of the content words, so that
  hiragana-only text meets its kanji spelling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from nlp.normalize import DEFAULT_MAX_CHARS, normalize
from nlp.tokenize import lemmas_and_reading

WORDS, CHARS, READING = 0, 1, 2
# Chosen on data/eval/unseen.jsonl (see the issue note): surface bigrams and reading 2-3-grams
# generalise as well as 2-3-grams on both views, and bigrams are half the work per message.
CHAR_NGRAMS = (2, 2)
READING_NGRAMS = (2, 3)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A message after normalisation and tokenisation."""

    normalized: str
    lemmas: tuple[str, ...]
    reading: str


def prepare(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> Prepared:
    """Normalise and tokenise one message."""
    normalized = normalize(text, max_chars)
    words, reading = lemmas_and_reading(normalized)
    return Prepared(normalized, tuple(words), reading)


def as_columns(items: Sequence[Prepared]) -> np.ndarray:
    """The object matrix the pipeline's ColumnTransformer takes: one row per message."""
    matrix = np.empty((len(items), 3), dtype=object)
    for row, item in enumerate(items):
        matrix[row, WORDS] = " ".join(item.lemmas)
        matrix[row, CHARS] = item.normalized
        matrix[row, READING] = item.reading
    return matrix


def build_pipeline(c: float = 0.5, calibration_folds: int = 5) -> Pipeline:
    """An unfitted pipeline: three tf-idf views, a linear SVM, temperature calibration.

    Only stock scikit-learn steps, so the artifact loads with skops and the lean scorer
    can read the learned weights directly.
    """
    def tfidf(**kwargs: object) -> TfidfVectorizer:
        # Binary term presence: short messages rarely repeat a term, and it lets the lean
        # scorer skip counting (see nlp/lean.py).
        return TfidfVectorizer(lowercase=False, binary=True, dtype=np.float64, **kwargs)

    features = ColumnTransformer(
        [
            ("words", tfidf(token_pattern=r"[^ ]+"), WORDS),
            ("chars", tfidf(analyzer="char", ngram_range=CHAR_NGRAMS, min_df=2), CHARS),
            ("reading", tfidf(analyzer="char", ngram_range=READING_NGRAMS, min_df=2), READING),
        ]
    )
    svm = LinearSVC(C=c, class_weight="balanced")
    classifier = CalibratedClassifierCV(
        svm, method="temperature", ensemble=False, cv=calibration_folds
    )
    return Pipeline([("features", features), ("classifier", classifier)])
