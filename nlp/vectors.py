"""Pretrained word vectors, and the classifier view that averages them over a message.

The tf-idf views only know the words the corpus used. A message that says 「跡目」 (the
corpus never does) gets nothing from them for it, yet its word vector is that of 「跡継ぎ」;
「倅」 lies near 「息子」. The table (`nlp/word_vectors.npz`, built by
scripts/build_word_vectors.py from chiVe via ja-ginza) maps every UniDic lemma that has a
vector to a row, stored as int8 codes with one scale per dimension.

`SifEmbedding` turns a message's lemmas into one vector: the smooth-inverse-frequency
weighted sum of its distinct lemmas' vectors (a word in most messages, such as 困る,
counts little), scaled to length ``scale``. It is an ordinary scikit-learn transformer,
trusted by the registry's skops loader; the lean scorer reads its fitted weights.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from nlp.native import split_utf8

TABLE_PATH = Path(__file__).resolve().parent / "word_vectors.npz"
_ARRAYS = {
    "lemma_utf8": np.uint8,
    "lemma_ends": np.int64,
    "lemma_rows": np.uint16,
    "vectors": np.int8,
    "scales": np.float32,
}


class WordVectorsError(ValueError):
    """The word-vector table is missing, malformed, or not the one a model was fitted with."""


@dataclass(frozen=True, slots=True)
class WordVectors:
    """The table: lemma i is ``lemma_utf8[lemma_ends[i-1]:lemma_ends[i]]``, its vector
    ``vectors[lemma_rows[i]] * scales``. Lemmas share rows: the rarer words chiVe had were
    mapped by ja-ginza onto the nearest of the 20,000 vectors it kept (跡目 onto 跡継ぎ's;
    one row holds 564 rare lemmas). The view therefore counts rows, not lemmas."""

    lemma_utf8: np.ndarray  # uint8
    lemma_ends: np.ndarray  # int64
    lemma_rows: np.ndarray  # int64
    vectors: np.ndarray  # int8 (rows, dimensions): codes
    scales: np.ndarray  # float64 (dimensions): what one step of a code is worth
    # sha256 of the arrays (not of the file, whose zip entries carry write times): a
    # fitted view names the table it was fitted with
    digest: str
    rows: dict[str, int] = field(compare=False, repr=False)  # lemma to row, from the arrays

    def lemmas(self) -> list[str]:
        return split_utf8(self.lemma_utf8, self.lemma_ends)


@functools.cache
def word_vectors(path: Path = TABLE_PATH) -> WordVectors:
    """The table at ``path``, read once per process (np.load without pickle)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in _ARRAYS}
    except Exception as exc:  # a missing file, a damaged zip (BadZipFile), a missing array...
        raise WordVectorsError(f"cannot read the word vectors at {path}: {exc}") from exc
    for name, dtype in _ARRAYS.items():
        if arrays[name].dtype != dtype:
            raise WordVectorsError(f"{path}: {name} is {arrays[name].dtype}, expected {np.dtype(dtype)}")
    ends, rows, vectors = arrays["lemma_ends"], arrays["lemma_rows"], arrays["vectors"]
    if (
        vectors.ndim != 2
        or arrays["scales"].shape != vectors.shape[1:]
        or ends.shape != rows.shape
        or (len(ends) and (ends[-1] != len(arrays["lemma_utf8"]) or rows.max() >= len(vectors)))
    ):
        raise WordVectorsError(f"{path}: the arrays do not fit together")
    digest = hashlib.sha256()
    for name in _ARRAYS:
        digest.update(f"{name}{arrays[name].shape}".encode())
        digest.update(np.ascontiguousarray(arrays[name]).tobytes())
    try:
        lemmas = split_utf8(arrays["lemma_utf8"], ends)
    except UnicodeDecodeError as exc:
        raise WordVectorsError(f"{path}: a lemma is not UTF-8: {exc}") from exc
    by_lemma = dict(zip(lemmas, rows.tolist(), strict=True))
    if len(by_lemma) != len(lemmas):
        raise WordVectorsError(f"{path}: a lemma is listed twice")
    return WordVectors(
        arrays["lemma_utf8"],
        ends,
        rows.astype(np.int64),
        vectors,
        arrays["scales"].astype(np.float64),
        digest.hexdigest(),
        by_lemma,
    )


class SifEmbedding(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Each message (the words column: lemmas and cue tags, space-separated; no tag is a
    lemma of the table) as ``scale * v / |v|``, where ``v`` sums the distinct vector rows
    of its lemmas, each weighted by ``smoothing / (smoothing + share of training messages
    holding the row)``.

    Chosen by 5-fold cross-validation (macro-F1): normalising the length beat dividing by
    the weights' sum or by their root sum of squares; ``scale`` 0.5 weighs the view
    against the three unit-length tf-idf views.
    """

    def __init__(self, scale: float = 0.5, smoothing: float = 0.02) -> None:
        self.scale = scale
        self.smoothing = smoothing

    def fit(self, documents: Iterable[str], y: object = None) -> SifEmbedding:
        table = word_vectors()
        counts = np.zeros(len(table.vectors))
        total = 0
        for document in documents:
            counts[self._rows(table, document)] += 1
            total += 1
        self.weights_ = self.smoothing / (self.smoothing + counts / max(total, 1))
        self.table_digest_ = table.digest
        return self

    def transform(self, documents: Iterable[str]) -> np.ndarray:
        table = self.table()
        items = list(documents)
        out = np.zeros((len(items), table.vectors.shape[1]))
        for index, document in enumerate(items):
            rows = self._rows(table, document)
            if rows:
                # codes first, then the scales: the order of the lean scorer's sums
                summed = (self.weights_[rows] @ table.vectors[rows].astype(np.float64)) * table.scales
                length = float(np.sqrt(summed @ summed))
                if length > 0:
                    out[index] = self.scale * summed / length
        return out

    def table(self) -> WordVectors:
        """The word vectors this view was fitted with (refuses a different table)."""
        table = word_vectors()
        if table.digest != self.table_digest_:
            raise WordVectorsError(
                "this model was fitted with other word vectors than nlp/word_vectors.npz has "
                "(as this process read it): retrain it, or restart a service that has run "
                "since the table changed"
            )
        return table

    @staticmethod
    def _rows(table: WordVectors, document: str) -> list[int]:
        """The distinct vector rows of a document's lemmas, ascending (the order the
        lean scorer sums them in)."""
        rows = table.rows
        return sorted({rows[w] for w in document.split(" ") if w in rows})
