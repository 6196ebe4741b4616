"""A lean single-message scorer that reuses the fitted pipeline's own weights.

Calling ``Pipeline.predict_proba`` on one document costs about twenty fugashi
tokenisations (input validation, sparse matrices, several transformers). This module reads
the vocabularies, idf weights, SVM coefficients and calibration temperature out of the
fitted pipeline once. Because every view is binary tf-idf with l2 norm, a view adds
``sum(idf_j * W_j) / sqrt(sum(idf_j ** 2))`` over its distinct terms to the SVM decision.
We keep ``idf_j * W_j`` for all views in one matrix, so a message costs dictionary
look-ups, one gather and one dot product. Tests check it against ``predict_proba``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.pipeline import Pipeline

from nlp.features import CHARS, READING, WORDS, Prepared

EXPLANATION_TERMS = 6
_EXPECTED_VIEWS = {"words": WORDS, "chars": CHARS, "reading": READING}


@dataclass(frozen=True, slots=True)
class Scores:
    """Calibrated probabilities (in label order) and the terms that pushed the top label."""

    probabilities: tuple[float, ...]
    explanation: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _View:
    name: str
    vocabulary: dict[str, int]  # term -> row of the shared weight matrix
    ngrams: tuple[int, ...]  # n-gram sizes; empty for lemma tokens


def _ngrams(text: str, sizes: tuple[int, ...]) -> set[str]:
    """Distinct character n-grams, exactly as scikit-learn's ``analyzer="char"`` makes them."""
    length = len(text)
    return {text[i : i + n] for n in sizes for i in range(length - n + 1)}


class LeanScorer:
    """Scores one prepared message exactly as the fitted pipeline would."""

    def __init__(self, pipeline: Pipeline) -> None:
        features = pipeline.named_steps["features"]
        calibrated = pipeline.named_steps["classifier"]
        inner = calibrated.calibrated_classifiers_[0]
        svm = inner.estimator
        self.labels: tuple[str, ...] = tuple(str(c) for c in calibrated.classes_)
        self._beta = float(inner.calibrators[0].beta_)
        self._bias = np.asarray(svm.intercept_, dtype=np.float64)
        coef = np.asarray(svm.coef_, dtype=np.float64)
        views: list[_View] = []
        blocks: list[np.ndarray] = []
        idf_squared: list[float] = []
        names: list[str] = []
        for name, vectorizer, column in features.transformers_:
            if _EXPECTED_VIEWS.get(name) != column or not vectorizer.binary or vectorizer.norm != "l2":
                raise ValueError(f"the lean scorer cannot reproduce feature view {name!r}")
            idf = np.asarray(vectorizer.idf_, dtype=np.float64)
            offset = len(names)
            terms = [""] * len(vectorizer.vocabulary_)
            for term, index in vectorizer.vocabulary_.items():
                terms[index] = str(term)
            names.extend(terms)
            idf_squared.extend((idf * idf).tolist())
            blocks.append(coef[:, features.output_indices_[name]].T * idf[:, None])
            low, high = vectorizer.ngram_range
            sizes = () if vectorizer.analyzer == "word" else tuple(range(low, high + 1))
            if vectorizer.analyzer not in ("word", "char"):
                raise ValueError(f"unsupported analyzer in view {name!r}")
            vocabulary = {term: offset + i for i, term in enumerate(terms)}
            views.append(_View(name, vocabulary, sizes))
        self._views = tuple(views)
        self._weighted = np.ascontiguousarray(np.vstack(blocks))
        self._idf_squared = idf_squared
        self._names = names

    def _terms(self, view: _View, prepared: Prepared) -> set[str]:
        if not view.ngrams:
            return set(prepared.lemmas)
        text = prepared.normalized if view.name == "chars" else prepared.reading
        return _ngrams(text, view.ngrams)

    def score(self, prepared: Prepared, explain: bool = True) -> Scores:
        """Calibrated probabilities per label for one message."""
        rows: list[int] = []
        scale: list[float] = []
        explainable: list[tuple[int, int]] = []  # (start, end) in rows of word/char views
        squared = self._idf_squared
        for view in self._views:
            hits = [i for i in map(view.vocabulary.get, self._terms(view, prepared)) if i is not None]
            if not hits:
                continue
            if view.name != "reading":
                explainable.append((len(rows), len(rows) + len(hits)))
            rows.extend(hits)
            scale.extend([1.0 / math.sqrt(sum(map(squared.__getitem__, hits)))] * len(hits))
        if rows:
            gathered = self._weighted[rows]
            decision = (np.dot(scale, gathered) + self._bias).tolist()
        else:
            decision = self._bias.tolist()
        beta = self._beta
        top = max(decision)
        exps = [math.exp(beta * (d - top)) for d in decision]
        total = sum(exps)
        probabilities = tuple(e / total for e in exps)
        explanation: tuple[str, ...] = ()
        if explain and explainable:
            label = probabilities.index(max(probabilities))
            pushes = (gathered[:, label] * scale).tolist()
            explanation = self._explain(rows, pushes, explainable)
        return Scores(probabilities, explanation)

    def _explain(
        self, rows: list[int], pushes: list[float], spans: list[tuple[int, int]]
    ) -> tuple[str, ...]:
        """The terms that pushed hardest towards the top label: lemmas first, surface
        n-grams only when no lemma pushed (reading n-grams mean nothing to a person)."""
        for start, end in spans:
            ranked = sorted(zip(pushes[start:end], rows[start:end], strict=True), reverse=True)
            terms: list[str] = []
            for push, row in ranked:
                if push <= 0:
                    break
                term = self._names[row].strip()
                if term and not any(term in t or t in term for t in terms):
                    terms.append(term)
                if len(terms) == EXPLANATION_TERMS:
                    break
            if terms:
                return tuple(terms)
        return ()
