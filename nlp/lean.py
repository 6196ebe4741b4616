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
    decision: tuple[float, ...]  # the SVM's one-vs-rest scores, before calibration
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
        self._idf_squared = np.array(idf_squared, dtype=np.float64)
        self._names = names

    def _terms(self, view: _View, prepared: Prepared) -> set[str]:
        if not view.ngrams:
            return set(prepared.lemmas)
        text = prepared.normalized if view.name == "chars" else prepared.reading
        return _ngrams(text, view.ngrams)

    def score(self, prepared: Prepared, explain: bool = True) -> Scores:
        """Calibrated probabilities per label for one message."""
        rows: list[int] = []
        starts: list[int] = []
        explainable: list[int] = []  # positions in ``starts`` of the word and char views
        for view in self._views:
            hits = [i for i in map(view.vocabulary.get, self._terms(view, prepared)) if i is not None]
            if hits:
                if view.name != "reading":
                    explainable.append(len(starts))
                starts.append(len(rows))
                rows.extend(hits)
        if not rows:
            return self._probabilities(self._bias.tolist())
        index = np.array(rows, dtype=np.intp)
        gathered = self._weighted.take(index, axis=0)
        # Each view is l2-normalised on its own: sum its rows, divide by its norm.
        norms = np.sqrt(np.add.reduceat(self._idf_squared.take(index), starts))
        decision = (np.add.reduceat(gathered, starts, axis=0) / norms[:, None]).sum(axis=0) + self._bias
        probabilities = self._probabilities(decision.tolist())
        if not (explain and explainable):
            return probabilities
        label = probabilities.probabilities.index(max(probabilities.probabilities))
        bounds = [*starts, len(rows)]
        spans = [(bounds[k], bounds[k + 1], float(norms[k])) for k in explainable]
        explanation = self._explain(rows, gathered[:, label], spans)
        return Scores(probabilities.probabilities, probabilities.decision, explanation)

    def _probabilities(self, decision: list[float]) -> Scores:
        """Temperature-scaled softmax, in plain Python (ten labels: cheaper than numpy)."""
        beta = self._beta
        top = max(decision)
        exps = [math.exp(beta * (d - top)) for d in decision]
        total = sum(exps)
        return Scores(tuple(e / total for e in exps), tuple(decision), ())

    def _explain(
        self, rows: list[int], column: np.ndarray, spans: list[tuple[int, int, float]]
    ) -> tuple[str, ...]:
        """The terms that pushed hardest towards the top label: lemmas first, surface
        n-grams only when no lemma pushed (reading n-grams mean nothing to a person)."""
        for start, end, norm in spans:
            pushes = (column[start:end] / norm).tolist()
            ranked = sorted(zip(pushes, rows[start:end], strict=True), reverse=True)
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
