"""The trained classifier as the rest of madoguchi sees it: one text in, one decision out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sklearn.pipeline import Pipeline

from nlp.cues import cue_lexicon
from nlp.features import Prepared
from nlp.lean import LeanScorer, Scores
from nlp.taxonomy import OTHER


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a result counts as uncertain, and when another label counts as present.

    ``confidence`` holds one minimum top score per label, tuned on out-of-fold predictions
    so that confident predictions of that label reach the target precision.
    """

    confidence: dict[str, float]
    margin: float = 0.15
    secondary: float = 0.0  # minimum one-vs-rest SVM score of a secondary label
    default_confidence: float = 0.5


class Classification(NamedTuple):
    """What the classifier says about one message (a NamedTuple: see `Scores`)."""

    label: str
    confidence: float  # the label's probability, unrounded (`Understanding.as_dict` rounds it)
    uncertain: bool
    secondary: tuple[str, ...]
    labels: tuple[str, ...]
    probabilities: tuple[float, ...]
    explanation: tuple[str, ...]
    model_version: str
    runner_up: str = OTHER

    @property
    def scores(self) -> dict[str, float]:
        """Probability per label, rounded for people (built on demand: most callers only
        need the label)."""
        return {label: round(p, 4) for label, p in zip(self.labels, self.probabilities, strict=True)}

    def likeliest(self, n: int = 3) -> list[str]:
        """The ``n`` likeliest labels, best first."""
        order = sorted(range(len(self.labels)), key=self.probabilities.__getitem__, reverse=True)
        return [self.labels[i] for i in order[:n]]


class Classifier:
    """A fitted pipeline, its lean scorer and its thresholds, under one version id."""

    def __init__(self, pipeline: Pipeline, thresholds: Thresholds, version: str) -> None:
        self.pipeline = pipeline
        self.thresholds = thresholds
        self.version = version
        self._scorer = LeanScorer(pipeline, cue_lexicon())
        self.labels = self._scorer.labels

    def classify(self, prepared: Prepared, explain: bool = True) -> Classification:
        """Classify one prepared message."""
        return self.decide(self._scorer.score(prepared, explain=explain))

    def classify_text(self, normalized: str, explain: bool = True) -> Classification:
        """Classify one normalised message the fast way (the same result as
        ``classify(prepare(text))``)."""
        return self.decide(self._scorer.score_text(normalized, explain))

    def decide(self, scores: Scores) -> Classification:
        """Turn calibrated probabilities into label, secondary labels and uncertainty."""
        labels = self.labels
        probabilities, decision, explanation, order = scores
        top, second = order[0], order[1]
        label = labels[top]
        confidence = probabilities[top]
        thresholds = self.thresholds
        needed = thresholds.confidence.get(label, thresholds.default_confidence)
        uncertain = confidence < needed or confidence - probabilities[second] < thresholds.margin
        secondary: tuple[str, ...] = ()
        floor = thresholds.secondary
        # A strictly lower probability means a strictly lower decision value (the
        # calibration's inverse temperature is positive). So when the runner-up is below
        # the floor and every later label is strictly less probable, no label is over it:
        # the usual case. (Tied probabilities, e.g. underflowed to 0, keep label order.)
        if label != OTHER and (
            decision[second] >= floor or (len(order) > 2 and probabilities[order[2]] == probabilities[second])
        ):
            secondary = tuple([labels[i] for i in order[1:] if decision[i] >= floor and labels[i] != OTHER])
        # Positional: this runs once per message (fields in declaration order).
        return Classification(
            label,
            confidence,
            uncertain,
            secondary,
            labels,
            probabilities,
            explanation,
            self.version,
            labels[second],
        )
