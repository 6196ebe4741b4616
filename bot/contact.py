"""Validation of the contact details an owner may give."""

from __future__ import annotations

import re
import unicodedata

_PHONE_RE = re.compile(r"0\d{9,10}")
# Deliberately simple: one @, a dot in the domain, no spaces; the coordinator confirms.
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


def clean_phone(text: str) -> str | None:
    """A Japanese phone number (10 or 11 digits from 0) with separators removed, or None."""
    folded = unicodedata.normalize("NFKC", text).strip()
    digits = re.sub(r"[\s\-()ー−‐]", "", folded)
    if digits.startswith("+81"):
        digits = "0" + digits[3:]
    return digits if _PHONE_RE.fullmatch(digits) else None


def clean_email(text: str) -> str | None:
    """An e-mail address as typed (full-width folded), or None when it cannot be one."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return folded if len(folded) <= 254 and _EMAIL_RE.fullmatch(folded) else None
