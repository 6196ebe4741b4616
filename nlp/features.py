"""The four views of a message that the classifier reads, and the pipeline over them.

- words: content-word lemmas from fugashi (robust to conjugation and spelling variants),
  plus one tag per category whose domain terms the message uses (nlp/cues.py), so a
  specialist term the corpus barely knows still counts;
- chars: character 1-3-grams of the normalised text (typos, unknown words, dialect);
- reading: character 2-3-grams of the katakana reading of the content words, so that
  hiragana-only text meets its kanji spelling;
- vectors: the weighted mean direction of the lemmas' pretrained word vectors
  (nlp/vectors.py), so that words the corpus never used still count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from nlp.cues import cue_lexicon
from nlp.normalize import DEFAULT_MAX_CHARS, normalize
from nlp.tokenize import Tokens, tokens
from nlp.vectors import SifEmbedding

WORDS, CHARS, READING = 0, 1, 2
VECTORS = "vectors"  # the name of the word-vector view, which reads the WORDS column
# Chosen by 5-fold cross-validation on the corpus: surface 1-3-grams beat bigrams alone by
# almost a point of macro-F1 (single kanji such as 株 or 塾 carry meaning). N-grams seen in
# fewer than CHAR_MIN_DF (READING_MIN_DF) messages are dropped: that scored better still
# and keeps the weight tables small enough to stay in cache (see nlp/lean.py).
CHAR_NGRAMS = (1, 3)
CHAR_MIN_DF = 10
READING_MIN_DF = 5
READING_NGRAMS = (2, 3)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A message after normalisation and tokenisation."""

    normalized: str
    # Content words as arrays (the lean scorer reads them without strings); they follow from
    # ``normalized``, so equality and hashing leave them out (arrays do not compare).
    tokens: Tokens = field(compare=False)
    cues: tuple[str, ...]  # category tags of the domain terms found (nlp/cues.py)

    @property
    def lemmas(self) -> tuple[str, ...]:
        """The content-word lemmas as strings (decoded on demand: training needs them,
        the single-message path does not)."""
        return tuple(self.tokens.lemmas())

    @property
    def reading(self) -> str:
        """The katakana reading of the content words as text (for the pipeline)."""
        return self.tokens.reading_text()


def prepare(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> Prepared:
    """Normalise and tokenise one message."""
    normalized = normalize(text, max_chars)
    found = tokens(normalized)
    return Prepared(normalized, found, cue_lexicon().tags(normalized, found.reading_text()))


def as_columns(items: Sequence[Prepared]) -> np.ndarray:
    """The object matrix the pipeline's ColumnTransformer takes: one row per message."""
    matrix = np.empty((len(items), 3), dtype=object)
    for row, item in enumerate(items):
        # Tags join the lemmas in one view: as a view of their own (own l2 norm) they
        # outweighed the words and cost 0.4 points of cross-validated macro-F1; here they gain 1.2.
        matrix[row, WORDS] = " ".join(item.lemmas + item.cues)
        matrix[row, CHARS] = item.normalized
        matrix[row, READING] = item.reading
    return matrix


def word_vector_view(pipeline: Pipeline) -> SifEmbedding | None:
    """The fitted word-vector view of ``pipeline`` (None in models trained before it)."""
    view: SifEmbedding | None = pipeline.named_steps["features"].named_transformers_.get(VECTORS)
    return view


def build_pipeline(c: float = 0.5, calibration_folds: int = 5) -> Pipeline:
    """An unfitted pipeline: three tf-idf views and the word vectors, a linear SVM,
    temperature calibration.

    Stock scikit-learn steps and our `SifEmbedding` (on the registry's skops allowlist),
    so the artifact loads with skops and the lean scorer can read the learned weights
    directly.
    """
    def tfidf(**kwargs: object) -> TfidfVectorizer:
        # Binary term presence: short messages rarely repeat a term, and it lets the lean
        # scorer skip counting (see nlp/lean.py).
        return TfidfVectorizer(lowercase=False, binary=True, dtype=np.float64, **kwargs)

    features = ColumnTransformer(
        [
            ("words", tfidf(token_pattern=r"[^ ]+"), WORDS),
            ("chars", tfidf(analyzer="char", ngram_range=CHAR_NGRAMS, min_df=CHAR_MIN_DF), CHARS),
            ("reading", tfidf(analyzer="char", ngram_range=READING_NGRAMS, min_df=READING_MIN_DF), READING),
            (VECTORS, SifEmbedding(), WORDS),
        ]
    )
    # A fixed seed for the dual solver's shuffling: the same data gives the same model.
    svm = LinearSVC(C=c, class_weight="balanced", random_state=0)
    classifier = CalibratedClassifierCV(
        svm, method="temperature", ensemble=False, cv=calibration_folds
    )
    return Pipeline([("features", features), ("classifier", classifier)])
