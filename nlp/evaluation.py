"""Classification metrics and the confusion-matrix picture."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Precision, recall, F1 and support of one label."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Report:
    """Accuracy, macro-F1, per-label scores and the confusion matrix (rows = truth)."""

    accuracy: float
    macro_f1: float
    per_label: dict[str, LabelScore]
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]
    count: int

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        data = asdict(self)
        data["labels"] = list(self.labels)
        data["confusion"] = [list(row) for row in self.confusion]
        return data


def evaluate(labels: Sequence[str], truth: Sequence[str], predicted: Sequence[str]) -> Report:
    """Score ``predicted`` against ``truth`` over the given label order."""
    label_list = list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=label_list, zero_division=0
    )
    present = [i for i, s in enumerate(support) if s > 0]
    per_label = {
        label: LabelScore(
            round(float(precision[i]), 4),
            round(float(recall[i]), 4),
            round(float(f1[i]), 4),
            int(support[i]),
        )
        for i, label in enumerate(label_list)
    }
    matrix = confusion_matrix(truth, predicted, labels=label_list)
    return Report(
        accuracy=round(float(accuracy_score(truth, predicted)), 4),
        macro_f1=round(float(np.mean([f1[i] for i in present])) if present else 0.0, 4),
        per_label=per_label,
        labels=tuple(label_list),
        confusion=tuple(tuple(int(v) for v in row) for row in matrix),
        count=len(truth),
    )


def format_report(report: Report) -> str:
    """A plain-text table for terminals."""
    lines = [
        f"examples {report.count}   accuracy {report.accuracy:.3f}   macro-F1 {report.macro_f1:.3f}",
        f"{'label':<14}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}",
    ]
    for label, score in report.per_label.items():
        lines.append(
            f"{label:<14}{score.precision:>10.3f}{score.recall:>10.3f}{score.f1:>10.3f}{score.support:>9}"
        )
    width = max(len(label) for label in report.labels)
    lines.append("")
    lines.append("confusion (rows: truth, columns: predicted)")
    lines.append(" " * (width + 1) + " ".join(f"{label[:5]:>5}" for label in report.labels))
    for label, row in zip(report.labels, report.confusion, strict=True):
        lines.append(f"{label:<{width}} " + " ".join(f"{v:>5}" for v in row))
    return "\n".join(lines)


def plot_confusion(report: Report, path: Path) -> None:
    """Write the confusion matrix as a PNG heat map."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.array(report.confusion)
    fig, ax = plt.subplots(figsize=(7, 6), dpi=110)
    ax.imshow(matrix, cmap="Blues")
    ticks = range(len(report.labels))
    ax.set_xticks(list(ticks), report.labels, rotation=45, ha="right")
    ax.set_yticks(list(ticks), report.labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("truth")
    ax.set_title(f"macro-F1 {report.macro_f1:.3f}  (n={report.count})")
    limit = matrix.max() / 2 if matrix.size else 0
    for (row, col), value in np.ndenumerate(matrix):
        ax.text(col, row, str(value), ha="center", va="center",
                color="white" if value > limit else "black", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
