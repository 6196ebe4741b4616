"""Make sure a promoted model exists: a fresh checkout trains one on first use."""

from __future__ import annotations

from pathlib import Path

from nlp.classifier import Classifier
from nlp.corpus import load_corpus
from nlp.registry import ModelMeta, ModelRegistry
from nlp.taxonomy import Taxonomy
from nlp.training import Progress, train


def train_and_register(
    registry: ModelRegistry,
    corpus_dir: Path,
    taxonomy: Taxonomy,
    progress: Progress | None = None,
) -> ModelMeta:
    """Train on the repository corpus and register the result as a new version."""
    examples = load_corpus(corpus_dir, taxonomy.ids)
    result = train(examples, progress=progress)
    return registry.register(result)


def ensure_classifier(
    registry: ModelRegistry,
    corpus_dir: Path,
    taxonomy: Taxonomy,
    progress: Progress | None = None,
) -> Classifier:
    """Load the promoted model, training and promoting the first one if there is none."""
    if registry.current_version() is None:
        meta = train_and_register(registry, corpus_dir, taxonomy, progress)
        if registry.current_version() is None:  # another process may have won the race
            registry.promote(meta.version)
    return registry.load()
