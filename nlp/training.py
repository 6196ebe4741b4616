"""Training: cross-validated metrics, threshold tuning and the final fit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from nlp.augment import hiragana_variant
from nlp.classifier import Thresholds
from nlp.corpus import Example
from nlp.evaluation import Report, evaluate
from nlp.features import Prepared, as_columns, build_pipeline, prepare

Progress = Callable[[str, int, int], None]
TARGET_PRECISION = 0.9
CONFIDENCE_BOUNDS = (0.35, 0.9)
SECONDARY_GRID = tuple(round(x, 2) for x in np.arange(-1.0, 0.51, 0.05))


@dataclass(frozen=True, slots=True)
class TrainingResult:
    """A fitted pipeline with its thresholds and cross-validated report."""

    pipeline: Pipeline
    thresholds: Thresholds
    report: Report
    data_hash: str
    examples: int


def data_hash(examples: Sequence[Example]) -> str:
    """A stable digest of the training data (text, label, secondary)."""
    digest = hashlib.sha256()
    for example in examples:
        line = json.dumps([example.text, example.label, list(example.secondary)], ensure_ascii=False)
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def fit_pipeline(prepared: Sequence[Prepared], labels: Sequence[str]) -> Pipeline:
    """Fit a fresh pipeline on ``prepared`` plus their hiragana variants."""
    items = list(prepared)
    targets = list(labels)
    for item, label in zip(prepared, labels, strict=True):
        variant = hiragana_variant(item.normalized)
        if variant:
            items.append(prepare(variant))
            targets.append(label)
    return build_pipeline().fit(as_columns(items), np.array(targets))


def decision_values(model: Pipeline, matrix: np.ndarray) -> np.ndarray:
    """The SVM's one-vs-rest scores (before calibration): each label's own evidence."""
    features = model.named_steps["features"].transform(matrix)
    svm = model.named_steps["classifier"].calibrated_classifiers_[0].estimator
    values: np.ndarray = svm.decision_function(features)
    return values


def out_of_fold(
    examples: Sequence[Example], folds: int, seed: int, progress: Progress | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Probabilities and one-vs-rest scores for every example from a model that never saw
    it (nor its hiragana variant)."""
    prepared = [prepare(e.text) for e in examples]
    matrix = as_columns(prepared)
    labels = np.array([e.label for e in examples])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    classes = sorted(set(labels))
    probabilities = np.zeros((len(examples), len(classes)))
    decisions = np.zeros((len(examples), len(classes)))
    for number, (train, test) in enumerate(splitter.split(matrix, labels), start=1):
        model = fit_pipeline([prepared[i] for i in train], [str(labels[i]) for i in train])
        probabilities[test] = model.predict_proba(matrix[test])
        decisions[test] = decision_values(model, matrix[test])
        if progress:
            progress("cross-validation", number, folds)
    return probabilities, decisions, classes


def tune_confidence(
    probabilities: np.ndarray, classes: Sequence[str], truth: Sequence[str]
) -> dict[str, float]:
    """Per label, the lowest top score at which its predictions reach the target precision."""
    predicted = probabilities.argmax(axis=1)
    top = probabilities.max(axis=1)
    truth_array = np.asarray(truth)
    low, high = CONFIDENCE_BOUNDS
    tuned: dict[str, float] = {}
    for index, label in enumerate(classes):
        chosen = high
        mask = predicted == index
        for threshold in np.arange(low, high + 1e-9, 0.05):
            kept = mask & (top >= threshold)
            if kept.sum() >= 5 and (truth_array[kept] == label).mean() >= TARGET_PRECISION:
                chosen = float(threshold)
                break
        tuned[label] = round(chosen, 2)
    return tuned


def tune_secondary(
    decisions: np.ndarray, probabilities: np.ndarray, classes: Sequence[str], examples: Sequence[Example]
) -> float:
    """The one-vs-rest score above which a non-primary label best matches the annotated
    secondary needs (F1 over all examples: a guess on a plain message is a false alarm).

    Calibrated probabilities are no use here: a softmax puts nearly all its mass on one
    label even when a message clearly has two needs.
    """
    best, best_f1 = 0.0, -1.0
    tops = probabilities.argmax(axis=1)
    for threshold in SECONDARY_GRID:
        hit = predicted_count = gold_count = 0
        for row, top, example in zip(decisions, tops, examples, strict=True):
            guessed = {classes[i] for i, d in enumerate(row) if i != top and d >= threshold} - {"other"}
            gold = set(example.secondary)
            hit += len(guessed & gold)
            predicted_count += len(guessed)
            gold_count += len(gold)
        precision = hit / predicted_count if predicted_count else 0.0
        recall = hit / gold_count if gold_count else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return best


def train(
    examples: Sequence[Example], *, folds: int = 5, seed: int = 0, progress: Progress | None = None
) -> TrainingResult:
    """Cross-validate, tune thresholds on out-of-fold predictions, then fit on everything."""
    probabilities, decisions, classes = out_of_fold(examples, folds, seed, progress)
    truth = [e.label for e in examples]
    predicted = [classes[i] for i in probabilities.argmax(axis=1)]
    report = evaluate(classes, truth, predicted)
    thresholds = Thresholds(
        confidence=tune_confidence(probabilities, classes, truth),
        secondary=tune_secondary(decisions, probabilities, classes, examples),
    )
    pipeline = fit_pipeline([prepare(e.text) for e in examples], truth)
    if progress:
        progress("final fit", 1, 1)
    return TrainingResult(pipeline, thresholds, report, data_hash(examples), len(examples))
