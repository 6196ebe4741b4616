"""Text normalisation applied before anything else looks at a message.

NFKC folds full-width ASCII and half-width katakana into their usual forms; control,
format (zero-width, bidi overrides) and surrogate characters are removed; emoji and
pictographs become spaces (they separate words but carry no category signal we trust);
dashes become ``-``; whitespace collapses; and the text is capped so one huge message
cannot stall a worker.
"""

from __future__ import annotations

import re
import unicodedata

DEFAULT_MAX_CHARS = 4096

# A regex, not str.translate: translate with a dict costs a look-up per character.
_DASHES = "‐‑‒–—―−﹣－"
_DASH_RE = re.compile(f"[{_DASHES}]")
_SPACE_RE = re.compile(r"\s+")
# Invisible characters vanish: zero-width and joiners, bidi controls, soft hyphen, BOM,
# variation selectors, tag characters, combining marks for symbols.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
    "\ufe00-\ufe0f\u20d0-\u20ff\U000e0000-\U000e007f"
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]+")
# Visible noise becomes a space: controls, surrogates, private use, and the arrow, shape,
# dingbat and emoji blocks. An explicit short class keeps the regex a fast bitmap test
# (a class generated from every "symbol" code point is ten times slower). 〒 (U+3012)
# and ordinary punctuation are kept.
_NOISE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufff9-\ufffc"
    "\ud800-\udfff\ue000-\uf8ff"
    "\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u2500-\u27bf\u2900-\u2bff"
    "\u3297\u3299\U0001f000-\U0001faff\U000f0000-\U0010ffff"
)
_NOISE_RE = re.compile(f"[{_NOISE}]+")
# Most messages hold none of the above and no whitespace but single spaces, so the three
# rewrites would change nothing. One character-class search (the regex engine's fast scan;
# an alternation would be slower than the rewrites) and a substring test find that out.
# Every whitespace character but the space, as `\s` and str.split know them (a test
# checks the list against every code point).
_OTHER_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_REWRITE_RE = re.compile(f"[{_DASHES}{_INVISIBLE}{_NOISE}{re.escape(_OTHER_SPACES)}]")


def normalize(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Return the canonical form of ``text`` used by tokenisation and entities.

    >>> normalize("ｺｳｼﾞｮｳ　２０人😀")
    'コウジョウ 20人'
    """
    if len(text) > max_chars * 2:
        # Cut before NFKC so an enormous message never costs more than a capped one.
        text = text[: max_chars * 2]
    text = unicodedata.normalize("NFKC", text)
    if "  " in text or _REWRITE_RE.search(text):
        text = _DASH_RE.sub("-", text)
        text = _NOISE_RE.sub(" ", _INVISIBLE_RE.sub("", text))
        text = _SPACE_RE.sub(" ", text)
    return text.strip()[:max_chars].rstrip()
