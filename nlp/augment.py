"""Training-time augmentation: the same inquiry as an owner would type it in kana only.

Many owners write in hiragana (「こうけいしゃが いない」). The corpus has such lines, but
the words they use are few; rewriting every kanji example into hiragana through MeCab's
reading teaches the model the kana form of the whole vocabulary. Variants are used only
for fitting, never for scoring, and stay in their original's cross-validation fold.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import fugashi

# kana reading of each token, or the surface for unknown words
_KANA_ARGS = r'-O "" -F%f[17]\\n -U%m\\n -E\\n'
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KANJI_RE = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf々]")
_local = threading.local()


def _kana_tagger() -> Any:
    instance = getattr(_local, "tagger", None)
    if instance is None:
        instance = fugashi.Tagger(_KANA_ARGS)
        _local.tagger = instance
    return instance


def hiragana_variant(text: str) -> str | None:
    """``text`` (normalised) rewritten in hiragana, or None when it has no kanji."""
    if not _KANJI_RE.search(text):
        return None
    reading = "".join(_kana_tagger().parse(text).split("\n"))
    return reading.translate(_KATAKANA_TO_HIRAGANA)
