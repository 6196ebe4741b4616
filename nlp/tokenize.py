"""Japanese tokenisation with fugashi and unidic-lite.

We read MeCab's own text output with one regular expression instead of walking fugashi's
node objects: ``word.feature`` builds a named tuple per token, which costs more than the
tokenisation itself.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import fugashi

# MeCab writes exactly what we read, one token per line: "POS1-POS2 \t lemma \t reading".
# ``-O ""`` clears unidic-lite's default output type so our node format applies; unknown
# words print their surface as lemma and no reading. Formatting only three fields makes
# parse() as fast as walking fugashi's nodes for surfaces.
_TAGGER_ARGS = r'-O "" -F%F-[0,1]\\t%f[7]\\t%f[6]\\n -U%F-[0,1]\\t%m\\t\\n -E\\n'
# Content words only: particles, auxiliaries, symbols, whitespace and numerals are skipped
# inside the regex engine. The lemma drops the loanword gloss ("システム-system"); the last
# tab is optional because fugashi strips the trailing whitespace of its output.
_CONTENT_RE = re.compile(
    r"^(?!助詞|助動詞|補助記号|記号|空白|名詞-数詞)[^\t\n]*\t([^\t\n-]+)[^\t\n]*\t?([^\n]*)",
    re.MULTILINE,
)

_local = threading.local()


def tagger() -> Any:
    """The MeCab tagger of this thread (created on first use; MeCab is not thread-safe)."""
    instance = getattr(_local, "tagger", None)
    if instance is None:
        instance = fugashi.Tagger(_TAGGER_ARGS)
        _local.tagger = instance
    return instance


def lemmas(text: str) -> list[str]:
    """Content-word lemmas of already normalised ``text``."""
    return [lemma for lemma, _ in _CONTENT_RE.findall(tagger().parse(text))]


def lemmas_and_reading(text: str) -> tuple[list[str], str]:
    """Content-word lemmas and the katakana reading of those words, concatenated.

    The reading makes 「こうけいしゃ」 and 「後継者」 look alike to character n-grams.
    """
    pairs = _CONTENT_RE.findall(tagger().parse(text))
    if not pairs:
        return [], ""
    words, readings = zip(*pairs, strict=True)  # one C-level pass instead of two loops
    return list(words), "".join(readings)


def term_reading(text: str) -> str | None:
    """The katakana reading of a short term (normalised), or None when some token of it is
    not a content word with a reading: then the reading says less than the term (「眠れない」
    would read ネムル, the same as 眠る; 「ITツール」 would read ツール)."""
    parsed = tagger().parse(text)
    tokens = [line for line in parsed.split("\n") if line]
    pairs = _CONTENT_RE.findall(parsed)
    if not pairs or len(pairs) != len(tokens) or not all(reading for _, reading in pairs):
        return None
    return "".join(reading for _, reading in pairs)
