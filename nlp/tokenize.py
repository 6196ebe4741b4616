"""Japanese tokenisation with fugashi and unidic-lite.

Content words come from MeCab's node list read in compiled code (`nlp.mecab`): neither
fugashi's node objects (``word.feature`` builds a named tuple per token, which costs more
than the tokenisation itself) nor MeCab's formatted text output. What a content word is,
and its lemma and reading, are defined in `nlp.mecab`.
"""

from __future__ import annotations

import threading
from typing import Any

import fugashi

from nlp.mecab import Tokens, tokens

__all__ = ["Tokens", "lemmas", "lemmas_and_reading", "tagger", "term_reading", "tokens"]

_local = threading.local()


def tagger() -> Any:
    """A fugashi tagger for this thread, for callers that need whole node objects
    (`nlp.redact` reads names' parts of speech); MeCab is not thread-safe."""
    instance = getattr(_local, "tagger", None)
    if instance is None:
        instance = fugashi.Tagger()
        _local.tagger = instance
    return instance


def lemmas(text: str) -> list[str]:
    """Content-word lemmas of already normalised ``text``."""
    return tokens(text).lemmas()


def lemmas_and_reading(text: str) -> tuple[list[str], str]:
    """Content-word lemmas and the katakana reading of those words, concatenated.

    The reading makes 「こうけいしゃ」 and 「後継者」 look alike to character n-grams.
    """
    found = tokens(text)
    return found.lemmas(), found.reading_text()


def term_reading(text: str) -> str | None:
    """The katakana reading of a short term (normalised), or None when some token of it is
    not a content word with a reading: then the reading says less than the term (「眠れない」
    would read ネムル, the same as 眠る; 「ITツール」 would read ツール)."""
    found = tokens(text)
    if not found.tokens or found.tokens != len(found.lemma_ends) or found.tokens != found.read:
        return None
    return found.reading_text()
