"""Promotion guarded by the fixed evaluation split, and side-by-side comparison of versions.

Cross-validated scores of two versions are not comparable (they were measured on different
training sets), so every version is also scored on one fixed split (data/eval/unseen.jsonl)
that no training ever sees. The score is stored in the version's metadata with the digest
of the split; when the split changes, the score is measured again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nlp.classifier import Classifier
from nlp.corpus import Example
from nlp.evaluation import LabelScore, Report, evaluate
from nlp.features import as_columns, prepare
from nlp.registry import ModelError, ModelRegistry
from nlp.training import data_hash

DEFAULT_TOLERANCE = 0.01


class PromotionRefusedError(ModelError):
    """The candidate scores worse than the current model beyond the tolerance."""

    def __init__(self, check: PromotionCheck) -> None:
        super().__init__(check.explain())
        self.check = check


@dataclass(frozen=True, slots=True)
class Scored:
    """One version's score on the fixed split and its prediction for every example."""

    version: str
    report: Report
    predictions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PromotionCheck:
    """Current versus candidate on the fixed split."""

    current: Scored | None
    candidate: Scored
    tolerance: float

    @property
    def drops(self) -> dict[str, tuple[float, float]]:
        """Labels whose F1 falls by more than the tolerance: label -> (current, candidate)."""
        if self.current is None:
            return {}
        before, after = self.current.report.per_label, self.candidate.report.per_label
        return {
            label: (before[label].f1, after[label].f1)
            for label in before
            if label in after and before[label].f1 - after[label].f1 > self.tolerance
        }

    @property
    def acceptable(self) -> bool:
        """Macro-F1 is not worse than the current model's by more than the tolerance."""
        if self.current is None:
            return True
        return self.candidate.report.macro_f1 >= self.current.report.macro_f1 - self.tolerance

    def explain(self) -> str:
        """The numbers, in one paragraph an admin can act on."""
        candidate = self.candidate
        if self.current is None:
            return f"{candidate.version}: macro-F1 {candidate.report.macro_f1:.4f} on the fixed split"
        current = self.current
        verdict = "not worse" if self.acceptable else "worse"
        lines = [
            f"{candidate.version} is {verdict} than the current {current.version} on the fixed evaluation"
            f" split ({candidate.report.count} examples): macro-F1 {current.report.macro_f1:.4f} ->"
            f" {candidate.report.macro_f1:.4f} (tolerance {self.tolerance:.4f})"
        ]
        for label, (before, after) in sorted(self.drops.items()):
            lines.append(f"  {label}: F1 {before:.4f} -> {after:.4f} ({after - before:+.4f})")
        if not self.acceptable:
            lines.append("use --force to promote it anyway")
        return "\n".join(lines)


def predict_labels(classifier: Classifier, examples: Sequence[Example]) -> list[str]:
    """The top label of ``classifier`` for each example (the full pipeline, as evaluate does)."""
    if not examples:
        return []
    probabilities = classifier.pipeline.predict_proba(as_columns([prepare(e.text) for e in examples]))
    labels = list(classifier.labels)
    return [labels[i] for i in probabilities.argmax(axis=1)]


def score_split(
    classifier: Classifier, examples: Sequence[Example], labels: Sequence[str]
) -> dict[str, Any]:
    """The metadata entry for the fixed split: its digest, the report and the predictions."""
    predictions = predict_labels(classifier, examples)
    report = evaluate(labels, [e.label for e in examples], predictions)
    return {"data_hash": data_hash(examples), "report": report.as_dict(), "predictions": predictions}


def report_from_dict(data: dict[str, Any]) -> Report:
    """Rebuild a `Report` from its stored JSON shape."""
    return Report(
        accuracy=float(data["accuracy"]),
        macro_f1=float(data["macro_f1"]),
        per_label={k: LabelScore(**v) for k, v in data["per_label"].items()},
        labels=tuple(data["labels"]),
        confusion=tuple(tuple(int(v) for v in row) for row in data["confusion"]),
        count=int(data["count"]),
    )


def scored(
    registry: ModelRegistry, version: str, examples: Sequence[Example], labels: Sequence[str]
) -> Scored:
    """``version``'s fixed-split score: the stored one when it was measured on this very
    split, otherwise measured now (loading verifies the artifact) and stored."""
    evaluation = registry.meta(version).evaluation
    if evaluation.get("data_hash") != data_hash(examples) or "predictions" not in evaluation:
        evaluation = score_split(registry.load(version), examples, labels)
        registry.set_evaluation(version, evaluation)
    return Scored(version, report_from_dict(evaluation["report"]), tuple(evaluation["predictions"]))


def promote_checked(
    registry: ModelRegistry,
    version: str,
    examples: Sequence[Example],
    labels: Sequence[str],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    force: bool = False,
) -> PromotionCheck:
    """Promote ``version`` unless it is worse than the current model on the fixed split.

    The artifact is loaded (checksum and type allowlist) before anything changes; a worse
    version raises `PromotionRefusedError` with the numbers unless ``force``.
    """
    registry.load(version)
    current = registry.current_version()
    check = PromotionCheck(
        current=scored(registry, current, examples, labels) if current and current != version else None,
        candidate=scored(registry, version, examples, labels),
        tolerance=tolerance,
    )
    if not check.acceptable and not force:
        raise PromotionRefusedError(check)
    registry.promote(version)
    return check


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two versions on the fixed split: per-label F1 and the examples that changed."""

    a: Scored
    b: Scored
    changed: tuple[tuple[str, str, str, str], ...]  # text, truth, prediction of a, of b

    def per_label(self) -> dict[str, tuple[float, float]]:
        """label -> (F1 of a, F1 of b)."""
        return {
            label: (score.f1, self.b.report.per_label[label].f1)
            for label, score in self.a.report.per_label.items()
            if label in self.b.report.per_label
        }

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `madoguchi models compare --json`."""
        return {
            "a": {"version": self.a.version, "macro_f1": self.a.report.macro_f1},
            "b": {"version": self.b.version, "macro_f1": self.b.report.macro_f1},
            "per_label": {
                label: {"a": fa, "b": fb, "difference": round(fb - fa, 4)}
                for label, (fa, fb) in self.per_label().items()
            },
            "changed": [
                {"text": text, "label": truth, "a": pa, "b": pb} for text, truth, pa, pb in self.changed
            ],
        }


def compare(
    registry: ModelRegistry, a: str, b: str, examples: Sequence[Example], labels: Sequence[str]
) -> Comparison:
    """Compare versions ``a`` and ``b`` on the fixed split."""
    first, second = scored(registry, a, examples, labels), scored(registry, b, examples, labels)
    changed = tuple(
        (example.text, example.label, pa, pb)
        for example, pa, pb in zip(examples, first.predictions, second.predictions, strict=True)
        if pa != pb
    )
    return Comparison(first, second, changed)
