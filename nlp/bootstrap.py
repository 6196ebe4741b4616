"""Training into the registry: the corpus plus approved feedback, scored on the fixed split.

A fresh checkout trains its first model on first use (`ensure_classifier`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from nlp.classifier import Classifier
from nlp.corpus import Example, load_corpus, read_examples
from nlp.promotion import score_split
from nlp.redact import redact
from nlp.registry import ModelMeta, ModelRegistry
from nlp.taxonomy import Taxonomy
from nlp.training import Progress, train


def training_examples(
    corpus_dir: Path, taxonomy: Taxonomy, extra: Sequence[Example] = ()
) -> list[Example]:
    """The repository corpus plus ``extra`` examples (approved feedback), whose text is
    redacted once more here: nothing reaches the training set unredacted, whatever stored it."""
    examples = load_corpus(corpus_dir, taxonomy.ids)
    known = set(taxonomy.ids)
    for example in extra:
        if example.label not in known:
            continue
        examples.append(
            Example(
                text=redact(example.text),
                label=example.label,
                secondary=tuple(s for s in example.secondary if s in known and s != example.label),
                source=example.source,
            )
        )
    return examples


def train_and_register(
    registry: ModelRegistry,
    corpus_dir: Path,
    taxonomy: Taxonomy,
    progress: Progress | None = None,
    *,
    extra: Sequence[Example] = (),
    eval_path: Path | None = None,
    wait: bool = False,
) -> ModelMeta:
    """Train on the corpus plus ``extra`` and register the result as a new version, with
    its score on the fixed split ``eval_path`` when given. One training at a time per
    registry: without ``wait`` a concurrent one raises `TrainingInProgressError`."""
    examples = training_examples(corpus_dir, taxonomy, extra)
    with registry.training_lock(wait=wait):
        return _train_locked(registry, examples, taxonomy, progress, eval_path)


def _train_locked(
    registry: ModelRegistry,
    examples: Sequence[Example],
    taxonomy: Taxonomy,
    progress: Progress | None,
    eval_path: Path | None,
) -> ModelMeta:
    result = train(examples, progress=progress)
    evaluation = None
    if eval_path is not None:
        split = read_examples(eval_path, taxonomy.ids)
        classifier = Classifier(result.pipeline, result.thresholds, "candidate")
        evaluation = score_split(classifier, split, taxonomy.ids)
        if progress:
            progress("fixed split", 1, 1)
    sources = dict(Counter(example.source for example in examples))
    return registry.register(result, evaluation=evaluation, sources=sources)


def ensure_classifier(
    registry: ModelRegistry,
    corpus_dir: Path,
    taxonomy: Taxonomy,
    progress: Progress | None = None,
) -> Classifier:
    """Load the promoted model, training and promoting the first one if there is none.

    Two processes starting on a fresh checkout: the second waits for the first's training
    and then loads the model it promoted.
    """
    if registry.current_version() is None:
        with registry.training_lock(wait=True):
            if registry.current_version() is None:  # not promoted while we waited
                examples = training_examples(corpus_dir, taxonomy)
                meta = _train_locked(registry, examples, taxonomy, progress, None)
                registry.promote(meta.version)
    return registry.load()
