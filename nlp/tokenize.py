"""Japanese tokenisation with fugashi and unidic-lite.

We read MeCab's own text output (unidic-lite's ``unidic`` format: surface, pron, lForm,
lemma, POS, ...) with one regular expression instead of walking fugashi's node objects:
``word.feature`` builds a named tuple per token, which costs more than the tokenisation.
The expression keeps content words only: particles, auxiliaries, symbols, whitespace and
numerals are skipped inside the regex engine.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import fugashi

# Columns of unidic-lite's output: surface \t pron \t lForm \t lemma \t POS(-joined) ...
# Captured: lemma without the loanword gloss ("システム-system" -> "システム"), and lForm,
# the dictionary reading in katakana (empty for unknown words).
_CONTENT_RE = re.compile(
    r"^[^\t\n]*\t[^\t\n]*\t([^\t\n]*)\t([^\t\n-]+)[^\t\n]*\t"
    r"(?!助詞|助動詞|補助記号|記号|空白|名詞-数詞|EOS)",
    re.MULTILINE,
)

_local = threading.local()


def tagger() -> Any:
    """The MeCab tagger of this thread (created on first use; MeCab is not thread-safe)."""
    instance = getattr(_local, "tagger", None)
    if instance is None:
        instance = fugashi.Tagger()
        _local.tagger = instance
    return instance


def lemmas(text: str) -> list[str]:
    """Content-word lemmas of already normalised ``text``."""
    return [lemma for _, lemma in _CONTENT_RE.findall(tagger().parse(text))]


def lemmas_and_reading(text: str) -> tuple[list[str], str]:
    """Content-word lemmas and the katakana reading of those words, concatenated.

    The reading makes 「こうけいしゃ」 and 「後継者」 look alike to character n-grams.
    """
    pairs = _CONTENT_RE.findall(tagger().parse(text))
    return [lemma for _, lemma in pairs], "".join(reading for reading, _ in pairs)


class LemmaTokenizer:
    """Picklable callable for vectorisers; the tagger itself is never pickled."""

    def __call__(self, text: str) -> list[str]:
        return lemmas(text)

    def __getstate__(self) -> dict[str, Any]:
        return {}
