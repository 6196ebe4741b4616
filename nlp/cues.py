"""Domain cue words: a hand-written lexicon of terms that signal each category.

The corpus teaches the classifier the words it has seen; an owner who writes 「遺留分」 or
「定年延長」 may use a term that appears once or never in it. Each matched term adds one
tag per category (「#succession」), a feature shared by every term of that category, so the
model learns how far to trust the category's cues and a rare term still counts.

Every occurrence of a term counts, found by one Aho-Corasick pass (`nlp.automaton`, which
reports only which categories matched) over the normalised text and, through the terms'
katakana readings, over the message's reading, so 「あとつぎ」 finds 跡継ぎ. The lexicon
is part of the feature definition like the tokeniser: a model is trained against the
lexicon it ships with, whose digest the registry records with every version
(``ModelMeta.cue_lexicon``).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib.resources import files

import yaml

from nlp.automaton import MAX_GROUPS, MaskAutomaton
from nlp.normalize import normalize
from nlp.tokenize import term_reading

TAG_PREFIX = "#"
MIN_READING = 3


class CueLexiconError(ValueError):
    """The packaged cue lexicon is malformed."""


@dataclass(frozen=True, slots=True)
class CueLexicon:
    """Term surfaces and readings (one automaton) with the category tags of each."""

    automaton: MaskAutomaton  # group g is the category tag group_tags[g]
    group_tags: tuple[str, ...]  # sorted, so the tags of a mask come out sorted
    digest: str

    def tags(self, normalized: str, reading: str) -> tuple[str, ...]:
        """The distinct category tags of the cue terms found in a message, sorted."""
        return self.tags_in(self.automaton.mask(normalized, reading))

    def tags_in(self, mask: int) -> tuple[str, ...]:
        """The tags of the groups set in ``mask``."""
        return tuple(tag for group, tag in enumerate(self.group_tags) if mask >> group & 1)


def parse_lexicon(source: str) -> CueLexicon:
    """Build the lexicon from its YAML text (category id -> list of terms)."""
    try:
        raw = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise CueLexiconError(f"cue lexicon is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not raw:
        raise CueLexiconError("cue lexicon must map category ids to lists of terms")
    patterns: dict[str, set[str]] = {}
    for category, terms in raw.items():
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            raise CueLexiconError(f"cue lexicon: {category!r} must list non-empty strings")
        tag = TAG_PREFIX + str(category)
        for term in terms:
            # Messages are normalised before matching, so the terms are too.
            surface = normalize(term)
            if not surface:
                raise CueLexiconError(f"cue lexicon: {category!r} has a term that is empty when normalised")
            patterns.setdefault(surface, set()).add(tag)
            # Readings shorter than MIN_READING kana match inside too many unrelated words.
            reading = term_reading(surface)
            if reading is not None and len(reading) >= MIN_READING:
                patterns.setdefault(reading, set()).add(tag)
    tags = tuple(sorted({tag for found in patterns.values() for tag in found}))
    if len(tags) > MAX_GROUPS:
        raise CueLexiconError(f"cue lexicon: at most {MAX_GROUPS} categories")
    group = {tag: 1 << index for index, tag in enumerate(tags)}
    terms = list(patterns)
    return CueLexicon(
        automaton=MaskAutomaton.build(terms, [sum(group[t] for t in patterns[term]) for term in terms]),
        group_tags=tags,
        digest=hashlib.sha256(source.encode("utf-8")).hexdigest(),
    )


@functools.cache
def cue_lexicon() -> CueLexicon:
    """The packaged lexicon, read once per process."""
    return parse_lexicon((files("nlp") / "cues.yaml").read_text("utf-8"))
