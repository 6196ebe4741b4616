"""What the database can keep of an owner's text: everything, except two things no text
column can hold.

NUL (U+0000) is refused by PostgreSQL in text and JSON, and a lone surrogate (half of a
UTF-16 pair, which Telegram's JSON can carry) cannot be encoded as UTF-8 at all. Both are
handled here deliberately, once, before anything is stored: NUL is removed and a lone
surrogate becomes U+FFFD (the replacement character). Every other character — bidi
controls, zero-width characters, half-width kana, emoji, markup — is kept exactly as the
owner wrote it; rendering code escapes what it must for its own medium.
"""

from __future__ import annotations

import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` without NUL, lone surrogates replaced by U+FFFD."""
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def storable_json(value: Any) -> Any:
    """`storable` applied to every string (keys included) of a JSON-like value."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable_json(k): storable_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable_json(v) for v in value]
    return value
