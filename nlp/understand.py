"""One call that understands a message: normalise, tokenise, classify, extract entities."""

from __future__ import annotations

from typing import Any, NamedTuple

from nlp.classifier import Classification, Classifier
from nlp.entities import Entities, extract_entities
from nlp.mecab import parser
from nlp.normalize import DEFAULT_MAX_CHARS, normalize


class EmptyTextError(ValueError):
    """Nothing usable is left of the text after normalisation."""


class Understanding(NamedTuple):
    """The classifier's decision and the facts found in the text (a NamedTuple: see
    `nlp.lean.Scores`)."""

    normalized: str
    classification: Classification
    entities: Entities

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `madoguchi classify`."""
        c, e = self.classification, self.entities
        return {
            "label": c.label,
            "confidence": round(c.confidence, 4),
            "uncertain": c.uncertain,
            "secondary": list(c.secondary),
            "scores": c.scores,
            "prefecture": e.prefecture,
            "municipality": e.municipality,
            "employees": e.employees,
            "industry": e.industry,
            "explanation": list(c.explanation),
            "model_version": c.model_version,
        }


class Understander:
    """Understands messages with one classifier; cheap to call once per message."""

    def __init__(self, classifier: Classifier, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.classifier = classifier
        self.max_chars = max_chars
        parser()  # a broken MeCab install fails here, at start, not at the first message

    def understand(self, text: str, explain: bool = True) -> Understanding:
        """Understand one message; raises EmptyTextError when nothing is left to read."""
        normalized = normalize(text, self.max_chars)
        if not normalized:
            raise EmptyTextError("the message is empty after normalisation")
        return Understanding(
            normalized,
            self.classifier.classify_text(normalized, explain),
            extract_entities(normalized),
        )
