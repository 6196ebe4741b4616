"""Reduced copies of the repository corpus, for tests that train more than once.

Training on the whole corpus takes about half a minute; the first ``per_label`` examples
of each label train in a few seconds. ``damage`` relabels a share of them on purpose (each
to the next label in the taxonomy), which makes an honestly worse model.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from madoguchi.settings import REPO_ROOT
from nlp.corpus import load_corpus
from nlp.taxonomy import Taxonomy

CORPUS = REPO_ROOT / "data" / "corpus"


def write_small_corpus(target: Path, taxonomy: Taxonomy, *, per_label: int, damage: float = 0.0) -> Path:
    """Write the reduced corpus to ``target`` (one JSONL file) and return the directory."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for example in load_corpus(CORPUS, taxonomy.ids):
        if len(by_label[example.label]) < per_label:
            by_label[example.label].append(example.text)
    ids = list(taxonomy.ids)
    lines = []
    for label, texts in by_label.items():
        wrong = ids[(ids.index(label) + 1) % len(ids)]
        cut = int(len(texts) * damage)
        for number, text in enumerate(texts):
            lines.append(json.dumps({"text": text, "label": wrong if number < cut else label}, ensure_ascii=False))
    target.mkdir(parents=True, exist_ok=True)
    (target / "corpus.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return target
